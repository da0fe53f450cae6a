// Brands, customers (some in a hierarchy, with sales teams), their contacts, addresses and related parties:
// one INSERT ... SELECT FROM generate_series per entity, every choice a hash of the row number.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import type { Physical } from './physical.js';
import { below, daysAgo, hash, numberSql, Params, pick, uid } from './sql-bits.js';
import type { Volumes } from './volumes.js';
import * as W from './words.js';

/** Region of customer `n`: addresses and contacts re-derive it from the customer's number. */
export const regionOf = (p: Params, n: string): string => pick(p.add(W.REGIONS, 'text[]'), n, 11);

export async function seedCities(ctx: SeedContext): Promise<void> {
  await ctx.db.execute(`CREATE TEMP TABLE demo_city (region text, branch text, k int, cnt int, province text, city text) ON COMMIT DROP`);
  const rows = W.CITIES.map(([region, province, city]) => {
    const same = W.CITIES.filter((c) => c[0] === region);
    return {
      region,
      branch: W.BRANCH_OF_REGION[region] ?? 'east',
      k: same.findIndex((c) => c[2] === city),
      cnt: same.length,
      province,
      city,
    };
  });
  await ctx.db.execute(`INSERT INTO demo_city SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[])`, [
    rows.map((r) => r.region),
    rows.map((r) => r.branch),
    rows.map((r) => r.k),
    rows.map((r) => r.cnt),
    rows.map((r) => r.province),
    rows.map((r) => r.city),
  ]);
}

export async function seedBrands(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const b = ph.entity('brand');
  const p = new Params();
  const words = p.add(W.BRANDS, 'text[]');
  return ctx.db.execute(
    `INSERT INTO ${b.table} (id, ${b.col('name')}, ${b.col('code')}, ${b.col('description')})
     SELECT ${uid('brand', 'n')}, ${words}[1 + (n - 1) % cardinality(${words})] || CASE WHEN n > cardinality(${words}) THEN ' ' || ((n - 1) / cardinality(${words}) + 1) ELSE '' END,
       'BR' || lpad(n::text, 4, '0'), '品牌分组 ' || n
     FROM generate_series(1::bigint, ${v.brands}) n`,
    p.values,
  );
}

