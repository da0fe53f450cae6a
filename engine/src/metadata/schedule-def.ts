/** When scheduled work runs (shared/cron.ts reads the cron). */
export interface ScheduleDef {
  readonly cron: string;
  /** IANA time zone; UTC when the pack names none. */
  readonly tz: string;
}
