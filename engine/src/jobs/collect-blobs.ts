// Blob garbage collection: deletes stored blobs nothing references any more. One run, under a database-wide lock so
// one process collects at a time: a snapshot of every key the holders keep (storage/blob-holders.ts: file fields,
// plugin-declared fields, the engine's tables), then
//   1. each blob older than the grace period and not in the snapshot is set aside (the store re-checks its age at
//      that moment, so bytes stored again meanwhile stay; young blobs are never looked at: an upload whose record
//      is not written yet is young);
//   2. each blob set aside is put back if something references it now, purged if it has been aside for the grace
//      period and is still unreferenced, else left aside;
//   3. temporary files of puts that stopped (a crash) and are older than the grace period are removed.
// Scheduled daily as `blobs:collect` (scheduled-work.ts); administrators run it now at POST /api/admin/blobs/collect.
import type pg from 'pg';
import { isEngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import type { BlobCollection, StoredBlob } from '../storage/blob-store.js';
import { referencedKeysSql, type BlobHolder } from '../storage/blob-holders.js';
import { storageError } from '../storage/errors.js';
import type { JobQueue } from './job-queue.js';

export const BLOB_COLLECT_JOB = 'blobs:collect';

/** Candidates checked against the snapshot per statement. */
const BATCH = 1000;
const REFS_TABLE = 'tessera_blob_refs';
/** The session lock one collection holds, database-wide. */
const LOCK_KEY = `hashtextextended('tessera:blobs:collect', 0)`;

export interface BlobCollectionReport {
  readonly graceSeconds: number;
  /** Blobs in the store when the run began. */
  readonly stored: number;
  /** Within the grace period: not looked at. */
  readonly young: number;
  /** Old and referenced: kept. */
  readonly referenced: number;
  /** Old and unreferenced: set aside now. */
  readonly trashed: number;
  /** Set aside earlier and referenced again: put back. */
  readonly restored: number;
  /** Aside for the grace period and still unreferenced: deleted. */
  readonly purged: number;
  /** Left aside until their grace period ends. */
  readonly waiting: number;
  /** Temporary files of puts that never finished, removed. */
  readonly staleUploads: number;
}

export interface BlobCollectorDeps {
  readonly pool: pg.Pool;
  readonly store: BlobCollection;
  readonly graceSeconds: number;
  /** The holders of the Model served now (throws when one cannot be placed). */
  holders(): readonly BlobHolder[];
  readonly log: Logger;
}

async function* batches(blobs: AsyncIterable<StoredBlob>): AsyncIterable<StoredBlob[]> {
  let batch: StoredBlob[] = [];
  for await (const blob of blobs) {
    batch.push(blob);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The keys of `blobs` the snapshot does not hold. */
async function unreferenced(client: pg.PoolClient, blobs: readonly StoredBlob[]): Promise<Set<string>> {
  const res = await client.query<{ k: string }>(
    `SELECT c.k FROM unnest($1::text[]) AS c(k) WHERE NOT EXISTS (SELECT 1 FROM ${REFS_TABLE} r WHERE r.sha256 = c.k)`,
    [blobs.map((b) => b.sha256)],
  );
  return new Set(res.rows.map((r) => r.k));
}

async function collectWith(client: pg.PoolClient, deps: BlobCollectorDeps, now: number): Promise<BlobCollectionReport> {
  const cutoff = new Date(now - deps.graceSeconds * 1000);
  const holders = deps.holders();
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${REFS_TABLE} (sha256 text PRIMARY KEY)`);
  await client.query(`TRUNCATE ${REFS_TABLE}`);
  // One statement: every holder read in the same snapshot, so a key moved from one holder to another is seen once.
  await client.query(`INSERT INTO ${REFS_TABLE} (sha256) ${referencedKeysSql(holders)}`);
  const counts = { stored: 0, young: 0, referenced: 0, trashed: 0, restored: 0, purged: 0, waiting: 0 };

  for await (const batch of batches(deps.store.listStored())) {
    counts.stored += batch.length;
    const old = batch.filter((b) => b.storedAt < cutoff);
    counts.young += batch.length - old.length;
    if (old.length === 0) continue;
    const loose = await unreferenced(client, old);
    counts.referenced += old.length - loose.size;
    for (const sha256 of loose) {
      if (await deps.store.trash(sha256, cutoff)) counts.trashed += 1;
      else counts.young += 1;
    }
  }

  for await (const batch of batches(deps.store.listTrashed())) {
    const loose = await unreferenced(client, batch);
    for (const blob of batch) {
      if (!loose.has(blob.sha256)) {
        await deps.store.restore(blob.sha256);
        counts.restored += 1;
      } else if (blob.storedAt < cutoff) {
        await deps.store.purge(blob.sha256);
        counts.purged += 1;
      } else counts.waiting += 1;
    }
  }
  const staleUploads = await deps.store.removeStaleUploads(cutoff);
  await client.query(`DROP TABLE IF EXISTS ${REFS_TABLE}`);
  return { graceSeconds: deps.graceSeconds, ...counts, staleUploads };
}

/** Runs one collection now; storage.collection_running (409) while another process is at it. */
export async function collectBlobs(deps: BlobCollectorDeps, now = Date.now()): Promise<BlobCollectionReport> {
  const client = await deps.pool.connect();
  let locked = false;
  let failed = false;
  try {
    const res = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`);
    locked = res.rows[0]?.locked === true;
    if (!locked) throw storageError('storage.collection_running', 'a blob collection is already running; its report is in its log');
    const started = Date.now();
    const report = await collectWith(client, deps, now);
    deps.log.info({ ...report, ms: Date.now() - started }, 'blobs collected');
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    return report;
  } catch (err) {
    failed = locked;
    throw err;
  } finally {
    // A run that failed half-way closes its connection: the lock and the snapshot table go with it.
    client.release(failed);
  }
}

export function processBlobCollection(queue: JobQueue, deps: BlobCollectorDeps): void {
  queue.process(BLOB_COLLECT_JOB, { concurrency: 1 }, async () => {
    try {
      await collectBlobs(deps);
    } catch (err) {
      // Another process is collecting this occurrence's blobs: nothing is left for this one to do.
      if (isEngineError(err) && err.code === 'storage.collection_running') return;
      throw err;
    }
  });
}
