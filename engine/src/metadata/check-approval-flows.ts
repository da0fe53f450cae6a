// An entity's approval flows checked against the entity (the meta-schema checked their shape): unique names and
// ids, approver fields that exist and hold a user, a manager chain only where records have an owner, transitions
// that exist, effect fields that can be set, escalation given whole, and transitions' startFlow naming a flow.
// Conditions and effect values are checked as they compile (workflow/compile-approval-flows.ts). Called by
// check-entities for every entity.
import type { ApprovalEffects, ApproverSpec } from './approval-flow.js';
import type { Report } from './check-report.js';
import { USER_ENTITY, type FieldKindRegistry } from './field-kinds.js';
import type { EntityFileSpec } from './pack-spec.js';

function checkApprovers(spec: EntityFileSpec, kinds: FieldKindRegistry, list: readonly ApproverSpec[], at: string, report: Report): void {
  list.forEach((a, i) => {
    if ('field' in a) {
      const f = spec.fields.find((x) => x.name === a.field);
      if (!f) {
        report({ pointer: `${at}/${i}/field`, rule: 'approval.unknown_field', message: `'${a.field}' is not a field of ${spec.name}` });
        return;
      }
      const kind = kinds.get(f.kind);
      const target = kind?.implied?.({ ...f, required: false, unique: false }).target ?? f.target;
      if (!kind?.reference || target !== USER_ENTITY || f.cardinality === 'manyToMany') {
        report({
          pointer: `${at}/${i}/field`,
          rule: 'approval.field_kind',
          message: `'${a.field}' is a ${f.kind} field; an approver field must hold one user (a user field or a belongsTo relation to ${USER_ENTITY})`,
        });
      }
    } else if ('managers' in a && !spec.ownership?.ownerField) {
      report({
        pointer: `${at}/${i}/managers`,
        rule: 'approval.no_owner',
        message: `${spec.name} has no ownership.ownerField, so its records have no owner whose managers could approve`,
      });
    }
  });
}

function checkEffects(
  spec: EntityFileSpec,
  transitions: ReadonlySet<string>,
  effects: ApprovalEffects | undefined,
  at: string,
  report: Report,
): void {
  if (!effects) return;
  for (const name of Object.keys(effects.set ?? {})) {
    const f = spec.fields.find((x) => x.name === name);
    if (!f) report({ pointer: `${at}/set/${name}`, rule: 'approval.unknown_field', message: `'${name}' is not a field of ${spec.name}` });
    else if (f.transitions) {
      report({
        pointer: `${at}/set/${name}`,
        rule: 'approval.effect_not_allowed',
        message: `'${name}' is a state field: an effect changes it by a transition, not by setting it`,
      });
    }
  }
  if (effects.transition !== undefined && !transitions.has(effects.transition)) {
    report({
      pointer: `${at}/transition`,
      rule: 'approval.unknown_transition',
      message: `${spec.name} has no transition '${effects.transition}'`,
    });
  }
}

export function checkApprovalFlows(spec: EntityFileSpec, kinds: FieldKindRegistry, report: Report): void {
  const flows = spec.approvalFlows ?? [];
  const transitions = new Set(spec.fields.flatMap((f) => (f.transitions?.allowed ?? []).map((t) => t.name)));
  const flowNames = new Set<string>();
  const flowIds = new Set<string>();
  flows.forEach((flow, i) => {
    const at = `/approvalFlows/${i}`;
    if (flowNames.has(flow.name))
      report({ pointer: `${at}/name`, rule: 'approval.duplicate_name', message: `another flow is named '${flow.name}'` });
    if (flowIds.has(flow.id))
      report({ pointer: `${at}/id`, rule: 'approval.duplicate_id', message: `another flow has the id '${flow.id}'` });
    flowNames.add(flow.name);
    flowIds.add(flow.id);
    if (flow.transition !== undefined && !transitions.has(flow.transition)) {
      report({
        pointer: `${at}/transition`,
        rule: 'approval.unknown_transition',
        message: `${spec.name} has no transition '${flow.transition}'`,
      });
    }
    if (flow.transition !== undefined && flow.onApproved?.transition !== undefined) {
      report({
        pointer: `${at}/onApproved/transition`,
        rule: 'approval.two_transitions',
        message: `the flow already takes '${flow.transition}' on final approval`,
      });
    }
    const stepNames = new Set<string>();
    const stepIds = new Set<string>();
    flow.steps.forEach((step, j) => {
      const s = `${at}/steps/${j}`;
      if (stepNames.has(step.name))
        report({ pointer: `${s}/name`, rule: 'approval.duplicate_step', message: `another step is named '${step.name}'` });
      if (stepIds.has(step.id))
        report({ pointer: `${s}/id`, rule: 'approval.duplicate_step', message: `another step has the id '${step.id}'` });
      stepNames.add(step.name);
      stepIds.add(step.id);
      checkApprovers(spec, kinds, step.approvers, `${s}/approvers`, report);
      if (step.escalateTo) checkApprovers(spec, kinds, step.escalateTo, `${s}/escalateTo`, report);
      if ((step.escalateAfter === undefined) !== (step.escalateTo === undefined)) {
        const missing = step.escalateAfter === undefined ? 'escalateAfter' : 'escalateTo';
        report({
          pointer: `${s}/${missing}`,
          rule: 'approval.escalation_incomplete',
          message: `an escalation needs both escalateAfter and escalateTo`,
        });
      }
    });
    checkEffects(spec, transitions, flow.onApproved, `${at}/onApproved`, report);
    checkEffects(spec, transitions, flow.onRejected, `${at}/onRejected`, report);
  });
  spec.fields.forEach((f, i) => {
    (f.transitions?.allowed ?? []).forEach((t, j) => {
      if (t.startFlow !== undefined && !flowNames.has(t.startFlow)) {
        report({
          pointer: `/fields/${i}/transitions/allowed/${j}/startFlow`,
          rule: 'transition.unknown_flow',
          message: `${spec.name} has no approval flow '${t.startFlow}'`,
          field: f.name,
        });
      }
    });
  });
}
