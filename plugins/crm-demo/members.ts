// The loyalty programme's demo data: a few membership plans, members across the regions (individuals, companies that
// are customers, employees), their annual fees, POS purchases in the stores of their city, and the points ledger those
// purchases earn (some members have redeemed). Set-based like the rest; the members' rollups (points balance,
// lifetime points, spend, fees paid until) are left to the engine's recompute.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import type { Physical } from './physical.js';
import { personName } from './customers.js';
import { below, daysAgo, hash, numberSql, Params, pick, uid } from './sql-bits.js';
import type { Volumes } from './volumes.js';
import * as W from './words.js';

/** code, name, annual fee (CNY), points per yuan, yuan per point, least points per redemption. */
const PLANS: ReadonlyArray<readonly [string, string, string, string, string, number]> = [
  ['STANDARD', '标准会员', '0', '1', '0.01', 100],
  ['GOLD_PLUS', '金卡年费会员', '298', '1.5', '0.01', 100],
  ['CORPORATE', '企业会员', '1999', '1.2', '0.01', 500],
  ['EMPLOYEE', '员工会员', '0', '2', '0.02', 50],
];

const STORES = ['万达广场店', '万象城店', '来福士店', '大悦城店', '恒隆广场店', '旗舰店', '银泰店', '太古里店'];

export async function seedMemberPlans(ctx: SeedContext, ph: Physical): Promise<number> {
  const mp = ph.entity('member_plan');
  const cols = ['code', 'name', 'annual_fee', 'points_per_yuan', 'yuan_per_point', 'min_redeem_points'].map((f) => mp.col(f));
  return ctx.db.execute(
    `INSERT INTO ${mp.table} (id, ${cols.join(', ')})
     SELECT ${uid('mp', 's.n')}, s.code, s.name, s.fee, s.ppy, s.ypp, s.least
     FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::int[]) WITH ORDINALITY AS s(code, name, fee, ppy, ypp, least, n)`,
    [0, 1, 2, 3, 4, 5].map((i) => PLANS.map((plan) => plan[i])),
  );
}

export async function seedMembers(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const m = ph.entity('member');
  const p = new Params();
  const drawn = await ctx.drawNumbers('member', 'member_no', v.members);
  const no = numberSql(p, drawn, 'x.n');
  const cols = [
    'member_no',
    'name',
    'plan',
    'member_type',
    'tier',
    'status',
    'customer',
    'mobile',
    'email',
    'region',
    'birthday',
    'joined_on',
    'terminated_on',
    'card_no',
    'owner',
  ].map((f) => m.col(f));
  // Most members are on the free plan; a company's membership belongs to one of the CRM's customers. A mobile is
  // unique: its last eight digits are n times a number prime to 10^8, so no two of 100 million members share them.
  return ctx.db.execute(
    `WITH x AS (
       SELECT n, ${pick(p.add([1, 1, 1, 1, 1, 2, 2, 2, 3, 4], 'int[]'), 'n', 301)} AS plan,
         ${pick(p.add(W.REGIONS, 'text[]'), 'n', 302)} AS region,
         ${pick(p.add(['active', 'active', 'active', 'active', 'active', 'active', 'active', 'active', 'suspended', 'terminated'], 'text[]'), 'n', 303)} AS status,
         current_date - (30 + ${below('n', 304, 1000)}) AS joined
       FROM generate_series(1::bigint, ${v.members}) n)
     INSERT INTO ${m.table} (id, ${cols.join(', ')}, created_at, updated_at)
     SELECT ${uid('mb', 'x.n')}, ${no},
       CASE WHEN x.plan = 3 THEN ct.city || ${pick(p.add(W.TRADE_NAME_SYLLABLES, 'text[]'), 'x.n', 305)} || ${pick(p.add(W.TRADE_NAME_SYLLABLES, 'text[]'), 'x.n', 306)} || '科技有限公司'
         ELSE ${personName(p, 'x.n', 310, `x.region = 'overseas'`)} END,
       ${uid('mp', 'x.plan')},
       CASE x.plan WHEN 3 THEN 'corporate' WHEN 4 THEN 'employee' ELSE 'individual' END,
       CASE WHEN x.plan = 2 THEN ${pick(p.add(['gold', 'gold', 'platinum'], 'text[]'), 'x.n', 316)}
         ELSE ${pick(p.add(['silver', 'silver', 'silver', 'silver', 'gold', 'gold', 'platinum'], 'text[]'), 'x.n', 316)} END,
       x.status,
       CASE WHEN x.plan = 3 THEN ${uid('cu', `(1 + ${hash('x.n', 317)} % ${v.customers})`)} END,
       '1' || ${pick(p.add(['38', '39', '58', '59', '86', '87', '35', '36'], 'text[]'), 'x.n', 318)} || lpad(((x.n * 48271 + 7919) % 100000000)::text, 8, '0'),
       CASE WHEN ${below('x.n', 320, 3)} > 0 THEN 'member' || x.n || '@mail.example.cn' END,
       x.region,
       DATE '1965-01-01' + ${below('x.n', 321, 14000)},
       x.joined,
       CASE WHEN x.status = 'terminated' THEN x.joined + 1 + ${below('x.n', 322, 20)} END,
       '6228' || lpad(x.n::text, 12, '0'),
       sr.id,
       ${daysAgo('current_date - x.joined')}, ${daysAgo(below('x.n', 323, 20))}
     FROM x
     JOIN demo_city ct ON ct.region = x.region AND ct.k = ${hash('x.n', 324)} % ct.cnt
     JOIN demo_staff sr ON sr.job = 'sr' AND sr.branch = ct.branch`,
    p.values,
  );
}

