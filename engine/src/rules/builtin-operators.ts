// The built-in operators, each with its memory half next to its SQL half so the two are read and changed
// together. Semantics are SQL's where SQL would give NULL: the memory half answers false exactly when SQL
// gives FALSE or NULL, and `!` is IS NOT TRUE so negation keeps that correspondence.
import type { OperandType } from '../metadata/field-kinds.js';
import { operandValues, type LiteralValue } from './operand-values.js';
import type { CompareLiteral, CompareOperatorDef, LogicalOperatorDef, OperatorDef, QuantifierOperatorDef } from './operator-defs.js';

const SCALARS: readonly OperandType[] = ['text', 'enum', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'id'];
const ORDERED: readonly OperandType[] = ['text', 'enum', 'integer', 'decimal', 'date', 'datetime'];
const ALL: readonly OperandType[] = [...SCALARS, 'multienum', 'json'];

function scalar(literal: CompareLiteral | undefined): LiteralValue | null {
  return typeof literal === 'string' || typeof literal === 'number' || typeof literal === 'boolean' ? literal : null;
}

function isList(literal: CompareLiteral | undefined): literal is readonly LiteralValue[] {
  return Array.isArray(literal);
}

function list(literal: CompareLiteral | undefined): readonly LiteralValue[] {
  return isList(literal) ? literal : [];
}

/** Placeholders are never null where the slot does not allow null; this keeps the halves total anyway. */
function sqlArg(literals: readonly (string | null)[], index: number): string {
  return literals[index] ?? 'NULL';
}

const compare = (operand: OperandType, value: unknown, literal: CompareLiteral | undefined): number | null => {
  const l = scalar(literal);
  return l === null ? null : operandValues[operand].compare(value, l);
};

function ordering(name: string, test: (order: number) => boolean): CompareOperatorDef {
  return {
    kind: 'compare',
    name,
    operands: ORDERED,
    literals: ['value'],
    memory(value, literals, operand) {
      const order = compare(operand, value, literals[0]);
      return order !== null && test(order);
    },
    sql: (operand, literals, type) => `${operandValues[type].orderSql(operand)} ${name} ${sqlArg(literals, 0)}`,
  };
}

// `contains` and `startsWith` on text ignore case alike, and only ASCII case: lower() follows the database's
// locale (full Unicode on a C.UTF-8 server, ASCII only in a C locale) and JavaScript has a third mapping, while
// translate() with a fixed alphabet gives the same answer everywhere.
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const foldAsciiSql = (sql: string): string => `translate(${sql}, '${UPPER}', '${LOWER}')`;

