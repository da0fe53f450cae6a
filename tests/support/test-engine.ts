// Boots a real engine (real database, real HTTP) on chosen packs and plugins for integration tests.
import { resolve } from 'node:path';
import { loadConfig } from '../../engine/src/config/config.js';
import { createEngine, type Engine } from '../../engine/src/engine.js';
import { createLogger } from '../../engine/src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestEngine {
  readonly engine: Engine;
  readonly db: TestDatabase;
  readonly url: string;
  /** fetch against the engine; JSON bodies are encoded and the response body decoded. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export interface TestEngineOptions {
  /** Pack folders, relative to the repository root. */
  readonly packs: readonly string[];
  readonly pluginsDir?: string;
  readonly env?: Record<string, string>;
}

const ROOT = resolve(import.meta.dirname, '../..');

export async function startTestEngine(options: TestEngineOptions): Promise<TestEngine> {
  const db = await createTestDatabase();
  const config = loadConfig({
    TESSERA_PACKS: options.packs.map((p) => resolve(ROOT, p)).join(','),
    TESSERA_PLUGINS_DIR: resolve(ROOT, options.pluginsDir ?? 'plugins'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  }, ROOT);
  let engine: Engine;
  try {
    engine = await createEngine(config, { db, logger: createLogger(config.logLevel) });
  } catch (err) {
    await db.dispose();
    throw err;
  }
  const { url } = await engine.listen(0, '127.0.0.1');
  return {
    engine,
    db,
    url,
    async request(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (e.g. the docs page); the raw text is returned.
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await engine.close();
      await db.dispose();
    },
  };
}
