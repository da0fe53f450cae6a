// Orders packs so every pack comes after the packs it requires, checking names, versions and cycles.
import semver from 'semver';
import type { MetadataProblem } from './metadata-problem.js';
import type { ValidPack } from './pack-spec.js';

export function orderPacks(packs: readonly ValidPack[], problems: MetadataProblem[]): ValidPack[] {
  const byName = new Map<string, ValidPack>();
  for (const pack of packs) {
    const name = pack.manifest.name;
    const seen = byName.get(name);
    if (seen) {
      problems.push({
        file: pack.file,
        pointer: '/name',
        rule: 'pack.duplicate_name',
        message: `pack '${name}' is also installed from ${seen.file}`,
        pack: name,
      });
      continue;
    }
    byName.set(name, pack);
  }
  for (const pack of byName.values()) {
    for (const [dep, range] of Object.entries(pack.manifest.requires ?? {})) {
      const pointer = `/requires/${dep}`;
      const found = byName.get(dep);
      if (!found) {
        problems.push({
          file: pack.file,
          pointer,
          rule: 'pack.missing_requirement',
          message: `requires pack '${dep}' (${range}), which is not installed`,
          pack: pack.manifest.name,
        });
      } else if (!semver.validRange(range)) {
        problems.push({
          file: pack.file,
          pointer,
          rule: 'pack.invalid_range',
          message: `'${range}' is not a semver range`,
          pack: pack.manifest.name,
        });
      } else if (!semver.satisfies(found.manifest.version, range)) {
        problems.push({
          file: pack.file,
          pointer,
          rule: 'pack.version_mismatch',
          message: `requires '${dep}' ${range} but ${found.manifest.version} is installed`,
          pack: pack.manifest.name,
        });
      }
    }
  }
  // Depth-first topological order; a grey node met again is a cycle.
  const ordered: ValidPack[] = [];
  const state = new Map<string, 'grey' | 'black'>();
  const visit = (pack: ValidPack, trail: string[]): void => {
    const name = pack.manifest.name;
    if (state.get(name) === 'black') return;
    if (state.get(name) === 'grey') {
      problems.push({
        file: pack.file,
        pointer: '/requires',
        rule: 'pack.cycle',
        message: `requirement cycle: ${[...trail, name].join(' -> ')}`,
        pack: name,
      });
      return;
    }
    state.set(name, 'grey');
    for (const dep of Object.keys(pack.manifest.requires ?? {}).sort()) {
      const found = byName.get(dep);
      if (found) visit(found, [...trail, name]);
    }
    state.set(name, 'black');
    ordered.push(pack);
  };
  for (const pack of [...byName.values()].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))) visit(pack, []);
  return ordered;
}

/** Names of every pack `name` requires, directly or not. */
export function requiredClosure(packs: readonly ValidPack[], name: string): Set<string> {
  const byName = new Map(packs.map((p) => [p.manifest.name, p]));
  const out = new Set<string>();
  const walk = (n: string): void => {
    for (const dep of Object.keys(byName.get(n)?.manifest.requires ?? {})) {
      if (!out.has(dep)) {
        out.add(dep);
        walk(dep);
      }
    }
  };
  walk(name);
  return out;
}
