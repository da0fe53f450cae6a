// Runs the Model's reminder rules: a `reminder:scan` job per distinct (cron, time zone) — queued on each occurrence by
// the schedule tick with the Model's other scheduled work (jobs/scheduled-work.ts), once however many processes tick —
// scans every rule of the Model being served with that schedule. Tests scan one rule with a clock of their own.
import type { JobQueue } from '../jobs/job-queue.js';
import { REMINDER_SCAN_JOB } from '../jobs/scheduled-work.js';
import type { CompiledReminder } from '../record-rules/compile-reminders.js';
import { EngineError } from '../shared/engine-error.js';
import { scanReminder, type ReminderScanDeps, type ScanResult } from './scan-reminders.js';

export interface Schedule {
  readonly cron: string;
  readonly tz: string;
}

const scheduleKey = (s: Schedule): string => `${s.tz} ${s.cron}`;

function scheduleOf(r: CompiledReminder): Schedule {
  return { cron: r.def.schedule.cron, tz: r.def.schedule.timeZone };
}

export class ReminderScheduler {
  constructor(
    private readonly queue: JobQueue,
    private readonly deps: ReminderScanDeps,
  ) {}

  /** The (cron, time zone) pairs the rules are scanned on. */
  schedules(): Schedule[] {
    return [...new Map(this.rules().map((r) => [scheduleKey(scheduleOf(r)), scheduleOf(r)])).values()];
  }

  /** Every reminder rule of the Model being served. */
  rules(): CompiledReminder[] {
    return [...this.deps.current().runtime.entities.values()].flatMap((e) => [...e.rules.reminders]);
  }

  /** Takes `reminder:scan` jobs in this process (a process that runs jobs: the engine, or a worker). A failed scan is
   * retried as other jobs are; the sent-keys make a retry send only what the failure did not. */
  processScans(): void {
    this.queue.process(REMINDER_SCAN_JOB, { concurrency: 1 }, async (job) => {
      const s = job.data as Partial<Schedule> | null;
      const due = this.rules().filter((r) => r.def.schedule.cron === s?.cron && r.def.schedule.timeZone === s.tz);
      await this.scanAll(new Date(), due);
    });
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
