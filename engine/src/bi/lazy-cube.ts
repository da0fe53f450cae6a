// Cube, started when BI is first used (a Cube token asked for, a Cube route called): importing Cube costs about a
// second and 110 MB (STACK-NOTES.md), which engines that never serve analytics, and most tests, should not pay. The
// import below is a conditional dynamic import of that heavy optional part, not a way around an import cycle.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../shared/logger.js';
import type { CubeModel } from './build-cube-files.js';
import type { CubeServer } from './cube-server.js';
import { loadCubeSecret } from './cube-token.js';

export interface LazyCubeOptions {
  readonly pool: pg.Pool;
  readonly databaseUrl: string;
  readonly basePath: string;
  readonly log: Logger;
  /** The viewer key of a valid Cube token (signed with `secret`), undefined for anything else. */
  authenticate(secret: string, token: string): Promise<string | undefined>;
  model(key: string): CubeModel;
}

export class LazyCube {
  private started: Promise<CubeServer> | undefined;
  private secretLoad: Promise<string> | undefined;
  private closed = false;

  constructor(private readonly o: LazyCubeOptions) {}

  /** The secret Cube tokens are signed with, shared by every engine on the database. */
  secret(): Promise<string> {
    this.secretLoad ??= loadCubeSecret(this.o.pool).catch((err: unknown) => {
      this.secretLoad = undefined;
      throw err;
    });
    return this.secretLoad;
  }

  server(): Promise<CubeServer> {
    if (this.closed) return Promise.reject(new Error('cube: the engine is closing'));
    this.started ??= this.start().catch((err: unknown) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  private async start(): Promise<CubeServer> {
    const secret = await this.secret();
    const { startCubeServer } = await import('./cube-server.js');
    this.o.log.info('cube: started in the engine process');
    return startCubeServer({
      databaseUrl: this.o.databaseUrl,
      pool: this.o.pool,
      // Cube's own API secret signs tokens no user ever holds; ours are checked in authenticate.
      apiSecret: randomBytes(32).toString('base64url'),
      basePath: this.o.basePath,
      authenticate: (token) => this.o.authenticate(secret, token),
      model: (key) => this.o.model(key),
      log: this.o.log,
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const started = this.started;
    this.started = undefined;
    // A start that failed has nothing to close; it was reported to the request that started it.
    const server = await started?.catch((err: unknown) => {
      this.o.log.debug({ err }, 'cube: never started');
      return undefined;
    });
    await server?.close();
  }
}
