// What a committed write leaves in the outbox for each plugin with after hooks on it: jobs/after-hook-jobs.ts runs
// them from this, after commit and at least once. One job per plugin, so one plugin's failing hook is retried (and
// shown dead) on its own, without running the others again.
import type { RecordEventName } from '../plugins/plugin-api.js';
import type { Actor } from '../security/actor.js';
import type { ApiRecord } from './record-codec.js';

export const AFTER_HOOK_JOB = 'hooks:after';

export interface AfterHookJob {
  readonly plugin: string;
  readonly event: RecordEventName;
  readonly entity: string;
  readonly recordId: string;
  readonly changes: ApiRecord;
  readonly before?: ApiRecord;
  readonly after?: ApiRecord;
  readonly actor: Actor;
}
