// The entity's validation rules judged as the user types, so a broken rule's message stands next to its fields
// before the record is sent. The server still judges every rule on save (its problem+json errors are shown as they
// come); here only rules the browser can judge (form-conditions.ts) and only once the user has changed a field a
// rule reads or names, so a new form does not open covered in messages. Pure and DOM-free.
import type { FieldMeta, ValidationRuleMeta } from '../api/meta-types.js';
import type { ErrorTree } from './field-errors.js';
import { compileFormCondition, formOperands, type FormCondition } from './form-conditions.js';

export interface LiveRule {
  readonly rule: ValidationRuleMeta;
  readonly condition: FormCondition;
}

/** The rules the browser can judge, each with its condition compiled once. */
export function liveRules(rules: readonly ValidationRuleMeta[], fields: readonly FieldMeta[]): LiveRule[] {
  const operands = formOperands(fields);
  return rules.flatMap((rule) => {
    const condition = compileFormCondition(rule.condition, operands);
    return condition ? [{ rule, condition }] : [];
  });
}

/** The fields whose value in `next` differs from `base`. */
export function touchedFields(base: Record<string, unknown>, next: Record<string, unknown>): Set<string> {
  const empty = (v: unknown) => (v === '' || v === undefined ? null : v);
  const names = new Set([...Object.keys(base), ...Object.keys(next)]);
  return new Set([...names].filter((n) => JSON.stringify(empty(base[n])) !== JSON.stringify(empty(next[n]))));
}

export interface BrokenRules {
  /** Messages under the fields the rules name. */
  readonly tree: ErrorTree;
  /** Messages of broken rules that name no field on the form: the record's. */
  readonly record: string[];
}

/** The rules `record` breaks among those whose fields the user has touched; messages go where `onForm` allows. */
export function brokenRules(
  rules: readonly LiveRule[],
  record: Record<string, unknown>,
  touched: ReadonlySet<string>,
  onForm: readonly string[],
): BrokenRules {
  const tree: ErrorTree = {};
  const loose: string[] = [];
  for (const { rule, condition } of rules) {
    if (![...condition.reads, ...rule.fields].some((f) => touched.has(f))) continue;
    if (condition.test(record)) continue;
    const targets = rule.fields.filter((f) => onForm.includes(f));
    if (targets.length === 0) loose.push(rule.message);
    for (const f of targets) {
      const node = (tree[f] as ErrorTree | undefined) ?? {};
      node.__errors = [...(node.__errors ?? []), rule.message];
      tree[f] = node;
    }
  }
  return { tree, record: loose };
}

/** Two error trees as one, each message once (the server's word for a rule is the same as the form's). */
export function mergeErrors(a: ErrorTree, b: ErrorTree): ErrorTree {
  const out: ErrorTree = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (value === undefined) continue;
    const mine = out[key];
    if (key === '__errors') out.__errors = [...new Set([...((mine as string[] | undefined) ?? []), ...(value as string[])])];
    else out[key] = mine ? mergeErrors(mine as ErrorTree, value as ErrorTree) : value;
  }
  return out;
}
