// Load and the bare floor for the HTTP benchmarks: autocannon at 16 connections against a port, and a bare Node
// HTTP server (bare-server.ts) answering one statement's rows, to set an API's list beside the same SQL served by
// the least any Node service pays. Used by api.bench.ts and crm-list.bench.ts.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface Figure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function load(port: number, token: string, setup: autocannon.Request, seconds: number, timeout = 10): Promise<Figure> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 16,
    duration: seconds,
    timeout,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [setup],
  });
  // Completed requests over the run: per-second averages round a slow list's one or two a second away.
  return { rps: result.requests.total / seconds, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

/** A bare Node HTTP server answering every request with one statement's rows, on the database at `dbUrl`. */
export async function startBareServer(dbUrl: string, sql: string, values: readonly unknown[]): Promise<{ port: number; stop: () => void }> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/bare-server.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), BARE_SQL: sql, BARE_VALUES: JSON.stringify(values) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((ok, fail) => {
      child.stdout?.once('data', () => ok());
      child.once('exit', (code) => fail(new Error(`bare server exited with ${code}`)));
    });
  } catch (err) {
    child.kill();
    throw err;
  }
  return { port, stop: () => child.kill() };
}
