// Sort specs -> ORDER BY keys over resolved paths, always ending in the unique id so the order is total.
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import type { OperandType } from '../metadata/field-kinds.js';
import type { SortKeySql } from './keyset-cursor.js';
import type { SortSpec } from './list-options.js';
import type { PathResolver } from '../query/path-resolver.js';

const CAST: Partial<Record<OperandType, string>> = {
  text: 'text', enum: 'text', integer: 'bigint', decimal: 'numeric', boolean: 'boolean', date: 'date', datetime: 'timestamptz', id: 'uuid',
};

export function buildSortKeys(sort: readonly SortSpec[], resolver: PathResolver, rootAlias: string): SortKeySql[] {
  const keys: SortKeySql[] = sort.map((s, i) => {
    const r = resolver.resolve(s.path, `/sort/${i}`);
    const cast = CAST[r.operand];
    if (!cast) {
      throw new EngineError('query.unsortable', 400, `cannot sort by '${s.path}' (a ${r.operand} value)`, { fieldErrors: [{ pointer: `/sort/${i}`, code: 'query.unsortable', message: `'${s.path}' cannot be sorted` }] });
    }
    return { sql: r.sql, descending: s.descending, cast, operand: r.operand };
  });
  // Written as the path resolver writes columns, so `sort=id` is recognised as this key.
  const idSql = `${rootAlias}.${q('id')}`;
  if (!keys.some((k) => k.sql === idSql)) keys.push({ sql: idSql, descending: false, cast: 'uuid', operand: 'id' });
  // Keys after the id can never break a tie; dropping them keeps the cursor short.
  const idAt = keys.findIndex((k) => k.sql === idSql);
  return keys.slice(0, idAt + 1);
}

export function orderBySql(keys: readonly SortKeySql[]): string {
  return keys.map((k) => `${k.sql} ${k.descending ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`).join(', ');
}

export function sortSignature(sort: readonly SortSpec[]): string {
  return sort.map((s) => (s.descending ? '-' : '') + s.path).join(',');
}
