// Boots a real engine (real database, real HTTP) on chosen packs and plugins for integration tests.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../../engine/src/config/config.js';
import { openDatabase } from '../../engine/src/db/database.js';
import { createEngine, type Engine } from '../../engine/src/engine.js';
import { createLogger } from '../../engine/src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestResponse {
  status: number;
  body: any;
  headers: Headers;
}

export interface TestEngine {
  readonly engine: Engine;
  readonly db: TestDatabase;
  readonly url: string;
  /** The seeded administrator's session token; `request` sends it unless headers carry `authorization`. */
  readonly adminToken: string;
  /**
   * fetch against the engine; JSON bodies are encoded and the response body decoded.
   * Pass `authorization: ''` to send no token, or `authorization: 'Bearer …'` to act as someone else.
   */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** Signs in and returns the session token. */
  login(username: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

export const TEST_ADMIN_PASSWORD = 'test-admin-password';

export interface TestEngineOptions {
  /** Pack folders, relative to the repository root. */
  readonly packs: readonly string[];
  readonly pluginsDir?: string;
  readonly env?: Record<string, string>;
}

const ROOT = resolve(import.meta.dirname, '../..');

function testConfig(options: TestEngineOptions, filesDir: string): Config {
  return loadConfig(
    {
      // Each test database gets its own file storage, so what one test stores another never sees.
      TESSERA_FILES_DIR: filesDir,
      TESSERA_PACKS: options.packs.map((p) => resolve(ROOT, p)).join(','),
      TESSERA_PLUGINS_DIR: resolve(ROOT, options.pluginsDir ?? 'plugins'),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      TESSERA_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
      // Jobs that fail are retried with backoff; short waits keep the tests that watch them die quick.
      TESSERA_JOB_BACKOFF_MS: '20',
      ...options.env,
    },
    ROOT,
  );
}

/** A second engine on the database of `t`, with packs and settings of its own (the scaled topology). */
export interface PeerEngine {
  readonly engine: Engine;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startPeerEngine(t: TestEngine, options: TestEngineOptions): Promise<PeerEngine> {
  const config = testConfig(options, t.engine.config.filesDir);
  const db = await openDatabase({ url: t.db.url });
  let engine: Engine;
  try {
    engine = await createEngine(config, { db, logger: createLogger(config.logLevel) });
  } catch (err) {
    await db.close();
    throw err;
  }
  const { url } = await engine.listen(0, '127.0.0.1');
  return {
    engine,
    url,
    async stop() {
      await engine.close();
      await db.close();
    },
  };
}

export async function startTestEngine(options: TestEngineOptions): Promise<TestEngine> {
  const db = await createTestDatabase();
  const config = testConfig(options, join(tmpdir(), `tessera-files-${randomUUID()}`));
  let engine: Engine;
  try {
    engine = await createEngine(config, { db, logger: createLogger(config.logLevel) });
  } catch (err) {
    await db.dispose();
    throw err;
  }
  const { url } = await engine.listen(0, '127.0.0.1');
  const send = async (
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    token: string,
  ): Promise<TestResponse> => {
    const auth = 'authorization' in headers ? headers.authorization : `Bearer ${token}`;
    const { authorization: _drop, ...rest } = headers;
    const call = () =>
      fetch(url + path, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(auth ? { authorization: auth } : {}),
          ...rest,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
    let res: Response;
    try {
      res = await call();
    } catch (err) {
      // A kept-alive socket the server closes as the next request goes out is reset (nodejs/node#47130); with the
      // whole suite on 2 cores the test process can stall past keepAliveTimeout between two requests. A GET is
      // safe to send again; anything else fails as it came.
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (method !== 'GET' || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw err;
      res = await call();
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (e.g. the docs page); the raw text is returned.
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const login = async (username: string, password: string): Promise<string> => {
    const res = await send('POST', '/api/auth/login', { username, password }, { authorization: '' }, '');
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data.token as string;
  };
  const adminToken = await login('admin', TEST_ADMIN_PASSWORD);
  return {
    engine,
    db,
    url,
    adminToken,
    login,
    request: (method, path, body, headers = {}) => send(method, path, body, headers, adminToken),
    async stop() {
      await engine.close();
      await db.dispose();
      await rm(config.filesDir, { recursive: true, force: true });
    },
  };
}
