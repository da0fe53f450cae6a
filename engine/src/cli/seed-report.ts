// How the CLI shows seeding: one line per step as it finishes, then who can sign in (demo users and passwords).
import type { SeedProgress, SeedPackResult } from '../data/seed-pack.js';

const number = new Intl.NumberFormat('en');

export function progressLine(pack: string, p: SeedProgress): string {
  return `  [${pack}] ${p.label.padEnd(34, '.')} ${number.format(p.rows).padStart(11)} rows  ${p.seconds.toFixed(1).padStart(6)} s`;
}

/** What a seed did, for people: counts per entity, then the demo users' names and passwords. */
export function seedReport(pack: string, result: SeedPackResult): string {
  if (result.status === 'already')
    return `Pack ${pack} already has its ${result.size} demo data (seeded ${result.seededAt}); nothing to do.`;
  if (result.status === 'skipped') return `No demo data for ${pack}: ${result.reason}.`;
  const counts = Object.entries(result.outcome.counts)
    .map(([entity, n]) => `${entity} ${number.format(n)}`)
    .join(', ');
  const logins = result.outcome.logins;
  const width = Math.max(8, ...logins.map((l) => l.username.length));
  const lines = [
    `Seeded the ${pack} demo data in ${result.seconds.toFixed(1)} s: ${counts}.`,
    ...(logins.length > 0
      ? [
          `Demo users of ${pack} (sign in with these):`,
          `  ${'username'.padEnd(width)}  password          who`,
          ...logins.map((l) => `  ${l.username.padEnd(width)}  ${l.password.padEnd(16)}  ${l.displayName}, ${l.role}`),
        ]
      : []),
  ];
  return lines.join('\n');
}
