// What the data layer asks about the caller: which rows of an entity it may touch for an action,
// and which fields it may see or write. The security module builds one per actor; queries never skip it.
import type { EntityDef } from '../metadata/model.js';
import type { RecordScope } from '../query/record-scope.js';

export type RecordAction = 'read' | 'create' | 'update' | 'delete' | 'export' | 'approve' | (string & {});

export type FieldAccess = 'write' | 'readOnly' | 'hidden';

export interface Access {
  /** Rows the caller may read: applied to every alias of every statement (joins, includes, collections). */
  readonly readScope: RecordScope;
  /** Rows the caller may act on; for read this is readScope. */
  scopeFor(action: RecordAction): RecordScope;
  can(entity: string, action: RecordAction): boolean;
  field(entity: string, field: string): FieldAccess;
  /** True when the caller may administer users, roles and metadata. */
  readonly isAdmin: boolean;
  /** Codes of the caller's roles: metadata names roles by code (state machine transitions), roles are data. */
  readonly roleCodes: ReadonlySet<string>;
}

/** Names of the entity's fields that do not exist for the caller. */
export function hiddenFieldNames(entity: EntityDef, access: Pick<Access, 'field'>): Set<string> {
  return new Set(entity.fields.filter((f) => access.field(entity.name, f.name) === 'hidden').map((f) => f.name));
}
