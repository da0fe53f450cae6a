// An engine built from older packs must not apply them over a newer published Model: during a rolling
// upgrade an old engine that restarts would otherwise take the database back (dropping what the new packs
// added while it is still empty). Applying older packs on purpose needs an explicit option.
import semver from 'semver';

export interface PackVersion {
  readonly name: string;
  readonly version: string;
}

/** Why `local` is older than `published`: packs published at a higher version, or published and absent here. */
export function olderThanPublished(published: readonly PackVersion[], local: readonly PackVersion[]): string[] {
  const mine = new Map(local.map((p) => [p.name, p.version]));
  const reasons: string[] = [];
  for (const p of published) {
    const v = mine.get(p.name);
    if (v === undefined) reasons.push(`${p.name}@${p.version} is published but not among these packs`);
    else if (semver.valid(p.version) && semver.valid(v) && semver.gt(p.version, v))
      reasons.push(`${p.name}@${v} is older than the published ${p.name}@${p.version}`);
  }
  return reasons;
}
