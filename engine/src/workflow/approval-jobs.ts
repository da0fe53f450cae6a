// The escalation job on the engine's queue: a step with escalateAfter writes an `approval:escalate` outbox row when
// the flow enters it (approval-service.ts), delayed by the timeout; this handler runs it. Registered by engine.ts
// like jobs/plugin-jobs.ts; idempotent by its key (instance + step), see ApprovalService.escalate.
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../shared/logger.js';
import { ESCALATE_JOB, type ApprovalService } from './approval-service.js';

const CONCURRENCY = 2;

function escalation(data: unknown): { instanceId: string; step: number } | undefined {
  const d = data as { instanceId?: unknown; step?: unknown } | null;
  return typeof d?.instanceId === 'string' && typeof d.step === 'number' ? { instanceId: d.instanceId, step: d.step } : undefined;
}

export function processApprovalJobs(queue: JobQueue, approvals: ApprovalService, log: Logger): void {
  queue.process(ESCALATE_JOB, { concurrency: CONCURRENCY }, async (job) => {
    const e = escalation(job.data);
    // A malformed job cannot become valid by retrying: fail it, so it is dead with its error for an admin to see.
    if (!e) throw new Error(`an ${ESCALATE_JOB} job needs { instanceId, step }, got ${JSON.stringify(job.data)}`);
    const escalated = await approvals.escalate(e.instanceId, e.step);
    log.debug({ job: job.key, escalated }, 'approval escalation ran');
  });
}
