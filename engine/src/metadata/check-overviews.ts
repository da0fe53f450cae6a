// Cross-references of record overviews, checked on the compiled Model: the overview's entity and each section's
// exist, each section's `via` is a belongsTo path that ends at the overview's entity, its columns, sort keys and
// totals are fields of the listed entity (totals numeric), and names are unique where the API looks them up.
import type { MetadataProblem } from './metadata-problem.js';
import type { EntityDef, Model } from './model.js';
import { SYSTEM_READ_COLUMNS } from './system-columns.js';
import type { OverviewDef } from './ui-model.js';

const SYSTEM_NAMES = new Set(SYSTEM_READ_COLUMNS.map((c) => c.name));
const NUMERIC_KINDS = new Set(['integer', 'decimal']);

/** The entity a belongsTo path from `from` leads to, or a message saying where it breaks. */
function followPath(model: Model, from: EntityDef, path: string): EntityDef | string {
  let at = from;
  for (const step of path.split('.')) {
    const field = at.fields.find((f) => f.name === step);
    if (!field || field.kind !== 'relation' || field.cardinality === 'manyToMany' || !field.target) {
      return `${at.name} has no belongsTo relation '${step}'`;
    }
    const next = model.entitiesByName[field.target];
    if (!next) return `${at.name}.${step} points at no installed entity`;
    at = next;
  }
  return at;
}

export function checkOverviews(model: Model, overviews: readonly OverviewDef[]): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const keys = new Set<string>();
  for (const o of overviews) {
    const at = (pointer: string, rule: string, message: string) =>
      problems.push({ file: o.file, pack: o.pack, pointer, rule, message, entity: o.entity });
    const root = model.entitiesByName[o.entity];
    if (!root) {
      at('/entity', 'overview.unknown_entity', `no entity '${o.entity}' in the installed packs`);
      continue;
    }
    const key = `${o.entity}/${o.name}`;
    if (keys.has(key)) at('/name', 'overview.duplicate', `${o.entity} already has an overview '${o.name}'`);
    keys.add(key);
    const sectionNames = new Set<string>();
    o.sections.forEach((s, i) => {
      const p = `/sections/${i}`;
      if (sectionNames.has(s.name)) at(`${p}/name`, 'overview.duplicate_section', `another section is named '${s.name}'`);
      sectionNames.add(s.name);
      const e = model.entitiesByName[s.entity];
      if (!e) {
        at(`${p}/entity`, 'overview.unknown_entity', `no entity '${s.entity}' in the installed packs`);
        return;
      }
      const end = followPath(model, e, s.via);
      if (typeof end === 'string') at(`${p}/via`, 'overview.invalid_path', end);
      else if (end.name !== root.name) at(`${p}/via`, 'overview.invalid_path', `'${s.via}' leads to ${end.name}, not ${root.name}`);
      const field = (name: string) => e.fields.find((f) => f.name === name);
      s.columns.forEach((c, j) => {
        if (!field(c) && !SYSTEM_NAMES.has(c)) at(`${p}/columns/${j}`, 'overview.unknown_field', `${e.name} has no field '${c}'`);
      });
      s.sort.forEach((k, j) => {
        const name = k.replace(/^-/, '');
        if (!field(name) && !SYSTEM_NAMES.has(name)) at(`${p}/sort/${j}`, 'overview.unknown_field', `${e.name} has no field '${name}'`);
      });
      s.totals.forEach((t, j) => {
        const f = field(t);
        if (!f || !NUMERIC_KINDS.has(f.kind)) at(`${p}/totals/${j}`, 'overview.not_numeric', `${e.name} has no numeric field '${t}'`);
      });
    });
  }
  return problems;
}
