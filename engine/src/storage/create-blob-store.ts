// Picks the storage driver the config names (TESSERA_STORAGE). Called once by the composition root and by the CLI.
// The S3 driver is loaded only when configured: the AWS SDK costs about 0.35 s of start-up, which every CLI command
// (plan, apply, validate) and every embedded start would otherwise pay for a driver they do not use.
import type { Config } from '../config/config.js';
import type { CollectableBlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';

export async function createBlobStore(config: Pick<Config, 'filesDir' | 'storage'>): Promise<CollectableBlobStore> {
  if (config.storage.driver !== 's3') return new LocalBlobStore(config.filesDir);
  const { S3BlobStore } = await import('./s3-blob-store.js');
  return new S3BlobStore(config.storage);
}
