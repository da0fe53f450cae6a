// An entity's rules as metadata (computed, rollup and score fields, validation and field rules) compiled
// once per Model: the recompute statement, the checks, and the edges a write follows to the records whose
// derived values depend on it. Every problem is a metadata problem with file, pointer and rule, found before
// anything is published. Called by buildModelRuntime (data/) and `tessera validate`.
import { isDerivedField } from '../metadata/field-kinds.js';
import type { MetadataProblem } from '../metadata/metadata-problem.js';
import type { EntityDef, Model } from '../metadata/model.js';
import { q } from '../sql/q.js';
import { kindOperators } from '../rules/kind-operators.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import {
  compileDerivedField,
  ownDerivedReads,
  type CompiledDerived,
  type DerivedStep,
  type FieldProblem,
  type RuleEnv,
} from './derived-fields.js';
import { compileRecordChecks, type RecordChecks } from './record-checks.js';
import { compileTransitions, type StateMachine } from './compile-transitions.js';
import { compileScheduledActions, type CompiledScheduledAction } from './compile-scheduled-actions.js';
import { compileReminders, type CompiledReminder } from './compile-reminders.js';
import {
  freshValuesSql,
  insertWithDerivedSql,
  recomputeEverySql,
  recomputeSql,
  type InsertWithDerivedSql,
  type RecomputeSql,
} from './recompute-sql.js';
import type { Hop } from './rule-scope.js';

/** Records of `entity` whose derived values follow a change of `when` on the source entity's rows ($1). */
export interface DependentEdge {
  readonly kind: 'children' | 'parents';
  readonly entity: string;
  readonly when: ReadonlySet<string>;
  /** SQL selecting the ids to recompute, from the source rows' ids in $1::uuid[]. */
  readonly idsSql: string;
  /** Parents: the source's field linking to them (a moved row also changes its old parent). */
  readonly linkField?: string;
}

/** A belongsTo parent to lock before the row's derived values are computed from it. */
export interface ParentLock {
  readonly field: string;
  readonly table: string;
  /** NO KEY UPDATE when this write also recomputes the parent's rollups, so two children never deadlock. */
  readonly mode: 'SHARE' | 'NO KEY UPDATE';
}

/** What explain shows of a derived field: its stored columns (c<i> of the fresh-values statement) and its inputs. */
export interface DerivedExplain {
  readonly field: string;
  readonly columns: ReadonlyArray<{ readonly column: string; readonly index: number }>;
  /** The vars the field reads, as written. */
  readonly inputs: readonly string[];
}

export interface EntityRules extends RecordChecks {
  readonly derived: ReadonlySet<string>;
  readonly recompute?: RecomputeSql;
  /** Every live row recomputed in one statement (recompute-sql.ts recomputeEverySql), answering `changed`. */
  readonly recomputeEvery?: string;
  /**
   * By the entity a change comes from: the recompute of only the derived fields that read it (and those reading
   * them). An order with rollups over lines, payments and visits recomputes only the lines' ones after a line write.
   */
  readonly recomputeFrom: ReadonlyMap<string, RecomputeSql>;
  /** A create's INSERT with the derived values computed on the way in. */
  readonly insertWithDerived?: InsertWithDerivedSql;
  /** SELECT of the derived values computed now for the row $1 (explain). */
  readonly freshValues?: string;
  readonly explained: readonly DerivedExplain[];
  /** Own fields whose change requires the row's own recompute. */
  readonly selfInputs: ReadonlySet<string>;
  readonly parentLocks: readonly ParentLock[];
  readonly dependents: readonly DependentEdge[];
  /** The state machines of its enum fields (compile-transitions.ts). */
  readonly stateMachines: readonly StateMachine[];
  /** Its reminder rules (compile-reminders.ts). */
  readonly reminders: readonly CompiledReminder[];
  /** Its scheduled actions (compile-scheduled-actions.ts). */
  readonly scheduledActions: readonly CompiledScheduledAction[];
}

export interface CompiledRecordRules {
  readonly byEntity: ReadonlyMap<string, EntityRules>;
  readonly problems: readonly MetadataProblem[];
}

