// An entity's numbered fields as the write pipeline uses them, built once per Model by entity-runtime.ts: the
// parsed pattern, the reserved set, and the two statements (draw the next number; read the scope) as fixed
// texts, so each connection prepares them once.
//
// The text around {seq} is the counter's key (the scope): it holds the period's date parts and the field
// values, so the sequence restarts per period and runs per distinct prefix, and two scopes never give the
// same number. It is built in SQL so a value from the parent record ({branch.code}) costs no extra round trip.
import { NEXT_NUMBER_FUNCTION, NUMBER_COUNTER_TABLE } from '../db/number-counters.js';
import type { EntityDef, FieldDef, Model } from '../metadata/model.js';
import { dateParts, parseNumberingPattern, type PatternToken } from '../metadata/numbering-pattern.js';
import { parseReserved, type ReservedSet } from '../metadata/numbering-reserved.js';
import { q } from '../sql/q.js';

/** Text rendered before the write (literals, date parts, the record's own values), or a parent record's value. */
export type ScopeSegment =
  | { readonly kind: 'text'; readonly tokens: readonly PatternToken[] }
  | { readonly kind: 'parent'; readonly relation: string; readonly table: string; readonly column: string };

export interface NumberedField {
  readonly field: FieldDef;
  readonly pattern: string;
  readonly width: number;
  readonly timeZone: string;
  readonly reserved: ReservedSet;
  readonly head: readonly ScopeSegment[];
  readonly tail: readonly ScopeSegment[];
  /** Fields of the record the number is made from (own values and relations), for 422s that name them. */
  readonly sources: readonly string[];
  /** $1 entity id, $2 field id, $3-$6 the reserved set, then one parameter per segment; returns head, tail, seq. */
  readonly drawSql: string;
  /** One parameter per segment; returns head, tail. */
  readonly scopeSql: string;
  /** $3-$6 of drawSql. */
  readonly reservedParams: readonly [string[], string[], string[], string[]];
}

function segments(tokens: readonly PatternToken[], entity: EntityDef, model: Model): ScopeSegment[] {
  const out: ScopeSegment[] = [];
  for (const token of tokens) {
    const [relation, leaf] = token.kind === 'field' ? token.path : [];
    const source = relation === undefined ? undefined : entity.fields.find((f) => f.name === relation);
    const target = source?.target === undefined ? undefined : model.entitiesByName[source.target];
    const column = target?.fields.find((f) => f.name === leaf)?.columns[0]?.name;
    if (leaf !== undefined && relation !== undefined && target && column) {
      out.push({ kind: 'parent', relation, table: target.table, column });
      continue;
    }
    const last = out[out.length - 1];
    if (last?.kind === 'text') out[out.length - 1] = { kind: 'text', tokens: [...last.tokens, token] };
    else out.push({ kind: 'text', tokens: [token] });
  }
  return out;
}

/** SQL text of the segments concatenated; NULL when a parent value is missing, so the caller can tell. */
function concatSql(list: readonly ScopeSegment[], next: () => string): string {
  if (list.length === 0) return `''::text`;
  return list
    .map((s) =>
      s.kind === 'text'
        ? `${next()}::text`
        : `(SELECT p.${q(s.column)}::text FROM ${q(s.table)} p WHERE p.id = ${next()}::uuid AND p.deleted_at IS NULL)`,
    )
    .join(' || ');
}

function scopeSelect(head: readonly ScopeSegment[], tail: readonly ScopeSegment[], first: number): string {
  let n = first - 1;
  const next = () => `$${(n += 1)}`;
  return `SELECT ${concatSql(head, next)} AS head, ${concatSql(tail, next)} AS tail`;
}

function numberedField(field: FieldDef, entity: EntityDef, model: Model): NumberedField | undefined {
  const rule = field.numbering;
  if (!rule) return undefined;
  const { tokens } = parseNumberingPattern(rule.pattern);
  const at = tokens.findIndex((t) => t.kind === 'seq');
  const seq = tokens[at];
  if (seq?.kind !== 'seq') throw new Error(`numbering pattern of ${entity.name}.${field.name} has no {seq}; metadata checks should have refused it`);
  const head = segments(tokens.slice(0, at), entity, model);
  const tail = segments(tokens.slice(at + 1), entity, model);
  const { set } = parseReserved(rule.reserved ?? []);
  const scope = scopeSelect(head, tail, 7);
  const drawSql = `INSERT INTO ${NUMBER_COUNTER_TABLE} AS c (entity_id, field_id, head, tail, last_value)
    SELECT $1, $2, s.head, s.tail, ${NEXT_NUMBER_FUNCTION}(0, $3, $4, $5, $6) FROM (${scope}) s WHERE s.head IS NOT NULL AND s.tail IS NOT NULL
    ON CONFLICT (entity_id, field_id, head, tail) DO UPDATE SET last_value = ${NEXT_NUMBER_FUNCTION}(c.last_value, $3, $4, $5, $6), updated_at = now()
    RETURNING c.head, c.tail, c.last_value::text AS seq`;
  const sources = tokens.flatMap((t) => (t.kind === 'field' && t.path[0] !== undefined ? [t.path[0]] : []));
  return {
    field,
    pattern: rule.pattern,
    width: seq.width,
    timeZone: rule.timeZone ?? 'UTC',
    reserved: set,
    head,
    tail,
    sources: [...new Set(sources)],
    drawSql,
    scopeSql: scopeSelect(head, tail, 1),
    reservedParams: [
      set.ranges.map((r) => String(r.lo)),
      set.ranges.map((r) => String(r.hi)),
      set.suffixes.map((s) => String(s.value)),
      set.suffixes.map((s) => String(s.modulus)),
    ],
  };
}

export function numberedFieldsOf(entity: EntityDef, model: Model): NumberedField[] {
  return entity.fields.flatMap((f) => numberedField(f, entity, model) ?? []);
}

/** A record value as text in a number; undefined when the record has none. */
function printable(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * The parameters of the scope's segments for one record at `now`, or the names of the sources it lacks.
 * Relations are sent as ids: the parent's value is read by the statement itself.
 */
export function scopeParams(nf: NumberedField, record: Readonly<Record<string, unknown>>, now: Date): { params: string[]; missing: string[] } {
  const dates = dateParts(now, nf.timeZone);
  const missing: string[] = [];
  const params = [...nf.head, ...nf.tail].map((s) => {
    const name = s.kind === 'parent' ? s.relation : undefined;
    if (name !== undefined) {
      const id = printable(record[name]);
      if (id === undefined) missing.push(name);
      return id ?? '';
    }
    return (s.kind === 'text' ? s.tokens : [])
      .map((t) => {
        if (t.kind === 'literal') return t.text;
        if (t.kind === 'date') return dates[t.part];
        if (t.kind === 'field') {
          const name = t.path[0] ?? '';
          const value = printable(record[name]);
          if (value === undefined) missing.push(name);
          return value ?? '';
        }
        return '';
      })
      .join('');
  });
  return { params, missing: [...new Set(missing)] };
}
