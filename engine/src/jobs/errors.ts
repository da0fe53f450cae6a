// Error codes of the job queue. Bad arguments from callers are 400s, a missing job is 404, a job in the
// wrong state for the request is 409, and a queue that is closed or cannot reach Redis is 503.
import { EngineError } from '../shared/engine-error.js';

export type JobErrorCode =
  | 'jobs.invalid_cron'
  | 'jobs.invalid_options'
  | 'jobs.handler_exists'
  | 'jobs.not_found'
  | 'jobs.not_retryable'
  | 'jobs.job_active'
  | 'jobs.queue_closed'
  | 'jobs.backend_failed';

const STATUS: Record<JobErrorCode, number> = {
  'jobs.invalid_cron': 400,
  'jobs.invalid_options': 400,
  'jobs.handler_exists': 500,
  'jobs.not_found': 404,
  'jobs.not_retryable': 409,
  'jobs.job_active': 409,
  'jobs.queue_closed': 503,
  'jobs.backend_failed': 503,
};

export function jobError(code: JobErrorCode, detail: string, cause?: unknown): EngineError {
  return new EngineError(code, STATUS[code], detail, cause === undefined ? {} : { cause });
}
