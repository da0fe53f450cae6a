// A small SQL compile context for the rules unit tests: one entity `t` with a field of each kind, a
// belongsTo `customer`, a currency `price` and a hasMany `contacts`. Not a test file itself.
import { builtinFieldKinds } from '../../../../engine/src/metadata/builtin-field-kinds.js';
import type { OperandType } from '../../../../engine/src/metadata/field-kinds.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';
import type { SqlCollection, SqlCompileContext, SqlOperand } from '../../../../engine/src/rules/compile-condition-sql.js';
import type { CompareOperatorDef } from '../../../../engine/src/rules/operator-registry.js';

const kinds = builtinFieldKinds();

function operand(sql: string, operandType: OperandType, kind: string, path: string): SqlOperand {
  const found = kinds.get(kind);
  if (found === undefined) throw new Error(`unknown kind ${kind}`);
  return { sql, operand: operandType, operators: found.operators, path };
}

const ROOT: Record<string, [string, OperandType, string]> = {
  name: ['t."name"', 'text', 'text'],
  body: ['t."body"', 'text', 'longtext'],
  qty: ['t."qty"', 'integer', 'integer'],
  amount: ['t."amount"', 'decimal', 'decimal'],
  active: ['t."active"', 'boolean', 'boolean'],
  due: ['t."due"', 'date', 'date'],
  at: ['t."at"', 'datetime', 'datetime'],
  status: ['t."status"', 'enum', 'enum'],
  tags: ['t."tags"', 'multienum', 'multienum'],
  meta: ['t."meta"', 'json', 'json'],
  customer: ['t."customer_id"', 'id', 'relation'],
  'customer.name': ['c1."name"', 'text', 'text'],
  'price.amount': ['t."price"', 'decimal', 'currency'],
  'price.currency': ['t."price_currency"', 'text', 'text'],
};

const CONTACT: Record<string, [string, OperandType, string]> = {
  email: ['k1."email"', 'text', 'email'],
  primary: ['k1."primary"', 'boolean', 'boolean'],
};

function unknown(path: string, pointer: string): EngineError {
  const message = `Unknown field "${path}"`;
  return new EngineError('filter.unknown_field', 400, message, { fieldErrors: [{ pointer, code: 'filter.unknown_field', message }] });
}

function contextOf(
  fields: Record<string, [string, OperandType, string]>,
  param: (value: unknown) => string,
  nested: boolean,
): SqlCompileContext {
  return {
    resolveVar(path, pointer) {
      const field = fields[path];
      if (field === undefined) throw unknown(path, pointer);
      return operand(field[0], field[1], field[2], path);
    },
    resolveCollection(path, pointer): SqlCollection {
      if (!nested || path !== 'contacts') throw unknown(path, pointer);
      return {
        open: 'EXISTS (SELECT 1 FROM "contact" k1 WHERE k1."customer_id" = t."id" AND ',
        close: ')',
        context: contextOf(CONTACT, param, false),
        path,
      };
    },
    param,
  };
}

export function fakeContext(param: (value: unknown) => string = () => '$0'): SqlCompileContext {
  return contextOf(ROOT, param, true);
}

/** A plugin-style operator, both halves, for tests of registering operators beyond the built-in ones. */
export const endsWithOperator: CompareOperatorDef = {
  kind: 'compare',
  name: 'endsWith',
  operands: ['text'],
  literals: ['value'],
  memory: (value, literals) => typeof value === 'string' && typeof literals[0] === 'string' && value.endsWith(literals[0]),
  sql: (operand, literals) => `right(${operand}, char_length(${literals[0] ?? 'NULL'})) = ${literals[0] ?? 'NULL'}`,
};