export async function seedCustomers(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const c = ph.entity('customer');
  const p = new Params();
  const drawn = await ctx.drawNumbers('customer', 'customer_no', v.customers);
  const no = numberSql(p, drawn, 'x.n');
  const syl = p.add(W.TRADE_NAME_SYLLABLES, 'text[]');
  const tradeZh = `${p.add(W.TRADES_ZH, 'text[]')}[1 + x.ind * 4 + ${below('x.n', 23, 4)}]`;
  const tradeEn = `${p.add(W.TRADES_EN, 'text[]')}[1 + x.ind * 4 + ${below('x.n', 23, 4)}]`;
  const first = pick(p.add(W.EN_FIRST, 'text[]'), 'x.n', 24);
  const second = pick(p.add(W.EN_SECOND, 'text[]'), 'x.n', 25);
  const tradeName = `${pick(syl, 'x.n', 21)} || ${pick(syl, 'x.n', 22)}`;
  const zhName = `ct.city || ${tradeName} || ${tradeZh} || ${pick(p.add(W.SUFFIXES_ZH, 'text[]'), 'x.n', 26)}`;
  const enName = `${first} || ${second} || ' ' || ${tradeEn} || ' ' || ${pick(p.add(W.SUFFIXES_EN, 'text[]'), 'x.n', 27)}`;
  const slug = `lower(${first} || ${second}) || x.n`;
  const domain = `${slug} || CASE WHEN x.region = 'overseas' THEN '.example.com' ELSE '.example.cn' END`;
  const interests = p.add(
    ['erp', 'crm', 'cloud', 'hardware', 'consulting', 'training', 'maintenance', 'cost_reduction', 'expansion', 'compliance'],
    'text[]',
  );
  const i1 = pick(interests, 'x.n', 40);
  const i2 = pick(interests, 'x.n', 41);
  const cols = [
    'customer_no',
    'name',
    'short_name',
    'parent',
    'brand',
    'customer_type',
    'industry',
    'region',
    'size',
    'employees',
    'phone',
    'email',
    'website',
    'address',
    'source',
    'interests',
    'is_supplier',
    'is_partner',
    'stage',
    'activity_status',
    'qualification',
    'blacklisted',
    'abandoned',
    'status_reason',
    'owner',
    'relationship_manager',
    'account_manager',
    'delivery_manager',
    'service_rep',
    'org_unit',
    'first_contact_at',
    'last_contact_at',
  ].map((f) => c.col(f));
  return ctx.db.execute(
    `WITH x AS (
       SELECT n, ${regionOf(p, 'n')} AS region, ${below('n', 12, W.INDUSTRIES.length)} AS ind,
         ${pick(p.add(['micro', 'small', 'small', 'medium', 'medium', 'medium', 'large', 'large', 'enterprise'], 'text[]'), 'n', 30)} AS size,
         ${pick(p.add(['standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'key_account', 'key_account', 'distributor', 'vip'], 'text[]'), 'n', 31)} AS ctype,
         n % 97 = 13 AS blacklisted, n % 53 = 7 AS abandoned
       FROM generate_series(1::bigint, ${v.customers}) n),
     team AS (
       SELECT branch, max(id::text) FILTER (WHERE job = 'rm')::uuid AS rm, max(id::text) FILTER (WHERE job = 'am')::uuid AS am,
         max(id::text) FILTER (WHERE job = 'dm')::uuid AS dm, max(id::text) FILTER (WHERE job = 'sr')::uuid AS sr
       FROM demo_staff GROUP BY branch)
     INSERT INTO ${c.table} (id, ${cols.join(', ')}, ${c.col('annual_revenue')}, ${c.col('annual_revenue', 1)}, created_at, updated_at)
     SELECT ${uid('cu', 'x.n')}, ${no},
       CASE WHEN x.region = 'overseas' OR ${below('x.n', 14, 100)} < 15 THEN ${enName} ELSE ${zhName} END,
       CASE WHEN x.region = 'overseas' OR ${below('x.n', 14, 100)} < 15 THEN ${first} || ${second} ELSE ${tradeName} || ${tradeZh} END,
       CASE WHEN x.n % 25 = 0 THEN ${uid('cu', `(x.n - 1 - ${below('x.n', 50, 20)})`)} END,
       CASE WHEN ${below('x.n', 51, 10)} = 0 THEN ${uid('brand', `(1 + ${hash('x.n', 52)} % ${v.brands})`)} END,
       x.ctype, ${p.add(W.INDUSTRIES, 'text[]')}[1 + x.ind], x.region, x.size,
       CASE x.size WHEN 'micro' THEN 3 + ${below('x.n', 32, 7)} WHEN 'small' THEN 10 + ${below('x.n', 32, 90)} WHEN 'medium' THEN 100 + ${below('x.n', 32, 900)}
         WHEN 'large' THEN 1000 + ${below('x.n', 32, 9000)} ELSE 10000 + ${below('x.n', 32, 40000)} END,
       '0' || (20 + ${below('x.n', 33, 880)}) || '-' || (10000000 + ${below('x.n', 34, 90000000)}),
       'info@' || ${domain}, 'https://www.' || ${domain},
       CASE WHEN x.region = 'overseas' THEN (1 + ${below('x.n', 35, 200)}) || ' ' || ${pick(p.add(W.EN_STREETS, 'text[]'), 'x.n', 36)} || ', ' || ct.city
         ELSE ct.province || ct.city || ${pick(p.add(W.DISTRICTS, 'text[]'), 'x.n', 37)} || ${pick(p.add(W.STREETS, 'text[]'), 'x.n', 38)} || (1 + ${below('x.n', 35, 500)}) || '号' END,
       ${pick(p.add(['referral', 'referral', 'exhibition', 'website', 'website', 'partner', 'lead', 'other'], 'text[]'), 'x.n', 39)},
       CASE WHEN ${i1} = ${i2} THEN ARRAY[${i1}] ELSE ARRAY[${i1}, ${i2}] END,
       ${below('x.n', 42, 20)} = 0, ${below('x.n', 43, 20)} = 0,
       ${pick(p.add(['prospect', 'prospect', 'prospect', 'new', 'new', 'new', 'repeat', 'repeat', 'repeat', 'referrer'], 'text[]'), 'x.n', 44)},
       CASE WHEN ${below('x.n', 45, 10)} = 0 THEN 'inactive' ELSE 'active' END,
       ${pick(p.add(['pending', 'pending', 'pending', 'pending', 'qualified', 'qualified', 'qualified', 'qualified', 'qualified', 'qualified', 'qualified', 'qualified', 'qualified', 'qualified', 'qualified', 'rejected'], 'text[]'), 'x.n', 46)},
       x.blacklisted, x.abandoned,
       CASE WHEN x.blacklisted THEN '多次逾期付款' WHEN x.abandoned THEN '客户已停止合作' END,
       rep.id,
       CASE WHEN x.ctype IN ('key_account', 'vip') THEN t.rm END,
       CASE WHEN ${below('x.n', 47, 10)} < 6 THEN t.am END,
       CASE WHEN ${below('x.n', 48, 10)} < 3 THEN t.dm END,
       CASE WHEN ${below('x.n', 49, 10)} < 4 THEN t.sr END,
       rep.unit,
       ${daysAgo(`30 + ${below('x.n', 53, 1000)}`)}, ${daysAgo(below('x.n', 54, 120))},
       CASE x.size WHEN 'micro' THEN 500000 WHEN 'small' THEN 5000000 WHEN 'medium' THEN 50000000 WHEN 'large' THEN 500000000 ELSE 5000000000 END
         * (10 + ${below('x.n', 55, 90)}) / 10,
       CASE WHEN x.region = 'overseas' THEN 'USD' ELSE 'CNY' END,
       ${daysAgo(`30 + ${below('x.n', 53, 1000)}`)}, ${daysAgo(below('x.n', 54, 120))}
     FROM x
     JOIN demo_city ct ON ct.region = x.region AND ct.k = ${hash('x.n', 15)} % ct.cnt
     JOIN demo_staff rep ON rep.job = 'rep' AND rep.branch = ct.branch AND rep.k = ${hash('x.n', 16)} % rep.cnt
     JOIN team t ON t.branch = ct.branch`,
    p.values,
  );
}

