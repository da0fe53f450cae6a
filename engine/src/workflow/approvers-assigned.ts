// The one place where "these users were just made approvers of a step" happens: entering a step, an escalation,
// an ad hoc delegation and an admin's reassignment all call it, inside the transaction that assigned them. Each new
// approver is notified (in-app, and through the plugin channels) in their own language, once per instance, step,
// user and reason.
import type { Transaction } from '../db/transaction.js';
import type { EntityDef, Label } from '../metadata/model.js';
import { q } from '../sql/q.js';
import { notifyUsers, type DeliveryPlan, type Notice } from './notify-users.js';
import { localized, userLocales } from './user-locales.js';

export type AssignmentReason = 'step' | 'escalation' | 'delegation' | 'reassignment';

export interface ApproversAssignment {
  readonly entity: EntityDef;
  readonly recordId: string;
  readonly instanceId: string;
  readonly flow: { readonly name: string; readonly label: Label };
  readonly step: { readonly name: string; readonly label?: Label };
  readonly userIds: readonly string[];
  readonly reason: AssignmentReason;
  readonly delivery: DeliveryPlan;
}

const TITLE: Label = { en: 'Waiting for your approval: {entity} {title}', 'zh-CN': '待您审批：{entity} {title}' };
const WHY: Record<AssignmentReason, Label> = {
  step: { en: '{flow}, step {step}', 'zh-CN': '{flow}，{step}环节' },
  escalation: { en: '{flow}, step {step}: escalated to you after its time ran out', 'zh-CN': '{flow}，{step}环节：超时升级给您' },
  delegation: { en: '{flow}, step {step}: delegated to you', 'zh-CN': '{flow}，{step}环节：已委托给您' },
  reassignment: { en: '{flow}, step {step}: reassigned to you by an administrator', 'zh-CN': '{flow}，{step}环节：管理员转交给您' },
};

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

export async function approversAssigned(tx: Transaction, a: ApproversAssignment): Promise<void> {
  if (a.userIds.length === 0) return;
  const titleField = a.entity.titleField;
  const title = titleField
    ? ((
        await tx.query<{ title: string | null }>(`SELECT ${q(titleField)}::text AS title FROM ${q(a.entity.table)} WHERE id = $1`, [
          a.recordId,
        ])
      ).rows[0]?.title ?? '')
    : '';
  const locales = await userLocales(tx, a.userIds);
  const notices: Notice[] = a.userIds.map((userId) => {
    const locale = locales.get(userId);
    const values = {
      entity: localized(a.entity.label, locale),
      title,
      flow: localized(a.flow.label, locale),
      step: a.step.label ? localized(a.step.label, locale) : a.step.name,
    };
    return {
      userId,
      kind: 'approval',
      title: fill(localized(TITLE, locale), values).trim(),
      body: fill(localized(WHY[a.reason], locale), values),
      entity: a.entity.name,
      recordId: a.recordId,
      key: `approval:${a.instanceId}:${a.step.name}:${userId}:${a.reason}`,
    };
  });
  await notifyUsers(tx, notices, a.delivery);
}