/** The ids of `from` rows reaching the $1 rows through `hops` (hops[0] is on `from`). */
function chainIdsSql(model: Model, hops: readonly Hop[]): string {
  let condition = '';
  for (let k = hops.length - 1; k >= 0; k--) {
    const hop = hops[k];
    const table = hop ? model.entitiesByName[hop.entity]?.table : undefined;
    if (!hop || !table) throw new Error('a rule path names an entity missing from the Model');
    const link = condition === '' ? `h${k}.${q(hop.column)} = ANY($1::uuid[])` : `h${k}.${q(hop.column)} IN (${condition})`;
    condition = `SELECT h${k}.id FROM ${q(table)} h${k} WHERE ${link} AND h${k}.deleted_at IS NULL`;
  }
  return condition;
}

/** Orders an entity's derived fields so each comes after the ones it reads; reports cycles. */
function order(compiled: readonly CompiledDerived[], report: (name: string, message: string) => void): CompiledDerived[] {
  const names = new Set(compiled.map((c) => c.field.name));
  const byName = new Map(compiled.map((c) => [c.field.name, c]));
  const out: CompiledDerived[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: CompiledDerived, trail: string[]): void => {
    const name = c.field.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      report(name, `derived fields read each other in a cycle: ${[...trail.slice(trail.indexOf(name)), name].join(' -> ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const dep of ownDerivedReads(c, names)) {
      const next = byName.get(dep);
      if (next) visit(next, [...trail, name]);
    }
    state.set(name, 'done');
    out.push(c);
  };
  for (const c of compiled) visit(c, []);
  return out;
}

function fieldProblem(entity: EntityDef, index: number, problem: FieldProblem): MetadataProblem {
  const field = entity.fields[index];
  return {
    file: entity.file,
    pack: entity.pack,
    entity: entity.name,
    ...(field ? { field: field.name } : {}),
    pointer: `/fields/${index}${problem.pointer}`,
    rule: problem.rule,
    message: problem.message,
  };
}

/** Cycles through other entities (a rollup of a computed value that reads the rollup) are metadata errors. */
function crossEntityCycles(model: Model, all: ReadonlyMap<string, readonly CompiledDerived[]>, problems: MetadataProblem[]): void {
  const edges = new Map<string, string[]>();
  const isDerived = (entity: string, field: string): boolean => (all.get(entity) ?? []).some((c) => c.field.name === field);
  for (const [entity, compiled] of all) {
    for (const c of compiled) {
      const from = `${entity}.${c.field.name}`;
      const to = [
        ...c.reads.filter((r) => r.hops.length > 0 && isDerived(r.entity, r.field)).map((r) => `${r.entity}.${r.field}`),
        ...(c.rollup
          ? c.rollup.childFields.filter((f) => isDerived(c.rollup?.child ?? '', f)).map((f) => `${c.rollup?.child ?? ''}.${f}`)
          : []),
      ];
      edges.set(from, to);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(node)), node];
      const key = [...new Set(cycle)].sort().join(',');
      if (reported.has(key)) return;
      reported.add(key);
      const [entityName = '', fieldName = ''] = node.split('.');
      const entity = model.entitiesByName[entityName];
      const index = entity?.fields.findIndex((f) => f.name === fieldName) ?? -1;
      if (entity) {
        problems.push(
          fieldProblem(entity, index, {
            pointer: '',
            rule: 'rules.cycle',
            message: `derived fields depend on each other in a cycle: ${cycle.join(' -> ')}`,
          }),
        );
      }
      return;
    }
    state.set(node, 'visiting');
    for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of edges.keys()) visit(node, []);
}

/** Compiles the chosen fields' steps in dependency order; a field left out is read as stored. */
function compileSteps(
  env: RuleEnv,
  entity: EntityDef,
  ordered: readonly CompiledDerived[],
  include: (name: string) => boolean,
): { compiled: CompiledDerived[]; steps: DerivedStep[] } {
  const refs = new Map<string, string>();
  const steps: DerivedStep[] = [];
  const compiled: CompiledDerived[] = [];
  ordered.forEach((c, n) => {
    if (!include(c.field.name)) return;
    const again = compileDerivedField(env, entity, c.field, refs, n + 1, () => undefined);
    if (!again) return;
    compiled.push(again);
    steps.push(again.step);
    for (const [name, sql] of again.step.refs) refs.set(name, sql);
  });
  return { compiled, steps };
}

/** Other entities a derived field reads: along its belongsTo paths, or its rollup's children. */
function readsFrom(c: CompiledDerived): Set<string> {
  const out = new Set<string>();
  for (const read of c.reads) for (const hop of read.hops) out.add(hop.target);
  if (c.rollup) out.add(c.rollup.child);
  return out;
}

function sourcesOf(ordered: readonly CompiledDerived[]): Set<string> {
  return new Set(ordered.flatMap((c) => [...readsFrom(c)]));
}

/** The fields reading `source`, then (in dependency order) every own field reading one of them. */
function affectedBy(ordered: readonly CompiledDerived[], source: string): Set<string> {
  const affected = new Set<string>();
  for (const c of ordered) {
    const readsAffected = c.reads.some((r) => r.hops.length === 0 && affected.has(r.field));
    if (readsFrom(c).has(source) || readsAffected) affected.add(c.field.name);
  }
  return affected;
}

/** The problems of a Model's rules, for `tessera validate` (the engine compiles them when it builds its runtime). */
export function recordRuleProblems(model: Model, rules: KindsAndOperators): readonly MetadataProblem[] {
  const allowed = kindOperators(rules);
  return compileRecordRules({ model, kinds: rules.kinds, operators: rules.operators, operatorsFor: (kind) => allowed.get(kind) ?? [] })
    .problems;
}

export function compileRecordRules(env: RuleEnv): CompiledRecordRules {
  const { model } = env;
  const problems: MetadataProblem[] = [];
  const compiledByEntity = new Map<string, CompiledDerived[]>();
  const stepsByEntity = new Map<string, DerivedStep[]>();
  const checksByEntity = new Map<string, RecordChecks>();
  const partialByEntity = new Map<string, Map<string, RecomputeSql>>();
  const machinesByEntity = new Map<string, StateMachine[]>();
  const remindersByEntity = new Map<string, CompiledReminder[]>();
  const scheduledByEntity = new Map<string, CompiledScheduledAction[]>();
  for (const entity of model.entities) {
    const derivedFields = entity.fields.filter((f) => isDerivedField(env.kinds, f));
    if (entity.recomputeSchedule && derivedFields.length === 0) {
      problems.push({
        file: entity.file,
        pack: entity.pack,
        entity: entity.name,
        pointer: '/recomputeSchedule',
        rule: 'rules.nothing_to_recompute',
        message: `${entity.name} has no computed, rollup or score fields for recomputeSchedule to recompute`,
      });
    }
    const indexOf = (name: string): number => entity.fields.findIndex((f) => f.name === name);
    // First pass: what each field reads (and every problem); second pass, in order: the SQL of each step.
    const first: CompiledDerived[] = [];
    for (const field of derivedFields) {
      const compiled = compileDerivedField(env, entity, field, new Map(), 0, (p) =>
        problems.push(fieldProblem(entity, indexOf(field.name), p)),
      );
      if (compiled) first.push(compiled);
    }
    const ordered = order(first, (name, message) =>
      problems.push(fieldProblem(entity, indexOf(name), { pointer: '', rule: 'rules.cycle', message })),
    );
    const { compiled, steps } = compileSteps(env, entity, ordered, () => true);
    compiledByEntity.set(entity.name, compiled);
    stepsByEntity.set(entity.name, steps);
    const partial = new Map<string, RecomputeSql>();
    for (const source of sourcesOf(ordered)) {
      const affected = affectedBy(ordered, source);
      if (affected.size === 0 || affected.size === ordered.length) continue;
      const subset = compileSteps(env, entity, ordered, (name) => affected.has(name));
      if (subset.steps.length > 0) partial.set(source, recomputeSql(entity, subset.steps));
    }
    partialByEntity.set(entity.name, partial);
    const derivedNames = new Set(derivedFields.map((f) => f.name));
    checksByEntity.set(
      entity.name,
      compileRecordChecks(env, entity, derivedNames, (p) =>
        problems.push({ file: entity.file, pack: entity.pack, entity: entity.name, ...p }),
      ),
    );
    machinesByEntity.set(
      entity.name,
      compileTransitions(env, entity, derivedNames, (p) =>
        problems.push({ file: entity.file, pack: entity.pack, entity: entity.name, ...p }),
      ),
    );
    remindersByEntity.set(
      entity.name,
      compileReminders(env, entity, (p) => problems.push({ file: entity.file, pack: entity.pack, entity: entity.name, ...p })),
    );
    scheduledByEntity.set(
      entity.name,
      compileScheduledActions(env, entity, (p) => problems.push({ file: entity.file, pack: entity.pack, entity: entity.name, ...p })),
    );
  }
  crossEntityCycles(model, compiledByEntity, problems);

  // Edges by source entity, merged by (target, path): a target read through one path is recomputed once.
  const dependents = new Map<string, Map<string, DependentEdge & { when: Set<string> }>>();
  const addEdge = (source: string, edge: DependentEdge): void => {
    const edges = dependents.get(source) ?? new Map<string, DependentEdge & { when: Set<string> }>();
    const key = `${edge.entity}\n${edge.idsSql}`;
    const same = edges.get(key);
    if (same) for (const f of edge.when) same.when.add(f);
    else edges.set(key, { ...edge, when: new Set(edge.when) });
    dependents.set(source, edges);
  };
  const parentLocks = new Map<string, Map<string, ParentLock>>();
  const lock = (entity: string, field: string, table: string, mode: ParentLock['mode']): void => {
    const locks = parentLocks.get(entity) ?? new Map<string, ParentLock>();
    if (locks.get(field)?.mode !== 'NO KEY UPDATE') locks.set(field, { field, table, mode });
    parentLocks.set(entity, locks);
  };
  for (const [entityName, compiled] of compiledByEntity) {
    for (const c of compiled) {
      for (const read of c.reads) {
        const first = read.hops[0];
        if (first === undefined) continue;
        const table = model.entitiesByName[first.target]?.table;
        if (table) lock(entityName, first.field, table, 'SHARE');
        addEdge(read.entity, { kind: 'children', entity: entityName, when: new Set([read.field]), idsSql: chainIdsSql(model, read.hops) });
        // A later hop's link changing also moves what the path reaches.
        for (let k = 1; k < read.hops.length; k++) {
          const hop = read.hops[k];
          if (hop)
            addEdge(hop.entity, {
              kind: 'children',
              entity: entityName,
              when: new Set([hop.field]),
              idsSql: chainIdsSql(model, read.hops.slice(0, k)),
            });
        }
      }
      const rollup = c.rollup;
      if (rollup) {
        const child = model.entitiesByName[rollup.child];
        const parent = model.entitiesByName[entityName];
        if (!child || !parent) continue;
        lock(rollup.child, rollup.fkField, parent.table, 'NO KEY UPDATE');
        addEdge(rollup.child, {
          kind: 'parents',
          entity: entityName,
          linkField: rollup.fkField,
          when: new Set(rollup.childFields),
          idsSql: `SELECT p.${q(rollup.fkColumn)} FROM ${q(child.table)} p WHERE p.id = ANY($1::uuid[]) AND p.${q(rollup.fkColumn)} IS NOT NULL`,
        });
      }
    }
  }

  const byEntity = new Map<string, EntityRules>();
  for (const entity of model.entities) {
    const compiled = compiledByEntity.get(entity.name) ?? [];
    const steps = stepsByEntity.get(entity.name) ?? [];
    const selfInputs = new Set<string>();
    for (const c of compiled) for (const read of c.reads) selfInputs.add(read.hops[0]?.field ?? read.field);
    const checks = checksByEntity.get(entity.name) ?? { validations: [], requiredWhen: [], readOnlyWhen: [] };
    let index = 0;
    const explained = compiled.map((c) => ({
      field: c.field.name,
      columns: c.step.columns.map((col) => ({ column: col.column, index: index++ })),
      inputs: [...new Set(c.reads.map((r) => r.path))],
    }));
    byEntity.set(entity.name, {
      ...checks,
      derived: new Set(entity.fields.filter((f) => isDerivedField(env.kinds, f)).map((f) => f.name)),
      ...(steps.length > 0
        ? {
            recompute: recomputeSql(entity, steps),
            recomputeEvery: recomputeEverySql(entity, steps),
            insertWithDerived: insertWithDerivedSql(entity, steps),
            freshValues: freshValuesSql(entity, steps),
          }
        : {}),
      explained,
      selfInputs,
      recomputeFrom: partialByEntity.get(entity.name) ?? new Map(),
      parentLocks: [...(parentLocks.get(entity.name)?.values() ?? [])],
      dependents: [...(dependents.get(entity.name)?.values() ?? [])],
      stateMachines: machinesByEntity.get(entity.name) ?? [],
      reminders: remindersByEntity.get(entity.name) ?? [],
      scheduledActions: scheduledByEntity.get(entity.name) ?? [],
    });
  }
  return { byEntity, problems };
}
