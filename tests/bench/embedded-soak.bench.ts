// `npm run bench:embedded`: minutes of concurrent, interleaved creates, filtered lists and gets against
// `tessera serve` on the embedded default (a fresh data folder), checking that every answer belongs to its own
// request: the load under which the PGlite default mixed connections (#18 part 1). Prints counts, mismatches,
// 5xx and the footprint; asserts nothing. SOAK_SECONDS (default 120) and SOAK_CONCURRENCY (default 32).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 32);
const PASSWORD = 'soak-admin-password';

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

interface Tally {
  creates: number;
  lists: number;
  gets: number;
  mismatches: string[];
  serverErrors: number;
  other: number;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-soak-'));
  chmodSync(dataDir, 0o755);
  const port = await freeLoopbackPort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    TESSERA_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    TESSERA_PACKS: 'metadata/packs/core,tests/fixtures/packs/api-demo',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['bin/tessera.js', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('the engine did not answer /api/health within 30 s');
      if (
        await fetch(`${base}/api/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const tally: Tally = { creates: 0, lists: 0, gets: 0, mismatches: [], serverErrors: 0, other: 0 };
    const known: Array<{ id: string; name: string }> = [];
    const until = Date.now() + SECONDS * 1000;
    let n = 0;
    const record = (status: number, ok: boolean, what: string) => {
      if (status >= 500) tally.serverErrors++;
      else if (!ok) tally.mismatches.push(what);
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < until) {
          const i = n++;
          const tier = (i % 5) + 1;
          if (i % 3 === 0 || known.length === 0) {
            const name = `soak-${i}`;
            const res = await fetch(`${base}/api/v1/account`, { method: 'POST', headers, body: JSON.stringify({ name, tier }) });
            const body = (await res.json()) as { data?: { id: string; name: string; tier: number } };
            record(res.status, res.status === 201 && body.data?.name === name && body.data.tier === tier, `create ${name}: ${res.status}`);
            if (body.data) known.push({ id: body.data.id, name });
            tally.creates++;
          } else if (i % 3 === 1) {
            const filter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'tier' }, tier] }));
            const res = await fetch(`${base}/api/v1/account?filter=${filter}&fields=name,tier&limit=20&sort=-name`, { headers });
            const body = (await res.json()) as { data?: Array<{ tier: number }> };
            record(res.status, res.status === 200 && (body.data ?? []).every((r) => r.tier === tier), `list tier ${tier}: ${res.status}`);
            tally.lists++;
          } else {
            const pick = known[i % known.length] as { id: string; name: string };
            const res = await fetch(`${base}/api/v1/account/${pick.id}`, { headers });
            const body = (await res.json()) as { data?: { id: string; name: string } };
            record(
              res.status,
              res.status === 200 && body.data?.id === pick.id && body.data.name === pick.name,
              `get ${pick.id}: ${res.status}`,
            );
            tally.gets++;
          }
        }
      }),
    );
    const total = tally.creates + tally.lists + tally.gets;
    process.stdout.write(
      [
        '',
        `Embedded soak: ${SECONDS} s, ${CONCURRENCY} concurrent clients, ${new Date().toISOString()}`,
        `requests: ${total} (${(total / SECONDS).toFixed(0)}/s): ${tally.creates} creates, ${tally.lists} filtered lists, ${tally.gets} gets`,
        `answers that were not their own request's: ${tally.mismatches.length}${tally.mismatches.length ? ` (first: ${tally.mismatches.slice(0, 3).join('; ')})` : ''}`,
        `5xx: ${tally.serverErrors}`,
        `engine RSS at the end: ${rssMb(child.pid ?? 0).toFixed(0)} MB`,
        '',
      ].join('\n'),
    );
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
