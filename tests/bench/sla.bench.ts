// npm run bench:contracts (SLA part): the monthly SLA settlement (#24 part 6) over 10,000 signed contracts
// (BENCH_SLA_CONTRACTS), each with a monthly delay metric (one measurement) and a quarterly defect-rate metric (three
// measurements, averaged): 20,000 periods settled through the scheduled action, 50 contracts per transaction (the
// action's batch: their periods read in two statements, their settlements written in one batched create through the
// write pipeline — audited, rollups kept), 8 transactions at once. The contracts are seeded set-based in SQL; the
// engine runs in this process so the occurrence can be queued with the bench's clock. Then the next month's
// occurrence with nothing new (reads, and each contract's action audit). Target: under 30 s. Prints figures; asserts
// nothing.
import { resolve } from 'node:path';
import type pg from 'pg';
import { loadConfig } from '../../engine/src/config/config.js';
import { createEngine, type Engine } from '../../engine/src/engine.js';
import { queueDueWork } from '../../engine/src/jobs/schedule-tick.js';
import { benchDbUrl, freshBenchDatabase } from './bench-engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CONTRACTS = Number(process.env.BENCH_SLA_CONTRACTS ?? 10_000);
const DB = 'tessera_bench_sla';

async function seed(pool: pg.Pool): Promise<void> {
  await pool.query(`INSERT INTO customer (id, name) SELECT gen_random_uuid(), '客户 ' || g FROM generate_series(1, $1::int) g`, [
    Math.ceil(CONTRACTS / 10),
  ]);
  await pool.query(
    `INSERT INTO contract (id, title, customer_id, status, contract_type, pricing_model, signed_on)
     SELECT gen_random_uuid(), '合同 ' || g, c.ids[1 + g % array_length(c.ids, 1)], 'active', 'sales', 'fixed_price', date '2026-01-15'
       FROM generate_series(1, $1::int) g, (SELECT array_agg(id ORDER BY name) AS ids FROM customer) c`,
    [CONTRACTS],
  );
  await pool.query(
    `INSERT INTO sla_metric_type (id, name, category, unit, direction) VALUES
       (gen_random_uuid(), '交付延迟', 'time', '天', 'lower_is_better'), (gen_random_uuid(), '缺陷率', 'quality', '%', 'lower_is_better')`,
  );
  await pool.query(
    `INSERT INTO sla_metric (id, contract_id, name, metric_type_id, period, aggregate, target, buffer, step,
                             penalty_per_step, penalty_cap_period, reward_level, reward_per_step, reward_cap_period)
     SELECT gen_random_uuid(), k.id, '交付延迟', t.id, 'month', 'max', 0, 3, 1, 1000, 20000, 5, 400, 4000
       FROM contract k, sla_metric_type t WHERE t.name = '交付延迟'
     UNION ALL
     SELECT gen_random_uuid(), k.id, '缺陷率', t.id, 'quarter', 'avg', 2.0, 0.5, 0.5, 2000, 10000, NULL, NULL, NULL
       FROM contract k, sla_metric_type t WHERE t.name = '缺陷率'`,
  );
  // Delays from 8 days early to 21 days late; defect rates around the target.
  await pool.query(
    `INSERT INTO sla_measurement (id, metric_id, measured_on, actual)
     SELECT gen_random_uuid(), m.id, date '2026-10-20', (abs(hashtext(m.id::text)) % 30) - 8
       FROM sla_metric m WHERE m.period = 'month'
     UNION ALL
     SELECT gen_random_uuid(), m.id, date '2026-07-31' + 31 * s, 1.5 + (abs(hashtext(m.id::text || s)) % 30) / 10.0
       FROM sla_metric m, generate_series(0, 2) s WHERE m.period = 'quarter'`,
  );
  for (const table of ['customer', 'contract', 'sla_metric', 'sla_measurement']) await pool.query(`VACUUM ANALYZE ${table}`);
}

/** Queues the monthly occurrence at `due` and waits for its job to finish. */
async function settleMonth(engine: Engine, due: number): Promise<number> {
  const started = performance.now();
  const done = new Promise<void>((resolveDone) => engine.queue.onCompleted((key) => key.startsWith('schedule:action:') && resolveDone()));
  const keys = await queueDueWork(engine.queue, engine.models.current().model, due, {});
  if (!keys.some((k) => k.startsWith('schedule:action:'))) throw new Error(`no scheduled action fell due: ${keys.join(', ')}`);
  await done;
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  await freshBenchDatabase(DB);
  const config = loadConfig(
    {
      DATABASE_URL: benchDbUrl(DB),
      TESSERA_PACKS: 'metadata/packs/core,metadata/packs/crm,metadata/packs/contracts',
      TESSERA_ADMIN_PASSWORD: 'bench-password-123',
      TESSERA_DEMO_DATA: 'false',
      TESSERA_DB_POOL: '16',
      LOG_LEVEL: 'warn',
    },
    ROOT,
  );
  const engine = await createEngine(config);
  try {
    const seedStart = performance.now();
    await seed(engine.db.pool);
    console.log(
      `bench:sla seeded ${CONTRACTS.toLocaleString('en')} active contracts, ${(2 * CONTRACTS).toLocaleString('en')} metrics, ` +
        `${(4 * CONTRACTS).toLocaleString('en')} measurements in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );
    // 1 December 02:00 in Shanghai: October's delays and Q3's defect rates are due.
    const first = await settleMonth(engine, Date.parse('2026-11-30T18:00:30Z'));
    const { rows } = await engine.db.pool.query<{ n: number; penalised: number; rewarded: number; net: string }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE penalty > 0)::int AS penalised,
              count(*) FILTER (WHERE reward > 0)::int AS rewarded, sum(net)::text AS net FROM sla_settlement`,
    );
    const s = rows[0];
    console.log(
      `settled ${s?.n.toLocaleString('en')} periods of ${CONTRACTS.toLocaleString('en')} contracts in ${first.toFixed(1)} s ` +
        `(${((s?.n ?? 0) / first).toFixed(0)} periods/s; target: under 30 s) — ${s?.penalised} penalised, ${s?.rewarded} rewarded, net ${s?.net}`,
    );
    // 1 January: nothing new to settle, every period is read and found unchanged.
    const again = await settleMonth(engine, Date.parse('2026-12-31T18:00:30Z'));
    console.log(`the next month with nothing new: ${again.toFixed(1)} s`);
  } finally {
    await engine.close();
  }
}

await main();