/** A person's name: Chinese (surname + one or two characters) or, for English-named customers, English. */
function personName(p: Params, n: string, salt: number, english: string): string {
  const given = p.add(W.GIVEN, 'text[]');
  return `CASE WHEN ${english} THEN ${pick(p.add(W.EN_GIVEN, 'text[]'), n, salt)} || ' ' || ${pick(p.add(W.EN_FAMILY, 'text[]'), n, salt + 1)}
    ELSE ${pick(p.add(W.SURNAMES, 'text[]'), n, salt + 2)} || ${pick(given, n, salt + 3)} || CASE WHEN ${below(n, salt + 4, 3)} > 0 THEN ${pick(given, n, salt + 5)} ELSE '' END END`;
}

export { personName };

export async function seedContacts(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const ct = ph.entity('contact');
  const cu = ph.entity('customer');
  const p = new Params();
  const english = `c.${cu.col('name')} ~ '^[A-Za-z]'`;
  const t = below('i', 61, W.TITLES_ZH.length);
  const cols = [
    'customer',
    'name',
    'title',
    'department',
    'contact_types',
    'gender',
    'mobile',
    'phone',
    'email',
    'wechat',
    'birthday',
    'is_decision_maker',
    'owner',
  ];
  return ctx.db.execute(
    `INSERT INTO ${ct.table} (id, ${cols.map((f) => ct.col(f)).join(', ')}, created_at, updated_at)
     SELECT ${uid('ct', 'i')}, c.id, ${personName(p, 'i', 62, english)},
       CASE WHEN ${english} THEN ${p.add(W.TITLES_EN, 'text[]')}[1 + ${t}] ELSE ${p.add(W.TITLES_ZH, 'text[]')}[1 + ${t}] END,
       ${p.add(W.DEPARTMENTS_ZH, 'text[]')}[1 + ${t}],
       CASE WHEN i <= ${v.customers} THEN ARRAY['ordering', 'payment'] ELSE ARRAY[${pick(p.add(['ordering', 'delivery', 'service', 'payment'], 'text[]'), 'i', 68)}] END,
       CASE WHEN ${below('i', 69, 2)} = 0 THEN 'female' ELSE 'male' END,
       '1' || ${pick(p.add(['38', '39', '58', '59', '86', '87', '35', '36', '77', '88'], 'text[]'), 'i', 70)} || lpad(${below('i', 71, 100000000)}::text, 8, '0'),
       c.${cu.col('phone')}, 'contact' || i || '@' || split_part(c.${cu.col('email')}, '@', 2), 'wx_' || substr(md5('wx' || i), 1, 10),
       date '1965-01-01' + ${below('i', 72, 13000)}, ${t} IN (0, 2, 5, 9), c.${cu.col('owner')}, c.created_at, c.updated_at
     FROM generate_series(1::bigint, ${v.contacts}) i
     JOIN ${cu.table} c ON c.id = ${uid('cu', `(1 + (i - 1) % ${v.customers})`)}`,
    p.values,
  );
}

