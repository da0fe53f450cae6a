// Two versions of a contract compared field by field and line by line (lines matched by id). Pure; the
// compare_versions action (versioning.ts) feeds it two stored contents.
import { canonicalJson, type ContentValue, type ContractContent } from './contract-content.js';

export interface FieldChange {
  readonly field: string;
  readonly from: ContentValue;
  readonly to: ContentValue;
}

export interface VersionDiff {
  readonly fields: readonly FieldChange[];
  readonly lines: {
    readonly added: ReadonlyArray<Readonly<Record<string, ContentValue>>>;
    readonly removed: ReadonlyArray<Readonly<Record<string, ContentValue>>>;
    readonly changed: ReadonlyArray<{ readonly id: string; readonly fields: readonly FieldChange[] }>;
  };
}

function fieldChanges(a: Readonly<Record<string, ContentValue>>, b: Readonly<Record<string, ContentValue>>): FieldChange[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names
    .filter((name) => canonicalJson(a[name] ?? null) !== canonicalJson(b[name] ?? null))
    .map((field) => ({ field, from: a[field] ?? null, to: b[field] ?? null }));
}

export function diffVersions(from: ContractContent, to: ContractContent): VersionDiff {
  const before = new Map(from.lines.map((l) => [l.id, l]));
  const after = new Map(to.lines.map((l) => [l.id, l]));
  const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const changed = [...after.values()]
    .filter((l) => before.has(l.id))
    .sort(byId)
    .map((l) => ({ id: l.id, fields: fieldChanges(before.get(l.id) ?? {}, l) }))
    .filter((c) => c.fields.length > 0);
  return {
    fields: fieldChanges(from.contract, to.contract),
    lines: {
      added: [...after.values()].filter((l) => !before.has(l.id)).sort(byId),
      removed: [...before.values()].filter((l) => !after.has(l.id)).sort(byId),
      changed,
    },
  };
}
