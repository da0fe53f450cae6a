// Versions as the contracts plugin makes them: version 1 of every approved contract, then, for the changed ones, an
// approved change request (a longer term, one line's quantity up, one line added) applied set-based and version 2.
// Each version's content and SHA-256 come from the plugin's own code (readContents, contentHash), so the demo
// versions verify exactly like approved ones; a few more change requests are left in draft, approval or rejected.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { contentHash } from '../contracts/contract-content.js';
import { readContents } from '../contracts/contract-snapshot.js';
import { APPROVED } from './contracts.js';
import { below, cid, numberSql, Params, pick } from './sql-ids.js';

const BATCH = 5000;

type Versioned = {
  readonly n: number;
  readonly id: string;
  readonly approver: string | null;
  readonly at: string;
};

/** Records version `no` of the listed contracts from their content now, in batches. */
async function recordVersions(ctx: SeedContext, no: 1 | 2, rows: readonly Versioned[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const contents = await readContents(
      ctx.db,
      batch.map((r) => r.id),
    );
    const content = batch.map((r) => {
      const c = contents.get(r.id);
      if (!c) throw new Error(`contracts-demo: contract ${r.id} vanished`);
      return c;
    });
    written += await ctx.db.execute(
      `INSERT INTO contract_version (id, contract_id, version_no, label, change_request_id, content, sha256, approved_by_id, approved_at, created_at, updated_at)
       SELECT ${cid('version', `s.n * 2 + ${no - 2}`)}, s.contract, ${no}, 'v${no}', ${no === 2 ? cid('change_request', 's.n') : 'NULL'},
         s.content, s.sha256, s.approver, s.at, s.at, s.at
       FROM unnest($1::bigint[], $2::uuid[], $3::jsonb[], $4::text[], $5::uuid[], $6::timestamptz[]) AS s(n, contract, content, sha256, approver, at)`,
      [
        batch.map((r) => r.n),
        batch.map((r) => r.id),
        content.map((c) => JSON.stringify(c)),
        content.map((c) => contentHash(c)),
        batch.map((r) => r.approver),
        batch.map((r) => r.at),
      ],
    );
  }
  return written;
}

/** Who approved: the owner's manager (the sales manager), else the owner. */
const approver = `coalesce((SELECT u.manager_id FROM app_user u WHERE u.id = k.owner), k.owner)::text`;

export async function seedFirstVersions(ctx: SeedContext): Promise<number> {
  const rows = await ctx.db.query<Versioned>(
    `SELECT k.n::int AS n, ${cid('contract', 'k.n')}::text AS id, ${approver} AS approver,
       to_char(coalesce(k.signed_on, least(k.start_date, current_date) - 7) - 3 + time '10:00', 'YYYY-MM-DD"T"HH24:MI:SS') || '+08:00' AS at
     FROM demo_k k WHERE k.status IN ${APPROVED} ORDER BY k.n`,
  );
  return recordVersions(ctx, 1, rows);
}

/** The change requests: approved ones applied (and their version 2 recorded), and a few still open or rejected. */
export async function seedChanges(ctx: SeedContext): Promise<{ changes: number; versions: number }> {
  const open = `k.status = 'active' AND NOT k.changed AND k.type <> 'nda' AND ${below('k.n', 530, 6)} = 0`;
  const count = (await ctx.db.query<{ c: number }>(`SELECT count(*)::int AS c FROM demo_k k WHERE k.changed OR (${open})`))[0]?.c ?? 0;
  const p = new Params();
  const drawn = await ctx.drawNumbers('change_request', 'change_no', count);
  const newLine = cid('contract_line', 'k.n * 8 + 7');
  // The full line list after the change, as a change request carries it: every line, the first with 2 more, one new.
  const lines = `(SELECT jsonb_agg(jsonb_build_object('id', l.id, 'quantity', (l.quantity + CASE WHEN l.id = ${cid('contract_line', 'k.n * 8 + 1')} THEN 2 ELSE 0 END)::text) ORDER BY l.id)
                    || jsonb_build_array(jsonb_build_object('product', ${cid('product', '5')}, 'description', '追加实施顾问服务', 'quantity', '80.000'))
                  FROM contract_line l WHERE l.contract_id = ${cid('contract', 'k.n')})`;
  const written = await ctx.db.execute(
    `INSERT INTO change_request (id, change_no, contract_id, reason, base_version, changes, lines, owner_id, status, created_at, updated_at)
     SELECT ${cid('change_request', 'k.n')}, ${numberSql(p, drawn, 'row_number() OVER (ORDER BY k.n)')}, ${cid('contract', 'k.n')},
       CASE WHEN k.changed THEN '客户追加实施范围，合同期延长六个月' ELSE ${pick(p.add(['调整付款条款', '增加培训课时', '变更交付地点'], 'text[]'), 'k.n', 531)} END,
       1, jsonb_build_object('end_date', CASE WHEN k.changed THEN k.end_date ELSE (k.end_date + interval '3 months')::date END::text), CASE WHEN k.changed THEN ${lines} END, k.owner,
       CASE WHEN k.changed THEN 'approved' ELSE ${pick(p.add(['draft', 'in_approval', 'rejected'], 'text[]'), 'k.n', 532)} END,
       least(coalesce(k.signed_on, k.start_date) + 30, current_date - 2), least(coalesce(k.signed_on, k.start_date) + 40, current_date - 1)
     FROM demo_k k WHERE k.changed OR (${open}) ORDER BY k.n`,
    p.values,
  );
  // Applying the approved ones, as apply_change would: the new end date, the first line's quantity, the new line.
  await ctx.db.execute(`UPDATE contract c SET end_date = k.end_date FROM demo_k k WHERE k.changed AND c.id = ${cid('contract', 'k.n')}`);
  await ctx.db.execute(
    `UPDATE contract_line l SET quantity = l.quantity + 2, line_total = round((l.quantity + 2) * l.unit_price * (1 - coalesce(l.discount_pct, 0) / 100), 2),
       estimated_cost = round((l.quantity + 2) * coalesce(l.unit_cost, 0), 2)
     FROM demo_k k WHERE k.changed AND l.id = ${cid('contract_line', 'k.n * 8 + 1')}`,
  );
  await ctx.db.execute(
    `INSERT INTO contract_line (id, contract_id, product_id, description, quantity, unit_price, discount_pct, unit_cost, line_total, estimated_cost, created_at, updated_at)
     SELECT ${newLine}, ${cid('contract', 'k.n')}, pr.id, '追加实施顾问服务', 80, pr.list_price, 0, pr.cost, round(80 * pr.list_price, 2), round(80 * pr.cost, 2),
       least(coalesce(k.signed_on, k.start_date) + 45, current_date - 1), least(coalesce(k.signed_on, k.start_date) + 45, current_date - 1)
     FROM demo_k k JOIN product pr ON pr.id = ${cid('product', '5')} WHERE k.changed ORDER BY k.n`,
  );
  const changed = await ctx.db.query<Versioned>(
    `SELECT k.n::int AS n, ${cid('contract', 'k.n')}::text AS id, ${approver} AS approver,
       to_char(least(coalesce(k.signed_on, k.start_date) + 45, current_date - 1) + time '16:00', 'YYYY-MM-DD"T"HH24:MI:SS') || '+08:00' AS at
     FROM demo_k k WHERE k.changed ORDER BY k.n`,
  );
  return { changes: written, versions: await recordVersions(ctx, 2, changed) };
}
