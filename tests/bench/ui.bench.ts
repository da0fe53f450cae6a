// `npm run bench:ui`: the runtime UI in Chromium against an engine in its own process (`tessera serve`, which
// builds the UI and seeds the CRM's small demo data; BENCH_UI_SIZE=large seeds the large set first, which takes
// minutes). Prints the shell's JavaScript (gzip), its first load, a list's first rows after navigation and a
// record page's open, as medians of several runs. Figures only: no assertion here.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { UI_DIST } from '../../engine/src/api/ui.routes.js';
import { ensureUiBuilt } from '../../engine/src/cli/ensure-ui-build.js';
import { DEMO_PASSWORD } from '../../plugins/crm-demo/sales-org.js';
import { launchBrowser } from '../e2e/support/browser.js';
import { benchDbUrl, freshBenchDatabase, startBenchEngine } from './bench-engine.js';
import { loadModel } from '../../engine/src/metadata/load-model.js';
import { searchFieldsOf } from '../../engine/src/search/search-fields.js';
import { BUILTIN_RULES } from '../support/builtin-rules.js';

const PORT = 3971;
const RUNS = 5;
const DB = 'tessera_bench_ui';
const PACKS_DIR = resolve(import.meta.dirname, '../../metadata/packs');
const URL = `http://127.0.0.1:${PORT}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
// A data cell: the selection column's checkbox cell selects the row rather than opening it.
const DATA_CELL = '.ag-row:not(.ag-row-loading) [role=gridcell]:not([col-id^="ag-Grid-SelectionColumn"])';
const ms = (n: number) => `${n.toFixed(0)} ms`;

function shellBytes(): { raw: number; gzip: number; files: string[] } {
  const html = readFileSync(join(UI_DIST, 'index.html'), 'utf8');
  // What the first paint needs: the entry script, its preloaded imports and the stylesheet.
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = readFileSync(join(UI_DIST, f));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip, files };
}

await ensureUiBuilt((m) => console.log(m));
const size = shellBytes();
await freshBenchDatabase(DB);
const env = { DATABASE_URL: benchDbUrl(DB), TESSERA_DEMO_DATA: process.env.BENCH_UI_SIZE === 'large' ? 'false' : 'true' };
if (process.env.BENCH_UI_SIZE === 'large') {
  const root = resolve(import.meta.dirname, '../..');
  for (const args of [['apply'], ['seed', 'crm', '--size', 'large']]) {
    const done = spawnSync(process.execPath, ['bin/tessera.js', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
    if (done.status !== 0) throw new Error(`tessera ${args.join(' ')} failed (exit ${done.status}): no figures on a half-seeded database`);
  }
}
const listening = new Date(Date.now() - 60_000);
const engine = await startBenchEngine(PORT, env);
try {
  if (process.env.BENCH_UI_SIZE === 'large') {
    // A seed writes around the pipeline: the search index catches up with millions of rows after it, once (each
    // searched entity's catch-up leaves its mark when done). The figures are those of the product in use, measured
    // after that one-time work, whose time is printed too.
    const started = performance.now();
    const packs = readdirSync(PACKS_DIR).map((p) => join(PACKS_DIR, p));
    const searched = loadModel(packs, { kinds: BUILTIN_RULES.kinds })
      .entities.filter((e) => searchFieldsOf(e).length > 0)
      .map((e) => e.name);
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      const marked = async () =>
        (
          await db.query(`SELECT count(*)::int AS n FROM tessera_search_mark WHERE entity = ANY($1) AND began_at >= $2`, [
            searched,
            listening,
          ])
        ).rows[0].n as number;
      while ((await marked()) < searched.length) await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await db.end();
    }
    console.log(
      `Search index caught up with the seeded rows ${((performance.now() - started) / 1000).toFixed(1)} s after the engine started listening.`,
    );
  }
  const firstLoad: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // A new profile each time: nothing cached, as on a first visit.
    const b = await launchBrowser();
    await b.page.goto(`${URL}/login`);
    await b.page.waitForSelector('input[name=username]');
    firstLoad.push(Number(await b.page.evaluate('performance.now()')));
    await b.close();
  }

  const b = await launchBrowser();
  const p = b.page;
  await p.goto(`${URL}/login`);
  await p.fill('input[name=username]', 'jiang.tao');
  await p.fill('input[name=password]', DEMO_PASSWORD);
  await p.click('button[type=submit]');
  await p.waitForSelector('.tiles .tile');
  const list: number[] = [];
  const record: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    await p.click('.menu-item:has-text("首页")');
    await p.waitForSelector('.tiles .tile');
    let t0 = performance.now();
    await p.click('.menu-item:has-text("客户") >> nth=0');
    // Rows with data, not the grid's loading rows.
    await p.waitForSelector(DATA_CELL);
    list.push(performance.now() - t0);
    t0 = performance.now();
    await p
      .locator(DATA_CELL)
      .nth(i * 3)
      .click();
    await p.waitForSelector('.tsection [data-field]');
    record.push(performance.now() - t0);
  }
  await b.close();

  console.log(
    `\nRuntime UI (${process.env.BENCH_UI_SIZE === 'large' ? 'large' : 'small'} demo data, Chromium headless, ${RUNS} runs, medians)`,
  );
  console.log(
    `  shell JavaScript + CSS for the first paint: ${(size.gzip / 1024).toFixed(1)} KB gzip (${(size.raw / 1024).toFixed(1)} KB raw; target < 400 KB gzip)`,
  );
  console.log(
    `  first load of the shell (navigation to sign-in form): ${ms(median(firstLoad))} (target < 1500 ms; runs ${firstLoad.map(ms).join(', ')})`,
  );
  console.log(
    `  list page, first rows after navigation: first ${ms(list[0] ?? NaN)} (grid code loaded), then ${ms(median(list.slice(1)))} (target < 300 ms)`,
  );
  console.log(
    `  record page open: first ${ms(record[0] ?? NaN)} (form code loaded), then ${ms(median(record.slice(1)))} (target < 500 ms)`,
  );
} finally {
  engine.kill('SIGTERM');
}
