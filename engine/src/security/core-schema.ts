// The core pack's entities as the security module relies on them: users with an org unit and a manager,
// an org-unit tree, and roles with members and grants. Resolved from the Model so names live in one place.
import { EngineError } from '../shared/engine-error.js';
import { USER_ENTITY } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, Model } from '../metadata/model.js';

export const ORG_UNIT_ENTITY = 'org_unit';
export const ROLE_ENTITY = 'role';

export interface CoreSchema {
  readonly user: EntityDef;
  readonly orgUnit: EntityDef;
  readonly role: EntityDef;
  /** app_user.org_unit_id, app_user.manager_id, org_unit.parent_id */
  readonly userOrgUnitColumn: string;
  readonly userManagerColumn: string;
  readonly orgUnitParentColumn: string;
  readonly membersTable: string;
  readonly membersRoleColumn: string;
  readonly membersUserColumn: string;
}

function column(entity: EntityDef, field: string): string {
  const col = entity.fields.find((f: FieldDef) => f.name === field)?.columns[0]?.name;
  if (!col) throw new EngineError('security.core_pack', 500, `the core pack's ${entity.name} entity needs a '${field}' relation`);
  return col;
}

export function resolveCoreSchema(model: Model): CoreSchema {
  const get = (name: string) => {
    const e = model.entitiesByName[name];
    if (!e) throw new EngineError('security.core_pack', 500, `install the core pack: entity '${name}' is missing`);
    return e;
  };
  const user = get(USER_ENTITY);
  const orgUnit = get(ORG_UNIT_ENTITY);
  const role = get(ROLE_ENTITY);
  const members = role.fields.find((f) => f.name === 'members')?.junction;
  if (!members)
    throw new EngineError('security.core_pack', 500, "the core pack's role entity needs a manyToMany 'members' relation to users");
  if (!role.fields.some((f) => f.name === 'grants' && f.kind === 'json')) {
    throw new EngineError('security.core_pack', 500, "the core pack's role entity needs a json 'grants' field");
  }
  return {
    user,
    orgUnit,
    role,
    userOrgUnitColumn: column(user, 'org_unit'),
    userManagerColumn: column(user, 'manager'),
    orgUnitParentColumn: column(orgUnit, 'parent'),
    membersTable: members.table,
    membersRoleColumn: members.sourceColumn,
    membersUserColumn: members.targetColumn,
  };
}
