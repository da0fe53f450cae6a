// `tessera blobs collect`: blob garbage collection once, from the command line, as the daily job and
// POST /api/admin/blobs/collect run it — for an operator who wants the counts in a script or whose engines are down.
// What holds a blob is read from the published Model (what the engines serve) and the plugins its packs require.
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { ATTACHMENT_BLOB_HOLDER, ensureAttachmentTable } from '../data/attachments.js';
import { collectBlobs, type BlobCollectionReport } from '../jobs/collect-blobs.js';
import { loadRegistries } from '../plugins/load-plugins.js';
import { publishedModelsNewestFirst } from '../schema/schema-history.js';
import type { Logger } from '../shared/logger.js';
import { blobHolders } from '../storage/blob-holders.js';
import { createBlobStore } from '../storage/create-blob-store.js';
import { ensureUploadLinkTables, SUBMISSION_BLOB_HOLDER } from '../workflow/upload-links.js';

export async function collectBlobsOnce(
  config: Config,
  db: Database,
  packDirs: readonly string[],
  log: Logger,
): Promise<BlobCollectionReport> {
  const newest = await publishedModelsNewestFirst(db.pool).next();
  if (newest.done) throw new Error('nothing is published on this database: run tessera apply first');
  // A database no engine has served yet lacks the engine's own holders' tables; an empty one holds nothing.
  await ensureAttachmentTable(db.knex);
  await ensureUploadLinkTables(db.knex);
  const store = await createBlobStore(config);
  const { plugins, registries } = await loadRegistries(config.pluginsDir, packDirs, log, undefined, store);
  const model = newest.value.model;
  return collectBlobs({
    pool: db.pool,
    store,
    graceSeconds: config.blobGraceSeconds,
    holders: () =>
      blobHolders({
        model,
        kinds: registries.kinds,
        declared: registries.blobKeys,
        plugins: new Set(plugins.map((p) => p.name)),
        engine: [ATTACHMENT_BLOB_HOLDER, SUBMISSION_BLOB_HOLDER],
      }),
    log,
  });
}

/** The report as the lines an operator reads. */
export function collectionReport(r: BlobCollectionReport): string {
  return [
    `Collected stored files (grace period ${r.graceSeconds} s): ${r.stored} stored when the run began.`,
    `  kept: ${r.referenced} referenced, ${r.young} within the grace period`,
    `  set aside now: ${r.trashed}; put back (referenced again): ${r.restored}; still aside: ${r.waiting}`,
    `  deleted: ${r.purged}; unfinished uploads removed: ${r.staleUploads}`,
  ].join('\n');
}
