// An entity's reminder rules compiled once per Model to the SQL pieces a scan (workflow/scan-reminders.ts) puts
// together: the condition over the stored row `t` with the clock as the statement's $1 (so a scan runs as of the
// instant it is given), the date an offset counts from, the columns recipients come from and the message's values.
// What the pack alone can tell is checked in metadata/check-reminders.ts. Called by compileRecordRules, so
// `tessera validate` reports a bad condition with the other rule problems.
import { kindOf } from '../metadata/field-kinds.js';
import type { EntityDef } from '../metadata/model.js';
import type { ReminderDef } from '../metadata/reminder.js';
import { templateVariables } from '../metadata/reminder.js';
import { SYSTEM_FIELD_NAMES } from '../metadata/system-columns.js';
import { clockedOperators } from '../rules/clocked-operators.js';
import { compileConditionSql } from '../rules/compile-condition-sql.js';
import { q } from '../sql/q.js';
import { catching, type FieldProblem, type RuleEnv } from './derived-fields.js';
import { ruleScope } from './rule-scope.js';

/** The scan's clock: the first parameter of every reminder statement. */
export const REMINDER_NOW = '$1::timestamptz';

export interface CompiledReminder {
  readonly def: ReminderDef;
  /** `<entity id>/<reminder id>`: stable across renames, unique over the Model; keys what was sent and dismissed. */
  readonly key: string;
  readonly entity: string;
  readonly table: string;
  /** TRUE when the record should be reminded of, as of $1; absent: every record. */
  readonly condition?: string;
  /** Date-offset rules: the record's date (SQL date over `t`). */
  readonly dateSql?: string;
  /** The owner's column, when the entity has one. */
  readonly ownerColumn?: string;
  /** Recipient fields' columns by field name. */
  readonly userColumns: ReadonlyMap<string, string>;
  /** The message's values as text over `t`, by variable name. */
  readonly variables: ReadonlyMap<string, string>;
}

type Report = (problem: FieldProblem) => void;

function columnOf(entity: EntityDef, name: string): string | undefined {
  if (SYSTEM_FIELD_NAMES.has(name)) return name;
  return entity.fields.find((f) => f.name === name)?.columns[0]?.name;
}

/** A value as text: a field of several columns (money) reads as its parts joined by a space. */
function textSql(entity: EntityDef, name: string): string | undefined {
  if (SYSTEM_FIELD_NAMES.has(name)) return `t.${q(name)}::text`;
  const columns = entity.fields.find((f) => f.name === name)?.columns ?? [];
  if (columns.length === 0) return undefined;
  return columns.length === 1
    ? `t.${q(columns[0]?.name ?? '')}::text`
    : `concat_ws(' ', ${columns.map((c) => `t.${q(c.name)}`).join(', ')})`;
}

function dateSql(env: RuleEnv, entity: EntityDef, name: string): string | undefined {
  const column = columnOf(entity, name);
  if (column === undefined) return undefined;
  const field = entity.fields.find((f) => f.name === name);
  const isDate = field !== undefined && kindOf(env.kinds, field).operand === 'date';
  // Date-times count in UTC calendar days, as daysBetween does.
  return isDate ? `t.${q(column)}` : `((t.${q(column)} AT TIME ZONE 'UTC')::date)`;
}

export function compileReminders(env: RuleEnv, entity: EntityDef, report: Report): CompiledReminder[] {
  const operators = clockedOperators(env.operators, REMINDER_NOW);
  const out: CompiledReminder[] = [];
  (entity.reminders ?? []).forEach((def, i) => {
    let condition: string | undefined;
    if (def.condition !== undefined) {
      const scope = ruleScope({ ...env, entity, allowCollections: true });
      condition = catching(`/reminders/${i}/condition`, report, () =>
        compileConditionSql(def.condition, scope.context, operators, { allowVolatile: true }),
      );
      if (condition === undefined) return;
    }
    const owner = entity.ownership?.ownerField;
    const ownerColumn = owner === undefined ? undefined : columnOf(entity, owner);
    const userColumns = new Map<string, string>();
    for (const r of def.recipients) {
      if (!('field' in r)) continue;
      const column = columnOf(entity, r.field);
      if (column !== undefined) userColumns.set(r.field, column);
    }
    const variables = new Map<string, string>();
    for (const template of Object.values(def.message)) {
      for (const name of templateVariables(template)) {
        const sql = textSql(entity, name);
        if (sql !== undefined) variables.set(name, sql);
      }
    }
    const date = def.schedule.kind === 'dateOffset' ? dateSql(env, entity, def.schedule.dateField) : undefined;
    out.push({
      def,
      key: `${entity.id}/${def.id}`,
      entity: entity.name,
      table: entity.table,
      ...(condition !== undefined ? { condition } : {}),
      ...(date !== undefined ? { dateSql: date } : {}),
      ...(ownerColumn !== undefined ? { ownerColumn } : {}),
      userColumns,
      variables,
    });
  });
  return out;
}
