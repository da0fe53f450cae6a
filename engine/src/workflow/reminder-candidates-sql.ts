// The set-based SQL of one reminder scan, from a compiled rule (record-rules/compile-reminders.ts): one statement
// that keeps a condition-only rule's matching episodes up to date, and one that lists every (record, recipient,
// occurrence) due and not yet sent or dismissed, with the message's values. $1 is the scan's clock, $2 the rule's
// key; role codes follow. Nothing user-supplied is in the text: identifiers come from the Model, values are bound.
import type { CompiledReminder } from '../record-rules/compile-reminders.js';
import type { CoreSchema } from '../security/core-schema.js';
import { q } from '../sql/q.js';
import { REMINDER_DISMISSAL_TABLE, REMINDER_MATCH_TABLE, REMINDER_SENT_TABLE } from './notification-tables.js';

export interface ScanSql {
  readonly text: string;
  readonly values: unknown[];
}

export interface CandidatesSql extends ScanSql {
  /** The message's values: variable name -> the result column holding it as text. */
  readonly variables: ReadonlyArray<{ readonly name: string; readonly column: string }>;
}

const TODAY = `(($1::timestamptz AT TIME ZONE 'UTC')::date)`;

/**
 * Condition-only rules: the records matching now, each with the time it started matching (its episode). Records
 * that stopped matching lose their row, so matching again starts a new episode, a new occurrence.
 */
export function episodesSql(r: CompiledReminder, now: Date): ScanSql {
  return {
    text: `WITH hit AS MATERIALIZED (
             SELECT t.id FROM ${q(r.table)} t WHERE t.deleted_at IS NULL${r.condition === undefined ? '' : ` AND (${r.condition})`}),
           gone AS (
             DELETE FROM ${REMINDER_MATCH_TABLE} m WHERE m.rule = $2 AND NOT EXISTS (SELECT 1 FROM hit WHERE hit.id = m.record_id))
           INSERT INTO ${REMINDER_MATCH_TABLE} (rule, record_id, since) SELECT $2::text, hit.id, $1::timestamptz FROM hit
           ON CONFLICT (rule, record_id) DO NOTHING`,
    values: [now.toISOString(), r.key],
  };
}

/** The occurrence as text, and the FROM items that produce it. */
function occurrence(r: CompiledReminder): { from: string; occurrence: string; where: string[] } {
  const s = r.def.schedule;
  if (s.kind === 'cron') {
    const since = `to_char(m.since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    // With repeatEveryDays, each whole period of the episode is an occurrence of its own.
    const period =
      r.def.repeatEveryDays === undefined
        ? `'0'`
        : `floor(extract(epoch FROM ($1::timestamptz - m.since)) / ${r.def.repeatEveryDays * 86400})::bigint::text`;
    return {
      from: `JOIN ${REMINDER_MATCH_TABLE} m ON m.rule = $2 AND m.record_id = t.id`,
      occurrence: `${since} || '#' || ${period}`,
      where: [],
    };
  }
  const base = r.dateSql ?? 'NULL::date';
  // Yearly: the date's anniversaries around today (an anniversary before the date itself is no occurrence).
  const dates = s.yearly
    ? `SELECT (${base} + make_interval(years => y - extract(year FROM ${base})::int))::date AS d
         FROM generate_series(extract(year FROM ${TODAY})::int - 1, extract(year FROM ${TODAY})::int + 1) AS y
        WHERE ${base} IS NOT NULL`
    : `SELECT ${base} AS d`;
  return {
    from: `CROSS JOIN LATERAL (${dates}) occ`,
    occurrence: `occ.d::text`,
    where: [
      `occ.d >= ${base}`,
      `occ.d + ${s.offsetDays} BETWEEN ${TODAY} - ${s.lateDays} AND ${TODAY}`,
      ...(r.condition === undefined ? [] : [`(${r.condition})`]),
    ],
  };
}

/** Each record's recipients (users, possibly NULL: filtered out by the join to active users). */
function recipients(r: CompiledReminder, core: CoreSchema, values: unknown[]): string {
  const parts: string[] = [];
  const owner = r.ownerColumn === undefined ? 'NULL::uuid' : `t.${q(r.ownerColumn)}`;
  for (const who of r.def.recipients) {
    if ('owner' in who) parts.push(`SELECT ${owner}`);
    else if ('ownerManager' in who) {
      parts.push(`SELECT o.${q(core.userManagerColumn)} FROM ${q(core.user.table)} o WHERE o.id = ${owner}`);
    } else if ('field' in who) {
      const column = r.userColumns.get(who.field);
      parts.push(column === undefined ? 'SELECT NULL::uuid' : `SELECT t.${q(column)}`);
    } else {
      values.push(who.role);
      parts.push(`SELECT user_id FROM role_users WHERE code = $${values.length}`);
    }
  }
  return parts.join(' UNION ');
}

export function candidatesSql(r: CompiledReminder, core: CoreSchema, now: Date): CandidatesSql {
  const values: unknown[] = [now.toISOString(), r.key];
  const o = occurrence(r);
  const who = recipients(r, core, values);
  const roles = r.def.recipients.flatMap((x) => ('role' in x ? [x.role] : []));
  // Role members are the same for every record: looked up once.
  const roleUsers =
    roles.length === 0
      ? ''
      : `WITH role_users AS MATERIALIZED (
           SELECT ro.code, mem.${q(core.membersUserColumn)} AS user_id
             FROM ${q(core.role.table)} ro JOIN ${q(core.membersTable)} mem ON mem.${q(core.membersRoleColumn)} = ro.id
            WHERE ro.deleted_at IS NULL AND ro.code = ANY($${values.push(roles)}::text[])) `;
  const vars = [...r.variables.entries()].map(([name, sql], i) => ({ name, column: `v${i}`, sql }));
  // as_of types $1 for the rules that do not read the clock.
  const text = `${roleUsers}SELECT c.*, $1::timestamptz AS as_of FROM (
      SELECT t.id AS record_id, ${o.occurrence} AS occurrence, rcp.user_id${vars.map((v) => `, ${v.sql} AS ${v.column}`).join('')}
        FROM ${q(r.table)} t ${o.from}
        CROSS JOIN LATERAL (${who}) AS rcp(user_id)
        JOIN ${q(core.user.table)} u ON u.id = rcp.user_id AND u.deleted_at IS NULL AND u.active
       WHERE t.deleted_at IS NULL${o.where.map((w) => ` AND ${w}`).join('')}) c
     WHERE NOT EXISTS (SELECT 1 FROM ${REMINDER_SENT_TABLE} s
                        WHERE s.rule = $2::text AND s.record_id = c.record_id AND s.user_id = c.user_id AND s.occurrence = c.occurrence)
       AND NOT EXISTS (SELECT 1 FROM ${REMINDER_DISMISSAL_TABLE} d WHERE d.rule = $2 AND d.record_id = c.record_id AND d.user_id = c.user_id)`;
  return { text, values, variables: vars.map(({ name, column }) => ({ name, column })) };
}