/** A fee per year of membership (up to three) on the plans that charge one. */
export async function seedMemberFees(ctx: SeedContext, ph: Physical): Promise<number> {
  const f = ph.entity('member_fee');
  const m = ph.entity('member');
  const mp = ph.entity('member_plan');
  const cols = ['member', 'period_from', 'period_to', 'amount', 'paid_on', 'receipt_no'].map((c) => f.col(c));
  return ctx.db.execute(
    `INSERT INTO ${f.table} (id, ${cols.join(', ')})
     SELECT ${uid('mf', 'row_number() OVER (ORDER BY m.id, y)')}, m.id, (m.${m.col('joined_on')} + make_interval(years => y))::date,
       (m.${m.col('joined_on')} + make_interval(years => y + 1) - interval '1 day')::date, pl.${mp.col('annual_fee')},
       (m.${m.col('joined_on')} + make_interval(years => y))::date, 'RC' || to_char(m.${m.col('joined_on')} + make_interval(years => y), 'YYYYMMDD') || '-' || m.${m.col('member_no')}
     FROM ${m.table} m
     JOIN ${mp.table} pl ON pl.id = m.${m.col('plan')} AND pl.${mp.col('annual_fee')} > 0
     CROSS JOIN generate_series(0, 2) y
     WHERE m.${m.col('joined_on')} + make_interval(years => y) <= current_date
       AND (m.${m.col('terminated_on')} IS NULL OR m.${m.col('joined_on')} + make_interval(years => y) <= m.${m.col('terminated_on')})`,
  );
}

/** POS purchases over the last year, in a store of the member's city; the points each earns follow the plan. */
export async function seedMemberPurchases(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const pu = ph.entity('member_purchase');
  const m = ph.entity('member');
  const mp = ph.entity('member_plan');
  const p = new Params();
  const cols = [
    'member',
    'receipt_id',
    'store',
    'amount',
    'discount_amount',
    'coupon_amount',
    'paid_amount',
    'purchased_at',
    'points_awarded',
  ].map((c) => pu.col(c));
  const total = v.members * v.purchasesPerMember;
  return ctx.db.execute(
    `WITH x AS (
       SELECT i, 1 + ${hash('i', 331)} % ${v.members} AS mn,
         ((20 + ${below('i', 332, 1500)}) * (1 + ${below('i', 333, 3)}) + ${below('i', 334, 100)} / 100.0)::numeric(16, 2) AS amount,
         CASE WHEN ${below('i', 335, 5)} = 0 THEN 5 + ${below('i', 336, 6)} ELSE 0 END AS off,
         now() - (${below('i', 337, 365 * 24 * 60)} * interval '1 minute') AS at
       FROM generate_series(1::bigint, ${total}) i),
     y AS (
       SELECT x.*, round(x.amount * x.off / 100, 2) AS discount, m.id AS member, m.${m.col('region')} AS region,
         pl.${mp.col('points_per_yuan')} AS ppy
       FROM x
       JOIN ${m.table} m ON m.id = ${uid('mb', 'x.mn')}
       JOIN ${mp.table} pl ON pl.id = m.${m.col('plan')})
     INSERT INTO ${pu.table} (id, ${cols.join(', ')}, created_at, updated_at)
     SELECT ${uid('pu', 'y.i')}, y.member, 'POS' || to_char(y.at, 'YYYYMMDD') || lpad(y.i::text, 9, '0'),
       coalesce(ct.city, '上海') || ${pick(p.add(STORES, 'text[]'), 'y.i', 338)},
       y.amount, y.discount, 0, y.amount - y.discount, y.at, floor((y.amount - y.discount) * y.ppy)::int, y.at, y.at
     FROM y
     LEFT JOIN demo_city ct ON ct.region = y.region AND ct.k = ${hash('y.mn', 324)} % ct.cnt`,
    p.values,
  );
}

/** An earning per purchase, and for one member in four a redemption of half their points (in the plan's steps). */
export async function seedPointsEntries(ctx: SeedContext, ph: Physical): Promise<number> {
  const pe = ph.entity('points_entry');
  const pu = ph.entity('member_purchase');
  const m = ph.entity('member');
  const mp = ph.entity('member_plan');
  const cols = ['member', 'kind', 'points', 'purchase', 'reason'].map((c) => pe.col(c));
  const earned = await ctx.db.execute(
    `INSERT INTO ${pe.table} (id, ${cols.join(', ')}, created_at, updated_at)
     SELECT ${uid('pe', 'row_number() OVER (ORDER BY u.id)')}, u.${pu.col('member')}, 'earn', u.${pu.col('points_awarded')}, u.id, '消费积分',
       u.${pu.col('purchased_at')}, u.${pu.col('purchased_at')}
     FROM ${pu.table} u WHERE u.${pu.col('points_awarded')} > 0`,
  );
  const redeemed = await ctx.db.execute(
    `WITH e AS (
       SELECT e.${pe.col('member')} AS member, sum(e.${pe.col('points')}) AS pts FROM ${pe.table} e GROUP BY 1),
     r AS (
       SELECT e.member, (e.pts / 2 / pl.${mp.col('min_redeem_points')}) * pl.${mp.col('min_redeem_points')} AS pts
       FROM e JOIN ${m.table} m ON m.id = e.member JOIN ${mp.table} pl ON pl.id = m.${m.col('plan')}
       WHERE get_byte(uuid_send(e.member), 15) % 4 = 0)
     INSERT INTO ${pe.table} (id, ${cols.join(', ')})
     SELECT ${uid('pe', `(${earned} + row_number() OVER (ORDER BY r.member))`)}, r.member, 'redeem', -r.pts, NULL, '积分兑换礼品'
     FROM r WHERE r.pts > 0`,
  );
  return earned + redeemed;
}
