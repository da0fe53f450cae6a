// Puts the Model's reminder rules on the job queue: one repeated `reminder:scan` job per distinct (cron, time zone),
// whose run scans every rule of the Model being served with that schedule. Scheduled at start and again when the
// Model changes (rules added, removed or rescheduled). With Bull, one process runs each tick; with the in-process
// queue every process runs its own, and the sent-keys make the second scan of a tick find nothing to send.
import type { JobQueue } from '../jobs/job-queue.js';
import type { CompiledReminder } from '../record-rules/compile-reminders.js';
import { EngineError } from '../shared/engine-error.js';
import { scanReminder, type ReminderScanDeps, type ScanResult } from './scan-reminders.js';

export const SCAN_JOB = 'reminder:scan';

/** A failed scan is retried (the sent-keys make a retry send only what the failure did not). */
const SCAN_RUN = { attempts: 3, backoff: { type: 'exponential', delayMs: 60_000 } } as const;

export interface Schedule {
  readonly cron: string;
  readonly tz: string;
}

const scheduleKey = (s: Schedule): string => `${s.tz} ${s.cron}`;

function scheduleOf(r: CompiledReminder): Schedule {
  return { cron: r.def.schedule.cron, tz: r.def.schedule.timeZone };
}

export class ReminderScheduler {
  private scheduled = new Map<string, Schedule>();

  constructor(
    private readonly queue: JobQueue,
    private readonly deps: ReminderScanDeps,
  ) {}

  /** The (cron, time zone) pairs this process put on the queue. */
  schedules(): Schedule[] {
    return [...this.scheduled.values()];
  }

  /** Every reminder rule of the Model being served. */
  rules(): CompiledReminder[] {
    return [...this.deps.current().runtime.entities.values()].flatMap((e) => [...e.rules.reminders]);
  }

  /** Takes `reminder:scan` jobs in this process (a process that runs jobs: the engine, or a worker). */
  processScans(): void {
    this.queue.process(SCAN_JOB, { concurrency: 1 }, async (job) => {
      const s = job.data as Partial<Schedule> | null;
      const due = this.rules().filter((r) => r.def.schedule.cron === s?.cron && r.def.schedule.timeZone === s.tz);
      await this.scanAll(new Date(), due);
    });
  }

  /** Repeats the schedules of the current rules; stops those no rule has any more. */
  async sync(): Promise<void> {
    const wanted = new Map(this.rules().map((r) => [scheduleKey(scheduleOf(r)), scheduleOf(r)]));
    for (const [key, s] of this.scheduled) {
      if (!wanted.has(key)) await this.queue.unrepeat(SCAN_JOB, s.cron, { tz: s.tz });
    }
    for (const s of wanted.values()) await this.queue.repeat(SCAN_JOB, s.cron, s, { ...SCAN_RUN, tz: s.tz });
    this.scheduled = wanted;
  }

  /** Scans `rules` (default: all) as of `now`; a rule that fails does not stop the others, and the run then fails. */
  async scanAll(now: Date, rules: readonly CompiledReminder[] = this.rules()): Promise<ScanResult[]> {
    const results: ScanResult[] = [];
    const failures: unknown[] = [];
    for (const rule of rules) {
      try {
        results.push(await scanReminder(this.deps, rule, now));
      } catch (err) {
        this.deps.log.error({ err, rule: rule.key }, 'reminder scan failed');
        failures.push(err);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} reminder scan(s) failed`);
    return results;
  }

  /** Scans one rule, named `<entity>.<reminder name>`, as of `now`. */
  async scan(name: string, now: Date): Promise<ScanResult> {
    const rule = this.rules().find((r) => `${r.entity}.${r.def.name}` === name);
    if (!rule) throw new EngineError('reminder.not_found', 404, `there is no reminder '${name}'`);
    return scanReminder(this.deps, rule, now);
  }
}
