// What the UIs need to know about one entity, in one locale, for one caller: fields, relations, schemas, default
// uiSchema. It combines the runtime with the caller's access, so it lives with the API that serves /api/meta.
import type { EntityRuntime, ModelRuntime } from '../data/entity-runtime.js';
import { ASSIGN_RESERVED_ACTION } from '../data/numbering-steps.js';
import type { FieldDef, Label } from '../metadata/model.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { hiddenFieldNames, type Access } from '../security/access.js';
import { withoutProperties } from '../forms/record-schemas.js';
import { STANDARD_ACTIONS } from '../security/grants.js';
import { buildDefaultUiSchema } from '../forms/ui-schema.js';
import { filterOperand, filterOperators } from './filter-operators.js';
import { mayTake } from '../data/transition-steps.js';
import { layoutMeta, listViewsMeta, overviewsMeta } from './ui-meta.js';

const text = (label: Label | undefined, locale: string) => (label ? (label[locale] ?? label.en) : undefined);

/** A field's rules for forms: how its value is derived, and when it is shown, required or read-only. */
function fieldRulesMeta(f: FieldDef, locale: string): Record<string, unknown> {
  return {
    ...(f.computed !== undefined ? { computed: f.computed } : {}),
    ...(f.rollup !== undefined ? { rollup: f.rollup } : {}),
    ...(f.scoring !== undefined
      ? {
          scoring: {
            criteria: f.scoring.criteria.map((c) => ({ ...c, label: text(c.label, locale) })),
            bands: (f.scoring.bands ?? []).map((b) => ({ ...b, label: text(b.label, locale) ?? b.band })),
          },
        }
      : {}),
    ...(f.visibleWhen !== undefined ? { visibleWhen: f.visibleWhen } : {}),
    ...(f.requiredWhen !== undefined ? { requiredWhen: f.requiredWhen } : {}),
    ...(f.readOnlyWhen !== undefined ? { readOnlyWhen: f.readOnlyWhen } : {}),
  };
}

/**
 * A state field's machine as metadata, and per state the transitions this caller's roles may take (none without
 * update): the UI shows those buttons, evaluating each one's `when` on the record it shows.
 */
function transitionsMeta(rt: EntityRuntime, f: FieldDef, locale: string, access: Access): Record<string, unknown> {
  const machine = rt.rules.stateMachines.find((m) => m.field === f.name);
  if (!f.transitions || !machine) return {};
  const canUpdate = access.can(rt.entity.name, 'update') && access.field(rt.entity.name, f.name) === 'write';
  // A transition an approval flow always guards is taken by approving the flow, never by a button; one guarded only
  // where a flow's entry criteria hold (see the entity's approvalFlows) names its flows, so the UI offers "submit" there.
  const mine = machine.transitions.filter((t) => canUpdate && mayTake(t, access) && t.flowGuard !== 'TRUE');
  const flows = rt.entity.approvalFlows ?? [];
  const approval = (name: string) => {
    const guarding = flows.filter((x) => x.transition === name).map((x) => x.name);
    return guarding.length ? { approvalFlows: guarding } : {};
  };
  return {
    transitions: {
      initial: machine.initial ?? (f.values ?? []).map((v) => v.value),
      allowed: f.transitions.allowed.map((t) => ({ ...t, label: text(t.label, locale) ?? t.name, ...approval(t.name) })),
      byState: Object.fromEntries(
        (f.values ?? []).map((v) => [v.value, mine.filter((t) => t.def.from.includes(v.value)).map((t) => t.def.name)]),
      ),
    },
  };
}

/** The entity as one caller may use it: hidden fields left out, read-only ones marked, only granted actions. */
export function buildEntityMeta(rt: EntityRuntime, runtime: ModelRuntime, locale: string, actions: readonly ActionDef[], access: Access) {
  const e = rt.entity;
  const hidden = hiddenFieldNames(e, access);
  const shown = e.fields.filter((f) => !hidden.has(f.name));
  const ui = buildDefaultUiSchema(e, runtime.kinds, locale);
  for (const name of hidden) delete ui[name];
  ui['ui:order'] = (ui['ui:order'] as string[]).filter((n) => !hidden.has(n));
  return {
    permissions: STANDARD_ACTIONS.filter((a) => access.can(e.name, a)),
    name: e.name,
    pack: e.pack,
    label: text(e.label, locale),
    pluralLabel: text(e.pluralLabel, locale),
    titleField: e.titleField ?? null,
    fields: shown.map((f) => ({
      name: f.name,
      readOnly: access.field(e.name, f.name) === 'readOnly' || rt.rules.derived.has(f.name) || f.numbering !== undefined,
      kind: f.kind,
      label: text(f.label, locale),
      description: text(f.description, locale) ?? null,
      required: f.required,
      unique: f.unique,
      operators: filterOperators(f, runtime),
      ...(filterOperand(f, runtime) !== undefined ? { operand: filterOperand(f, runtime) } : {}),
      ...(f.target ? { target: f.target, cardinality: f.cardinality ?? 'belongsTo' } : {}),
      ...(f.values
        ? { values: f.values.map((v) => ({ value: v.value, label: text(v.label, locale), ...(v.color ? { color: v.color } : {}) })) }
        : {}),
      ...(f.default !== undefined ? { default: f.default } : {}),
      // Numbered on create; a caller granted assignReserved may give one of the reserved numbers instead.
      ...(f.numbering
        ? {
            numbering: { ...f.numbering, reserved: f.numbering.reserved ?? [], assignReserved: access.can(e.name, ASSIGN_RESERVED_ACTION) },
          }
        : {}),
      ...fieldRulesMeta(f, locale),
      ...transitionsMeta(rt, f, locale, access),
    })),
    // The conditions as the packs wrote them: forms evaluate them live with the browser's evaluator.
    validationRules: e.validationRules.map((r) => ({
      name: r.name,
      condition: r.condition,
      message: text(r.message, locale),
      fields: r.fields,
    })),
    relations: e.inverses
      .filter((i) => access.can(i.sourceEntity, 'read') && access.field(i.sourceEntity, i.sourceField) !== 'hidden')
      .map((i) => ({ name: i.name, kind: i.kind, label: text(i.label, locale), entity: i.sourceEntity, field: i.sourceField })),
    // The UI offers a submit per flow (those who may update submit); entry criteria as written, to grey it out live.
    ...(e.approvalFlows?.length
      ? {
          approvalFlows: e.approvalFlows.map((f) => ({
            name: f.name,
            label: text(f.label, locale),
            ...(f.entry !== undefined ? { entry: f.entry } : {}),
            ...(f.transition !== undefined ? { transition: f.transition } : {}),
            steps: f.steps.map((st) => ({ name: st.name, label: text(st.label, locale) ?? st.name })),
          })),
        }
      : {}),
    actions: actions
      .filter((a) => access.can(e.name, a.name))
      .map((a) => ({ name: a.name, label: text(a.label as Label | undefined, locale) ?? a.name, input: a.input })),
    jsonSchema: {
      read: withoutProperties(rt.schemas.read, hidden),
      create: withoutProperties(rt.schemas.create, hidden),
      update: withoutProperties(rt.schemas.update, hidden),
    },
    uiSchema: ui,
    layout: layoutMeta(runtime.model, e, hidden, access, locale),
    listViews: listViewsMeta(runtime.model, e, hidden, locale),
    overviews: overviewsMeta(runtime.model, e, access, locale),
    // Rules, cap and pool as the pack declares them, so a UI can offer release and claim and explain assignments.
    ...(e.assignment ? { assignment: e.assignment } : {}),
  };
}
