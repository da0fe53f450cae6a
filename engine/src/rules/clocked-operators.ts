// The operators with their clock read from a statement parameter instead of the database's now(): a reminder scan
// runs "as of" the instant it is given, so tests (and a scan that catches up) control what `today` is. Only the
// SQL half changes; json-logic-js keeps the memory half. Used by record-rules/compile-reminders.ts.
import type { FunctionOperatorDef, OperatorDef, OperatorRegistry } from './operator-registry.js';

/** `nowSql` is a timestamptz placeholder such as `$1::timestamptz`; `today` becomes its UTC date, as the builtin reads now(). */
export function clockedOperators(registry: OperatorRegistry, nowSql: string): OperatorRegistry {
  const override = (def: OperatorDef): OperatorDef => {
    if (def.kind !== 'function' || def.name !== 'today') return def;
    const clocked: FunctionOperatorDef = { ...def, sql: () => `((${nowSql} AT TIME ZONE 'UTC')::date)` };
    return clocked;
  };
  return {
    register: () => {
      throw new Error('a clocked registry is a read-only view');
    },
    freeze: () => undefined,
    get isFrozen() {
      return true;
    },
    has: (name) => registry.has(name),
    get: (name) => override(registry.get(name)),
    list: () => registry.list().map(override),
  };
}