/** Lower-cases A-Z only, as `contains` and `startsWith` do in SQL. */
export function foldAscii(value: string): string {
  return value.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

const equals: CompareOperatorDef = {
  kind: 'compare',
  name: '==',
  operands: SCALARS,
  literals: ['valueOrNull'],
  memory(value, literals, operand) {
    if (scalar(literals[0]) === null) return operandValues[operand].isNull(value);
    return compare(operand, value, literals[0]) === 0;
  },
  sql: (operand, literals, type) => {
    const literal = literals[0];
    return literal === null || literal === undefined ? operandValues[type].isNullSql(operand) : `${operand} = ${literal}`;
  },
};

const notEquals: CompareOperatorDef = {
  kind: 'compare',
  name: '!=',
  operands: SCALARS,
  literals: ['valueOrNull'],
  memory(value, literals, operand) {
    const values = operandValues[operand];
    if (scalar(literals[0]) === null) return !values.isNull(value);
    // IS DISTINCT FROM: a missing value differs from every literal.
    return values.isNull(value) || compare(operand, value, literals[0]) !== 0;
  },
  sql: (operand, literals) => {
    const literal = literals[0];
    return literal === null || literal === undefined ? `${operand} IS NOT NULL` : `${operand} IS DISTINCT FROM ${literal}`;
  },
};

const between: CompareOperatorDef = {
  kind: 'compare',
  name: 'between',
  operands: ORDERED,
  literals: ['value', 'value'],
  memory(value, literals, operand) {
    const low = compare(operand, value, literals[0]);
    const high = compare(operand, value, literals[1]);
    return low !== null && high !== null && low >= 0 && high <= 0;
  },
  sql: (operand, literals, type) => `${operandValues[type].orderSql(operand)} BETWEEN ${sqlArg(literals, 0)} AND ${sqlArg(literals, 1)}`,
};

const inList: CompareOperatorDef = {
  kind: 'compare',
  name: 'in',
  operands: SCALARS,
  literals: ['list'],
  memory: (value, literals, operand) => list(literals[0]).some((candidate) => operandValues[operand].compare(value, candidate) === 0),
  // One array parameter whatever the list's length, so the statement text stays the same.
  sql: (operand, literals) => `${operand} = ANY(${sqlArg(literals, 0)})`,
};

const contains: CompareOperatorDef = {
  kind: 'compare',
  name: 'contains',
  operands: ['text', 'multienum'],
  literals: ['value'],
  memory(value, literals, operand) {
    const needle = scalar(literals[0]);
    if (typeof needle !== 'string') return false;
    if (operand === 'multienum') return Array.isArray(value) && value.includes(needle);
    return typeof value === 'string' && foldAscii(value).includes(foldAscii(needle));
  },
  // strpos rather than LIKE: the needle is data, so there are no wildcards to escape.
  sql: (operand, literals, type) =>
    type === 'multienum'
      ? `${sqlArg(literals, 0)} = ANY(${operand})`
      : `strpos(${foldAsciiSql(operand)}, ${foldAsciiSql(sqlArg(literals, 0))}) > 0`,
};

const startsWith: CompareOperatorDef = {
  kind: 'compare',
  name: 'startsWith',
  operands: ['text'],
  literals: ['value'],
  memory(value, literals) {
    const prefix = scalar(literals[0]);
    return typeof value === 'string' && typeof prefix === 'string' && foldAscii(value).startsWith(foldAscii(prefix));
  },
  // starts_with() compares bytes and has no wildcards, unlike LIKE.
  sql: (operand, literals) => `starts_with(${foldAsciiSql(operand)}, ${foldAsciiSql(sqlArg(literals, 0))})`,
};

const isNull: CompareOperatorDef = {
  kind: 'compare',
  name: 'isNull',
  operands: ALL,
  literals: [],
  memory: (value, _literals, operand) => operandValues[operand].isNull(value),
  sql: (operand, _literals, type) => operandValues[type].isNullSql(operand),
};

const not: LogicalOperatorDef = {
  kind: 'logical',
  name: '!',
  minArgs: 1,
  maxArgs: 1,
  memory: (results) => results[0] !== true,
  // IS NOT TRUE, not NOT: NOT NULL is NULL, which would make `!` disagree with memory.
  sql: (parts) => `((${parts[0] ?? 'NULL'}) IS NOT TRUE)`,
};

function junction(name: 'and' | 'or'): LogicalOperatorDef {
  return {
    kind: 'logical',
    name,
    minArgs: 1,
    maxArgs: null,
    memory: (results) => (name === 'and' ? results.every((r) => r) : results.some((r) => r)),
    // NULL behaves as false under AND/OR as far as "is it TRUE" goes, so no IS TRUE is needed here.
    sql: (parts) => `(${parts.join(name === 'and' ? ' AND ' : ' OR ')})`,
  };
}

function quantifier(name: 'some' | 'none'): QuantifierOperatorDef {
  return {
    kind: 'quantifier',
    name,
    memory: (results) => (name === 'some' ? results.some((r) => r) : !results.some((r) => r)),
    sql: (open, inner, close) => (name === 'some' ? `${open}(${inner})${close}` : `NOT (${open}(${inner})${close})`),
  };
}

export const builtinOperators: readonly OperatorDef[] = [
  equals,
  notEquals,
  ordering('<', (o) => o < 0),
  ordering('<=', (o) => o <= 0),
  ordering('>', (o) => o > 0),
  ordering('>=', (o) => o >= 0),
  between,
  inList,
  contains,
  startsWith,
  isNull,
  not,
  junction('and'),
  junction('or'),
  quantifier('some'),
  quantifier('none'),
];
