// npm run bench:documents (with documents-render.bench.ts): file downloads (#25). The engine runs in its own process
// (its memory is its own), on core + the files-demo fixture, local storage in a temporary folder. Each measurement
// is a function of the shared context below. Prints figures; asserts nothing.
//   downloads: one 10 MB file downloaded by 100 clients at once; the engine's RSS rise (target < 50 MB: streamed,
//   never buffered) and the time and throughput.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { benchApi, benchDbUrl, freshBenchDatabase, startBenchEngine } from './bench-engine.js';

const DB = 'tessera_bench_documents';
const PORT = Number(process.env.BENCH_PORT ?? 3941);
const PASSWORD = 'bench-admin-password';
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 100);

export interface BenchContext {
  readonly port: number;
  readonly token: string;
  readonly engine: ChildProcess;
}

/** The engine process's resident memory, in MB (Linux). */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** A valid PDF header and trailer around `mb` MB of comment lines: file-type sees a PDF, the size is what we ask. */
function bigPdf(mb: number): Buffer {
  const line = `% ${'x'.repeat(1021)}\n`;
  const body = Buffer.from(line.repeat(Math.ceil((mb * 1024 * 1024) / line.length)), 'latin1');
  return Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), body, Buffer.from('trailer<<>>\n%%EOF\n', 'latin1')]);
}

async function downloads(ctx: BenchContext): Promise<void> {
  const { port, token } = ctx;
  const rec = await benchApi(port, token, 'POST', '/api/v1/dossier', { title: 'bench' });
  const pdf = bigPdf(FILE_MB);
  const put = await fetch(`http://127.0.0.1:${port}/api/v1/dossier/${rec.data.id}/files/scan?name=big.pdf`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
    body: pdf,
  });
  if (put.status !== 200) throw new Error(`upload: ${put.status} ${await put.text()}`);
  const pid = ctx.engine.pid ?? 0;
  // Settle, then sample the engine's RSS every 20 ms while the clients download.
  await new Promise((r) => setTimeout(r, 1000));
  const before = await rssMb(pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssMb(pid));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const started = performance.now();
  const sizes = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/dossier/${rec.data.id}/files/scan`, {
        headers: { authorization: `Bearer ${token}` },
      });
      let bytes = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
      return bytes;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  const wrong = sizes.filter((s) => s !== pdf.length).length;
  const totalMb = (pdf.length * CLIENTS) / 1024 / 1024;
  console.log(
    `downloads: ${CLIENTS} concurrent × ${(pdf.length / 1024 / 1024).toFixed(1)} MB in ${seconds.toFixed(2)} s (${(totalMb / seconds).toFixed(0)} MB/s)${wrong ? `, ${wrong} incomplete` : ''}`,
  );
  console.log(
    `downloads: engine RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak, rise ${(peak - before).toFixed(1)} MB (target < 50 MB)`,
  );
}

/** Each measurement runs on the same engine, in order. */
const MEASUREMENTS: ReadonlyArray<(ctx: BenchContext) => Promise<void>> = [downloads];

async function main(): Promise<void> {
  await freshBenchDatabase(DB);
  const filesDir = join(tmpdir(), `tessera-bench-files-${randomUUID()}`);
  const engine = await startBenchEngine(PORT, {
    DATABASE_URL: benchDbUrl(DB),
    TESSERA_PACKS: 'metadata/packs/core,tests/fixtures/packs/files-demo',
    TESSERA_FILES_DIR: filesDir,
    TESSERA_FILE_LIMIT: String(64 * 1024 * 1024),
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    TESSERA_DEMO_DATA: 'false',
    TESSERA_BI: 'false',
  });
  try {
    const login = await benchApi(PORT, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD });
    const ctx: BenchContext = { port: PORT, token: login.data.token, engine };
    for (const measure of MEASUREMENTS) await measure(ctx);
  } finally {
    engine.kill();
    await rm(filesDir, { recursive: true, force: true });
  }
}

await main();
