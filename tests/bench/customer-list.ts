// The customer list of bench:crm (#21): customers filtered by region and industry and sorted by value score, on the
// large demo data, through the API beside the same list written by hand in SQL — served by a bare Node HTTP server
// (16 connections) and run straight from node-pg one at a time. Prints figures; asserts nothing. Called by
// crm.bench.ts after its seed, or alone by crm-list.bench.ts on a database seeded before.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { benchApi, startBenchEngine } from './bench-engine.js';
import { load, startBareServer } from './bench-http.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
/** Every region and industry the pack offers, read from its customer entity. */
const CUSTOMER = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../metadata/packs/crm/entities/customer.json'), 'utf8')) as {
  fields: Array<{ name: string; values?: Array<{ value: string }> }>;
};
const valuesOf = (name: string) => (CUSTOMER.fields.find((f) => f.name === name)?.values ?? []).map((v) => v.value);
const REGIONS = valuesOf('region');
const INDUSTRIES = valuesOf('industry');
/** A sales director of the demo organisation: every customer is theirs to read, through grants (not an admin's bypass). */
const USER = { username: 'qian.jun', password: 'tessera-demo' };

const path = (region: string, industry: string) =>
  `/api/v1/customer?filter=${encodeURIComponent(JSON.stringify({ and: [{ '==': [{ var: 'region' }, region] }, { '==': [{ var: 'industry' }, industry] }] }))}&sort=-value_score.points&limit=50`;

/** The same page by hand: every column of the row, highest score first, ties by id (the API's order). */
const HAND = `SELECT * FROM customer WHERE deleted_at IS NULL AND region = $1 AND industry = $2
  ORDER BY value_score DESC NULLS FIRST, id LIMIT 50`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function measureCustomerList(dbUrl: string): Promise<void> {
  const port = await freeLoopbackPort();
  const engine = await startBenchEngine(port, {
    DATABASE_URL: dbUrl,
    TESSERA_PACKS: 'metadata/packs/core,metadata/packs/crm',
    TESSERA_DEMO_DATA: 'false',
  });
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const token = (await benchApi(port, undefined, 'POST', '/api/auth/login', USER)).data.token as string;
    // One connection, every region x industry in turn, twice (the first pass warms the caches): API against node-pg.
    const api: number[] = [];
    const sql: number[] = [];
    let rowsSeen = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (const region of REGIONS) {
        for (const industry of INDUSTRIES) {
          let at = performance.now();
          const page = await benchApi(port, token, 'GET', path(region, industry));
          const apiMs = performance.now() - at;
          at = performance.now();
          const hand = await client.query({ name: 'hand', text: HAND, values: [region, industry] });
          const sqlMs = performance.now() - at;
          if (pass === 1) {
            api.push(apiMs);
            sql.push(sqlMs);
            rowsSeen += page.data.length;
            if (page.data.map((r: { id: string }) => r.id).join() !== hand.rows.map((r: { id: string }) => r.id).join()) {
              console.log(`  note: ${region}/${industry}: the API's page and the hand-written one differ`);
            }
          }
        }
      }
    }
    const a = median(api);
    const s = median(sql);
    console.log(
      `customer list (region x industry, sorted by value score, 50 rows; ${api.length} lists, ${rowsSeen} rows), one at a time: ` +
        `API p50 ${a.toFixed(2)} ms, hand-written SQL from node-pg p50 ${s.toFixed(2)} ms (${(a / s).toFixed(2)}x)`,
    );
    // Under load, one list: the API beside the hand-written SQL behind a bare Node HTTP server.
    const one = path('east', 'manufacturing');
    await load(port, token, { method: 'GET', path: one }, 3);
    const apiLoad = await load(port, token, { method: 'GET', path: one }, SECONDS);
    const bare = await startBareServer(dbUrl, HAND, ['east', 'manufacturing']);
    try {
      await load(bare.port, '', { method: 'GET', path: '/' }, 3);
      const hand = await load(bare.port, '', { method: 'GET', path: '/' }, SECONDS);
      console.log(
        `under 16 connections (east/manufacturing): API ${apiLoad.rps.toFixed(0)} req/s p50 ${apiLoad.p50} ms, errors ${apiLoad.errors}; ` +
          `hand-written SQL behind bare HTTP ${hand.rps.toFixed(0)} req/s p50 ${hand.p50} ms; ` +
          `API latency ${(apiLoad.p50 / hand.p50).toFixed(2)}x (target within 1.5x), throughput ${((apiLoad.rps / hand.rps) * 100).toFixed(0)}%`,
      );
    } finally {
      bare.stop();
    }
  } finally {
    await client.end();
    engine.kill('SIGTERM');
    await new Promise((done) => engine.once('exit', done));
  }
}
