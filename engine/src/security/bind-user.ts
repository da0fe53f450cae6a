// Sharing rules name the caller as {"var": "$user.id"} (also $user.org_unit, $user.username); the values
// are substituted before compiling, so both condition evaluators see plain literals. A rule naming a value
// the caller does not have (e.g. no org unit) would turn into "IS NULL" and share too much: it matches nothing.
import type { ActorInfo } from './actor-info.js';

const MISSING = Symbol('missing');

function userValue(key: string, actor: ActorInfo): string | typeof MISSING {
  const value = key === 'id' ? actor.id : key === 'org_unit' ? actor.orgUnitId : key === 'username' ? actor.username : null;
  return value ?? MISSING;
}

function substitute(logic: unknown, actor: ActorInfo): unknown {
  if (Array.isArray(logic)) return logic.map((l) => substitute(l, actor));
  if (!logic || typeof logic !== 'object') return logic;
  const entries = Object.entries(logic);
  const [op, arg] = entries[0] ?? [];
  if (entries.length === 1 && op === 'var' && typeof arg === 'string' && arg.startsWith('$user.')) {
    const value = userValue(arg.slice('$user.'.length), actor);
    if (value === MISSING) throw MISSING;
    return value;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, substitute(v, actor)]));
}

/** The rule with the caller's values in place, or false when it names a value the caller lacks. */
export function bindUser(logic: unknown, actor: ActorInfo): unknown {
  try {
    return substitute(logic, actor);
  } catch (err) {
    if (err === MISSING) return false;
    throw err;
  }
}
