// Which belongsTo field a cube joins each related entity through: Cube names a join by the cube it reaches, so the
// first such field to each target wins. The generated joins and report drill-downs both read this one choice.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef } from '../metadata/model.js';

export function joinFields(
  entity: EntityDef,
  kinds: FieldKindRegistry,
  isVisible: (field: string) => boolean = () => true,
): Map<string, FieldDef> {
  const out = new Map<string, FieldDef>();
  for (const f of entity.fields) {
    const target = f.target;
    if (!target || !f.columns[0] || f.cardinality === 'manyToMany' || !kinds.get(f.kind)?.reference) continue;
    if (out.has(target) || target === entity.name || !isVisible(f.name)) continue;
    out.set(target, f);
  }
  return out;
}
