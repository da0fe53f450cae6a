// The fields of an entity a caller may see, or undefined when nothing is hidden (the common, fast case).
import type { Access } from '../security/access.js';
import type { EntityRuntime } from './entity-runtime.js';

export function visibleFields(rt: EntityRuntime, access: Access, requested?: ReadonlySet<string>): ReadonlySet<string> | undefined {
  const name = rt.entity.name;
  const hidden = rt.entity.fields.filter((f) => access.field(name, f.name) === 'hidden');
  if (hidden.length === 0) return requested;
  const base = requested ?? rt.codec.readableFields;
  const out = new Set(base);
  for (const f of hidden) out.delete(f.name);
  return out;
}

/** The record without the fields the caller may not see (writes answer with what the caller may read). */
export function stripHidden(record: Record<string, unknown>, rt: EntityRuntime, access: Access): Record<string, unknown> {
  const name = rt.entity.name;
  const hidden = rt.entity.fields.filter((f) => access.field(name, f.name) === 'hidden');
  if (hidden.length === 0) return record;
  const out = { ...record };
  for (const f of hidden) delete out[f.name];
  return out;
}
