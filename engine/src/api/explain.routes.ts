// POST /api/v1/<entity>/<id>/explain: every rule's outcome for one record, so an admin debugging a rule never
// needs SQL — computed, rollup and score values as stored and as computed now with the inputs they read, the
// criteria a score matched, which validation and field rules hold, how the number was made and which
// assignment rule chose the owner. Conditions are evaluated by the same SQL the writes use.
import Router from '@koa/router';
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { RecordReader } from '../data/record-reader.js';
import { readAssignmentHistory } from '../data/assignment-tables.js';
import type { EntityDef, FieldDef, Label } from '../metadata/model.js';
import { compileConditionSql, compileExpressionSql } from '../rules/compile-condition-sql.js';
import { ruleScope } from '../record-rules/rule-scope.js';
import type { Access } from '../security/access.js';
import { q } from '../sql/q.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';
import { pickLocale } from './pick-locale.js';

export interface ExplainDeps {
  readonly reader: RecordReader;
  readonly pool: pg.Pool;
}

const text = (label: Label | undefined, locale: string): string | undefined => (label ? (label[locale] ?? label.en) : undefined);

/** Whether the caller may see the value a path reads (each field along it must be visible to them). */
function visiblePath(runtime: ModelRuntime, entity: EntityDef, path: string, access: Access): boolean {
  let current: EntityDef | undefined = entity;
  for (const segment of path.split('.')) {
    const field: FieldDef | undefined = current?.fields.find((f) => f.name === segment);
    if (!current || !field) return true;
    if (access.field(current.name, field.name) === 'hidden') return false;
    current = field.target ? runtime.model.entitiesByName[field.target] : undefined;
  }
  return true;
}

function outcomesSql(runtime: ModelRuntime, entity: EntityDef, access: Access) {
  const env = { model: runtime.model, kinds: runtime.kinds, operators: runtime.operators, operatorsFor: runtime.operatorsFor };
  const rules = runtime.entity(entity.name).rules;
  const columns: string[] = [];
  const inputs: Array<{ field: string; path: string; alias: string }> = [];
  for (const derived of rules.explained) {
    for (const path of derived.inputs) {
      if (!visiblePath(runtime, entity, path, access)) continue;
      const scope = ruleScope({ ...env, entity, allowCollections: false });
      const alias = `i${inputs.length}`;
      columns.push(`(${compileExpressionSql({ var: path }, scope.context, runtime.operators).sql})::text AS ${alias}`);
      inputs.push({ field: derived.field, path, alias });
    }
  }
  rules.validations.forEach((v, i) => columns.push(`(${v.sql}) IS TRUE AS v${i}`));
  const fieldRules: Array<{ field: string; rule: 'visibleWhen' | 'requiredWhen' | 'readOnlyWhen'; alias: string }> = [];
  for (const field of entity.fields) {
    if (access.field(entity.name, field.name) === 'hidden') continue;
    for (const rule of ['visibleWhen', 'requiredWhen', 'readOnlyWhen'] as const) {
      const logic = field[rule];
      if (logic === undefined) continue;
      const alias = `f${fieldRules.length}`;
      const scope = ruleScope({ ...env, entity, allowCollections: true });
      columns.push(`(${compileConditionSql(logic, scope.context, runtime.operators)}) IS TRUE AS ${alias}`);
      fieldRules.push({ field: field.name, rule, alias });
    }
  }
  return { columns, inputs, fieldRules };
}

export function explainRoutes(runtime: ModelRuntime, deps: ExplainDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1' });
  for (const rt of runtime.entities.values()) {
    const entity = rt.entity;
    router.post(`/${entity.name}/:id/explain`, async (ctx) => {
      const id = parseRecordId(ctx.params.id, entity.name);
      const { access } = ctx.state;
      const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
      // The reader enforces the read permission and scope, and leaves out hidden fields.
      const record = await deps.reader.get(entity.name, id, access, { include: [] });
      const { columns, inputs, fieldRules } = outcomesSql(runtime, entity, access);
      const outcome =
        columns.length > 0
          ? ((await deps.pool.query(`SELECT ${columns.join(', ')} FROM ${q(entity.table)} t WHERE t.id = $1`, [id])).rows[0] as Record<
              string,
              unknown
            >)
          : {};
      const fresh = rt.rules.freshValues
        ? ((await deps.pool.query(rt.rules.freshValues, [id])).rows[0] as Record<string, unknown> | undefined)
        : undefined;
      const visible = (name: string) => access.field(entity.name, name) !== 'hidden';

      const derived = rt.rules.explained
        .filter((d) => visible(d.field))
        .map((d) => {
          const field = entity.fields.find((f) => f.name === d.field);
          // A score's first column is its points.
          const first = d.columns[0];
          const computedNow = first === undefined ? undefined : fresh?.[`c${first.index}`];
          return {
            field: d.field,
            label: text(field?.label, locale),
            ...(field?.computed !== undefined ? { formula: field.computed } : {}),
            ...(field?.rollup !== undefined ? { rollup: field.rollup } : {}),
            stored: record[d.field] ?? null,
            computedNow: computedNow ?? null,
            inputs: Object.fromEntries(inputs.filter((i) => i.field === d.field).map((i) => [i.path, outcome[i.alias] ?? null])),
          };
        });

      const scores = entity.fields
        .filter((f) => f.scoring !== undefined && visible(f.name))
        .map((f) => {
          const stored = record[f.name] as {
            points?: string;
            band?: string;
            explanation?: Array<{ criterion: string; points: number; value?: string }>;
          } | null;
          const earned = new Map((stored?.explanation ?? []).map((e) => [e.criterion, e]));
          return {
            field: f.name,
            points: stored?.points ?? null,
            band: stored?.band ?? null,
            criteria: (f.scoring?.criteria ?? []).map((c) => {
              const e = earned.get(c.id);
              return {
                id: c.id,
                label: text(c.label, locale),
                points: e?.points ?? 0,
                matched: (e?.points ?? 0) !== 0,
                ...(c.when !== undefined ? { when: c.when } : { expression: c.value, bands: c.bands }),
                ...(e?.value !== undefined ? { value: e.value } : {}),
              };
            }),
            bands: f.scoring?.bands ?? [],
          };
        });

      const validationRules = rt.rules.validations.map((v, i) => ({
        name: v.rule.name,
        holds: outcome[`v${i}`] === true,
        message: text(v.rule.message, locale),
        fields: v.rule.fields,
        condition: v.rule.condition,
      }));

      const fields = new Map<string, Record<string, boolean>>();
      for (const r of fieldRules) fields.set(r.field, { ...fields.get(r.field), [r.rule]: outcome[r.alias] === true });
      const numbering = entity.fields
        .filter((f) => f.numbering !== undefined && visible(f.name))
        .map((f) => ({
          field: f.name,
          pattern: f.numbering?.pattern,
          reserved: f.numbering?.reserved ?? [],
          value: record[f.name] ?? null,
        }));
      const owner = entity.assignment ? (await readAssignmentHistory(deps.pool, entity.name, id, 1))[0] : undefined;

      ctx.body = {
        data: {
          id,
          derived,
          scores,
          validationRules,
          fieldRules: [...fields.entries()].map(([field, holds]) => ({ field, ...holds })),
          numbering,
          ...(entity.assignment
            ? {
                assignment: owner
                  ? {
                      reason: owner.reason,
                      rule: owner.rule_id === null ? null : { id: owner.rule_id, name: owner.rule_name },
                      at: owner.at,
                      actor: owner.actor_name,
                    }
                  : null,
              }
            : {}),
        },
      };
    });
  }
  return router;
}
