// An enum field's state machine, as far as the field alone can tell: every state it names is one of the field's
// values, names and ids are unique, a transition changes the state, and the field's default may start a record.
// Called by check-field; what needs the entity (guards, effects) is checked by record-rules/compile-transitions.ts.
import type { FieldFileSpec } from './pack-spec.js';
import type { Report } from './check-report.js';

export function checkTransitions(field: FieldFileSpec, at: string, r: Report): void {
  const spec = field.transitions;
  if (spec === undefined) return;
  const base = `${at}/transitions`;
  const states = new Set((field.values ?? []).map((v) => v.value));
  const known = [...states].join(', ');
  const state = (value: string, pointer: string): void => {
    if (!states.has(value)) {
      r({ pointer, rule: 'transition.unknown_state', message: `'${value}' is not a value of ${field.name} (its values: ${known})` });
    }
  };
  (spec.initial ?? []).forEach((s, i) => state(s, `${base}/initial/${i}`));
  // The default is what a create without the field starts in: it must be a state a record may start in.
  if (typeof field.default === 'string' && spec.initial !== undefined && !spec.initial.includes(field.default)) {
    r({
      pointer: `${base}/initial`,
      rule: 'transition.default_not_initial',
      message: `the default '${field.default}' is not among the initial states, so a record created without ${field.name} would be refused`,
    });
  }
  const names = new Set<string>();
  const ids = new Set<string>();
  spec.allowed.forEach((t, i) => {
    const at = `${base}/allowed/${i}`;
    if (names.has(t.name))
      r({ pointer: `${at}/name`, rule: 'transition.duplicate_name', message: `another transition is named '${t.name}'` });
    if (ids.has(t.id)) r({ pointer: `${at}/id`, rule: 'transition.duplicate_id', message: `another transition has the id '${t.id}'` });
    names.add(t.name);
    ids.add(t.id);
    t.from.forEach((s, j) => state(s, `${at}/from/${j}`));
    state(t.to, `${at}/to`);
    // Writing the value a record already has is no change and needs no transition: listing it would mislead.
    const self = t.from.indexOf(t.to);
    if (self >= 0) {
      r({
        pointer: `${at}/from/${self}`,
        rule: 'transition.no_change',
        message: `'${t.to}' is both a source and the target of '${t.name}'`,
      });
    }
  });
}