export async function seedAddresses(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const a = ph.entity('address');
  const p = new Params();
  const cn = `(1 + (i - 1) % ${v.customers})`;
  const cols = ['customer', 'contact', 'purpose', 'province', 'city', 'district', 'street', 'postcode', 'is_default'];
  return ctx.db.execute(
    `INSERT INTO ${a.table} (id, ${cols.map((f) => a.col(f)).join(', ')})
     SELECT ${uid('ad', 'i')}, ${uid('cu', cn)}, CASE WHEN i <= ${v.customers} THEN ${uid('ct', cn)} END,
       CASE WHEN i <= ${v.customers} THEN 'office' ELSE ${pick(p.add(['billing', 'shipping', 'service'], 'text[]'), 'i', 81)} END,
       ct.province, ct.city, CASE WHEN ct.region <> 'overseas' THEN ${pick(p.add(W.DISTRICTS, 'text[]'), 'i', 82)} END,
       CASE WHEN ct.region = 'overseas' THEN (1 + ${below('i', 83, 200)}) || ' ' || ${pick(p.add(W.EN_STREETS, 'text[]'), 'i', 84)}
         ELSE ${pick(p.add(W.STREETS, 'text[]'), 'i', 85)} || (1 + ${below('i', 83, 500)}) || '号' END,
       (100000 + ${below('i', 86, 800000)})::text, i <= ${2 * v.customers}
     FROM generate_series(1::bigint, ${v.addresses}) i
     JOIN demo_city ct ON ct.region = ${regionOf(p, cn)} AND ct.k = ${hash(cn, 15)} % ct.cnt`,
    p.values,
  );
}

export async function seedRelatedParties(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const r = ph.entity('related_party');
  const p = new Params();
  const a = `(1 + ${hash('n', 91)} % ${v.customers})`;
  const b = `(1 + (${a} + ${hash('n', 92)} % ${v.customers - 1}) % ${v.customers})`;
  return ctx.db.execute(
    `INSERT INTO ${r.table} (id, ${r.col('customer')}, ${r.col('related')}, ${r.col('relation')}, ${r.col('notes')})
     SELECT ${uid('rp', 'n')}, ${uid('cu', a)}, ${uid('cu', b)},
       ${pick(p.add(['customer_of', 'supplier_of', 'affiliate', 'partner', 'customer_of', 'partner'], 'text[]'), 'n', 93)}, '演示数据'
     FROM generate_series(1::bigint, ${v.relatedParties}) n`,
    p.values,
  );
}
