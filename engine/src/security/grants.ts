// What a role grants, stored as JSON on each role record and checked whenever a role is written.
import { createAjv } from '../shared/create-ajv.js';
import type { FieldError } from '../shared/engine-error.js';
import type { Model } from '../metadata/model.js';

export const SCOPES = ['own', 'subordinates', 'orgUnit', 'orgUnitAndBelow', 'all'] as const;
export type ScopeKind = (typeof SCOPES)[number];
export const STANDARD_ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'approve'] as const;

export interface EntityGrant {
  /** Standard actions plus plugin action names. */
  readonly actions: readonly string[];
  readonly scope: ScopeKind;
  /** Fields the role may not see (hidden) or change (readOnly). */
  readonly fields?: Readonly<Record<string, 'hidden' | 'readOnly'>>;
  /** Extra rows this role reaches: JSON Logic over the record; `{"var": "$user.id"}` and `$user.org_unit` name the caller. */
  readonly sharing?: readonly unknown[];
}

export interface Grants {
  /** Everything, including users, roles and metadata. */
  readonly admin?: boolean;
  /** Per entity name; "*" applies to every entity. */
  readonly entities?: Readonly<Record<string, EntityGrant>>;
}

const GRANTS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    admin: { type: 'boolean' },
    entities: {
      type: 'object',
      propertyNames: { pattern: '^(\\*|[a-z][a-z0-9_]*)$' },
      additionalProperties: {
        type: 'object',
        required: ['actions', 'scope'],
        additionalProperties: false,
        properties: {
          actions: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_]*$' } },
          scope: { enum: [...SCOPES] },
          fields: { type: 'object', additionalProperties: { enum: ['hidden', 'readOnly'] } },
          sharing: { type: 'array', maxItems: 20, items: { type: 'object' } },
        },
      },
    },
  },
};

const validateShape = createAjv().compile(GRANTS_SCHEMA);

/** Problems with a grants document, as field errors under `pointerPrefix` (e.g. '/grants'). */
export function checkGrants(value: unknown, model: Model, pointerPrefix: string): FieldError[] {
  if (!validateShape(value)) {
    return (validateShape.errors ?? []).map((e) => ({
      pointer: pointerPrefix + e.instancePath,
      code: `validation.${e.keyword}`,
      message: e.message ?? 'is invalid',
    }));
  }
  const errors: FieldError[] = [];
  const grants = value as Grants;
  for (const [name, grant] of Object.entries(grants.entities ?? {})) {
    const at = `${pointerPrefix}/entities/${name}`;
    const entity = Object.hasOwn(model.entitiesByName, name) ? model.entitiesByName[name] : undefined;
    if (name !== '*' && !entity) {
      errors.push({ pointer: at, code: 'validation.unknown_entity', message: `there is no entity '${name}'` });
      continue;
    }
    for (const field of Object.keys(grant.fields ?? {})) {
      if (entity && !entity.fields.some((f) => f.name === field)) {
        errors.push({
          pointer: `${at}/fields/${field}`,
          code: 'validation.unknown_field',
          message: `'${field}' is not a field of ${name}`,
        });
      }
    }
  }
  return errors;
}

export function parseGrants(value: unknown): Grants {
  return validateShape(value) ? (value as Grants) : {};
}
