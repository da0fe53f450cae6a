// The fields of an entity a caller may see, or undefined when nothing is hidden (the common, fast case).
import { hiddenFieldNames, type Access } from '../security/access.js';
import type { EntityRuntime } from './entity-runtime.js';

export function visibleFields(rt: EntityRuntime, access: Access, requested?: ReadonlySet<string>): ReadonlySet<string> | undefined {
  const hidden = hiddenFieldNames(rt.entity, access);
  if (hidden.size === 0) return requested;
  const out = new Set(requested ?? rt.codec.readableFields);
  for (const name of hidden) out.delete(name);
  return out;
}

/** The fields a read returns: `fields=` plus the included relations, which must be read even when left out. */
export function requestedFields(fields: ReadonlySet<string> | undefined, include: readonly string[]): ReadonlySet<string> | undefined {
  return fields && new Set([...fields, ...include]);
}

/** The record without the fields the caller may not see (writes answer with what the caller may read). */
export function stripHidden(record: Record<string, unknown>, rt: EntityRuntime, access: Access): Record<string, unknown> {
  const hidden = hiddenFieldNames(rt.entity, access);
  if (hidden.size === 0) return record;
  const out = { ...record };
  for (const name of hidden) delete out[name];
  return out;
}
