// node --import tsx tests/bench/reminders.bench.ts — what a reminder scan costs (#20 part 4), on local PostgreSQL:
// 1,000,000 contacts (BENCH_REMINDER_ROWS) owned by 200 reps under 10 managers, seeded set-based; a condition-only
// rule (not contacted for 30 days: ~1% match, owner and owner's manager reminded, each through their own read
// scope) scanned once (notifies), again at the same instant (finds everything sent) and a day later (same episode),
// and a yearly date-offset rule (birthdays in 3 days). The engine runs in this process so the scan is called with a
// clock of the bench's own. Target: a scan of 1,000,000 records under 5 s. Prints figures; asserts nothing.
import { resolve } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../engine/src/config/config.js';
import { createEngine } from '../../engine/src/engine.js';
import { benchDbUrl, freshBenchDatabase } from './bench-engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ROWS = Number(process.env.BENCH_REMINDER_ROWS ?? 1_000_000);
const DB = 'tessera_bench_reminders';
const REPS = 200;
const MANAGERS = 10;
const DAY = 86_400_000;

async function seed(pool: pg.Pool, now: Date): Promise<void> {
  const users = `INSERT INTO app_user (id, username, display_name, locale, active, manager_id)`;
  await pool.query(
    `${users} SELECT gen_random_uuid(), 'manager' || g, 'Manager ' || g, 'en', true, NULL FROM generate_series(1, ${MANAGERS}) g`,
  );
  await pool.query(
    `${users} SELECT gen_random_uuid(), 'rep' || g, 'Rep ' || g, CASE WHEN g % 2 = 0 THEN 'zh-CN' ELSE 'en' END, true, m.ids[1 + g % ${MANAGERS}]
       FROM generate_series(1, ${REPS}) g, (SELECT array_agg(id ORDER BY username) AS ids FROM app_user WHERE username LIKE 'manager%') m`,
  );
  const role = async (code: string, scope: string, like: string) => {
    const id = (
      await pool.query<{ id: string }>(`INSERT INTO role (id, code, name, grants) VALUES (gen_random_uuid(), $1, $1, $2) RETURNING id`, [
        code,
        { entities: { rb_contact: { actions: ['read'], scope } } },
      ])
    ).rows[0]?.id;
    await pool.query(`INSERT INTO role_members (source_id, target_id) SELECT $1, id FROM app_user WHERE username LIKE $2`, [id, like]);
  };
  await role('rep', 'own', 'rep%');
  await role('manager', 'subordinates', 'manager%');
  // 1 in 100 contacts last contacted 40 days ago (the rest 5 days ago), 1 in 10 closed; birthdays spread over the year.
  await pool.query(
    `INSERT INTO rb_contact (id, name, owner_id, status, last_contacted_at, birthday)
     SELECT gen_random_uuid(), 'contact ' || g, r.ids[1 + g % ${REPS}],
            CASE WHEN g % 10 = 3 THEN 'closed' ELSE 'active' END,
            $1::timestamptz - make_interval(days => CASE WHEN g % 100 = 0 THEN 40 ELSE 5 END),
            date '1960-01-01' + (g % 365) + ((g % 40) * 365)
       FROM generate_series(1, ${ROWS}) g, (SELECT array_agg(id ORDER BY username) AS ids FROM app_user WHERE username LIKE 'rep%') r`,
    [now.toISOString()],
  );
  await pool.query('VACUUM ANALYZE rb_contact');
  await pool.query('VACUUM ANALYZE app_user');
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(6)} s   ${JSON.stringify(result)}`);
  return result;
}

async function main(): Promise<void> {
  await freshBenchDatabase(DB);
  const config = loadConfig(
    {
      DATABASE_URL: benchDbUrl(DB),
      TESSERA_PACKS: 'metadata/packs/core,tests/bench/packs/reminders',
      TESSERA_ADMIN_PASSWORD: 'bench-password-123',
      TESSERA_DB_POOL: '16',
      LOG_LEVEL: 'warn',
    },
    ROOT,
  );
  const engine = await createEngine(config);
  try {
    const now = new Date();
    const seedStart = performance.now();
    await seed(engine.db.pool, now);
    console.log(
      `seeded ${ROWS.toLocaleString('en')} contacts, ${REPS} reps, ${MANAGERS} managers in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );
    console.log(`reminder scans over ${ROWS.toLocaleString('en')} records (target: under 5 s each)`);
    await timed('stale (cron): first scan, notifies owner + manager', () => engine.reminders.scan('rb_contact.stale', now));
    await timed('stale (cron): same instant again, nothing new', () => engine.reminders.scan('rb_contact.stale', now));
    await timed('stale (cron): a day later, same episode', () => engine.reminders.scan('rb_contact.stale', new Date(now.getTime() + DAY)));
    await timed('birthday (yearly, 3 days before): first scan', () => engine.reminders.scan('rb_contact.birthday', now));
    await timed('birthday (yearly, 3 days before): again', () => engine.reminders.scan('rb_contact.birthday', now));
    const counts = await engine.db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM tessera_notification');
    console.log(`notifications stored: ${counts.rows[0]?.n}`);
  } finally {
    await engine.close();
  }
}

await main();
