// The audit trail's view of a write: field -> { before, after } for the fields whose values differ.
import type { ApiRecord } from './record-codec.js';
import type { WriteOp } from './write-context.js';

export function changedFields(before: ApiRecord | undefined, after: ApiRecord | undefined, op: WriteOp): Record<string, { before?: unknown; after?: unknown }> {
  const out: Record<string, { before?: unknown; after?: unknown }> = {};
  const skip = new Set(['version', 'updated_at', 'created_at']);
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const name of names) {
    if (skip.has(name)) continue;
    const b = before?.[name] ?? null;
    const a = op === 'delete' ? null : after?.[name] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) out[name] = { before: b, after: a };
  }
  return out;
}
