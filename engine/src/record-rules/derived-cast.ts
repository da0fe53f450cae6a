// A derived value as its column stores it: rounded to the column's scale, and refused when it does not fit
// (a computed total beyond numeric(12,2), a joined text beyond varchar(n)) instead of failing with a bare
// database error. The refusal names the field, so the write's answer can say which value broke.
import type { SqlType } from '../metadata/model.js';
import { requireSql } from '../db/sql-assertions.js';
import { sqlLiteral } from '../sql/sql-literal.js';

/** The assertion code a write translates into a 422 naming `entity.field`. */
export const DERIVED_OUT_OF_RANGE = 'derived_out_of_range';

const INT4 = { min: '-2147483648', max: '2147483647' };

function typeName(type: SqlType): string {
  if (type.base === 'numeric') return `numeric(${type.precision ?? 18},${type.scale ?? 0})`;
  if (type.base === 'varchar' || type.base === 'char') return `${type.base}(${type.length ?? 1})`;
  return type.base;
}

/** SQL storing `raw` (an expression read once per use, so pass a column of a lateral) in a column of `type`. */
export function derivedCast(raw: string, type: SqlType, qualifiedName: string, allowed?: readonly string[]): string {
  const refuse = `WHEN ${requireSql('false', DERIVED_OUT_OF_RANGE, sqlLiteral(qualifiedName))} THEN NULL`;
  switch (type.base) {
    case 'numeric': {
      const scale = type.scale ?? 0;
      const whole = (type.precision ?? 18) - scale;
      const rounded = `round((${raw})::numeric, ${scale})`;
      return `(CASE WHEN ${raw} IS NULL THEN NULL WHEN abs(${rounded}) < 1e${whole} THEN ${rounded} ${refuse} END)::${typeName(type)}`;
    }
    case 'integer': {
      // Through numeric: round() of an integer would otherwise pick the double precision overload.
      const rounded = `round((${raw})::numeric)`;
      return `(CASE WHEN ${raw} IS NULL THEN NULL WHEN ${rounded} BETWEEN ${INT4.min} AND ${INT4.max} THEN ${rounded} ${refuse} END)::integer`;
    }
    case 'varchar':
    case 'char': {
      // An explicit cast to varchar(n) or char(n) would cut the text short without a word; a value list (currency
      // codes) must hold too.
      const fits = type.base === 'char' ? `char_length(${raw}) = ${type.length ?? 1}` : `char_length(${raw}) <= ${type.length ?? 1}`;
      const listed = allowed && allowed.length > 0 ? ` AND ${raw} = ANY(${sqlLiteral([...allowed])}::text[])` : '';
      return `(CASE WHEN ${raw} IS NULL OR (${fits}${listed}) THEN ${raw} ${refuse} END)::${typeName(type)}`;
    }
    default:
      return `(${raw})::${typeName(type)}`;
  }
}
