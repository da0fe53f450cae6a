// Vitest global setup: without DATABASE_URL the suite runs on the embedded default, so start one embedded
// PostgreSQL cluster with the engine's own code (a throwaway, non-durable one) for every test file to create
// its databases in.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedCluster } from '../../engine/src/db/embedded-cluster.js';
import { createLogger } from '../../engine/src/shared/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DATABASE_URL) return undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-cluster-'));
  // mkdtemp makes it private to root; the cluster's OS user must reach it (see embedded-state.ts).
  chmodSync(dataDir, 0o755);
  const cluster = await startEmbeddedCluster({ dataDir, log: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'), durable: false });
  project.provide('embeddedDatabaseUrl', cluster.url);
  return async () => {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
