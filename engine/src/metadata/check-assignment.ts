// Cross-reference checks of an entity's assignment block that the meta-schema cannot express: an owner field
// that can hold a user and be empty (the pool), rule ids and names used once, one known target form per rule,
// and a datetime activity field. Conditions are checked against the fields by rules/check-assignment-conditions.ts,
// which needs the engine's operators. Called by check-entities.ts.
import { pointer } from '../shared/json-pointer.js';
import { parseTarget, TARGET_FORMS } from './assignment.js';
import type { Report } from './check-report.js';
import { USER_ENTITY, type FieldKindRegistry } from './field-kinds.js';
import type { EntityFileSpec } from './pack-spec.js';

/** System columns a pool may measure activity by. */
const SYSTEM_ACTIVITY_COLUMNS = new Set(['created_at', 'updated_at']);

export function checkAssignment(spec: EntityFileSpec, kinds: FieldKindRegistry, report: Report): void {
  const assignment = spec.assignment;
  if (!assignment) return;
  const fieldByName = new Map(spec.fields.map((f) => [f.name, f]));
  const ownerName = spec.ownership?.ownerField;
  const owner = ownerName ? fieldByName.get(ownerName) : undefined;
  if (!ownerName) {
    report({
      pointer: '/assignment',
      rule: 'assignment.no_owner_field',
      message: 'assignment needs ownership.ownerField: the field records are assigned through',
    });
  } else if (owner) {
    // An unknown owner field is reported once, by check-entities.ts.
    const kind = kinds.get(owner.kind);
    const target = kind?.reference?.target ?? owner.target;
    if (!kind?.reference || target !== USER_ENTITY || owner.cardinality === 'manyToMany') {
      report({
        pointer: '/ownership/ownerField',
        rule: 'assignment.owner_not_user',
        message: `records are assigned to users: ownerField '${ownerName}' must be a user field`,
      });
    }
    if (owner.required) {
      report({
        pointer: '/ownership/ownerField',
        rule: 'assignment.owner_required',
        message: `records in the pool have no owner: ownerField '${ownerName}' may not be required`,
      });
    }
  }
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  assignment.rules.forEach((rule, i) => {
    const at = pointer('assignment', 'rules', i);
    const sameId = ids.get(rule.id);
    if (sameId !== undefined)
      report({
        pointer: `${at}/id`,
        rule: 'assignment.duplicate_rule',
        message: `rule id '${rule.id}' is also used at /assignment/rules/${sameId}`,
      });
    const sameName = names.get(rule.name);
    if (sameName !== undefined)
      report({
        pointer: `${at}/name`,
        rule: 'assignment.duplicate_rule',
        message: `rule name '${rule.name}' is also used at /assignment/rules/${sameName}`,
      });
    ids.set(rule.id, i);
    names.set(rule.name, i);
    if (!parseTarget(rule.to)) {
      const forms = Object.entries(TARGET_FORMS)
        .map(([key, what]) => `{"${key}": ${what}}`)
        .join(', ');
      report({
        pointer: `${at}/to`,
        rule: 'assignment.unknown_target',
        message: `'to' must be exactly one of ${forms}; got ${JSON.stringify(rule.to)}`,
      });
    }
  });
  const activity = assignment.pool?.activityField;
  if (activity !== undefined && !SYSTEM_ACTIVITY_COLUMNS.has(activity)) {
    const f = fieldByName.get(activity);
    if (!f || kinds.get(f.kind)?.operand !== 'datetime' || kinds.get(f.kind)?.subPaths) {
      report({
        pointer: '/assignment/pool/activityField',
        rule: 'assignment.activity_field',
        message: `activityField '${activity}' must be a datetime field of this entity, created_at or updated_at`,
      });
    }
  }
}
