// A pack's scheduled job (pack.json `schedules`) must name a job a plugin registered, with a cron that parses in a
// time zone this runtime reads: the metadata names the job, the plugins registered it. Checked when a Model is
// prepared (served-model.ts) and by `tessera validate`.
import { checkSchedule } from '../metadata/check-schedule.js';
import type { MetadataProblem } from '../metadata/metadata-problem.js';
import type { Model } from '../metadata/model.js';
import type { JobDef } from './plugin-api.js';

export function checkPackSchedules(model: Model, jobs: ReadonlyMap<string, JobDef>): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  for (const pack of model.packs) {
    const file = `${pack.dir}/pack.json`;
    (pack.schedules ?? []).forEach((s, i) => {
      const at = `/schedules/${i}`;
      if (!jobs.has(s.job)) {
        problems.push({
          file,
          pack: pack.name,
          pointer: `${at}/job`,
          rule: 'schedule.unknown_job',
          message: `no plugin registered a job '${s.job}'`,
        });
      }
      checkSchedule({ cron: s.schedule.cron, timeZone: s.schedule.tz }, `${at}/schedule`, (p) =>
        problems.push({ file, pack: pack.name, ...p }),
      );
    });
  }
  return problems;
}
