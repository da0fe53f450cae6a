// The one interface every file in Tessera is stored through (attachments, document versions, rendered and
// signed PDFs). Blobs are content-addressed: the key is the SHA-256 of the bytes, so the same bytes are stored
// once and a key names exactly one content forever. Drivers: local folder (embedded default), S3-compatible.
import type { Readable } from 'node:stream';
import { storageError } from './errors.js';

export interface BlobInfo {
  /** Lower-case hex SHA-256 of the bytes; the blob's key. */
  readonly sha256: string;
  readonly size: number;
}

export interface PutOptions {
  /** Bytes allowed; past it the put fails with storage.too_large and nothing is kept. */
  readonly maxBytes: number;
}

export interface BlobStore {
  readonly driver: string;
  /** Streams the bytes in, hashing as they pass; nothing is visible under the key until all of it is stored. */
  put(source: Readable | Uint8Array, options: PutOptions): Promise<BlobInfo>;
  /** Streams the bytes back (never buffered whole); storage.not_found when the key has no blob. */
  open(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  /** Releases connections; blobs stay. */
  close(): Promise<void>;
}

/** A blob as garbage collection sees it: its key and when its bytes were last stored (or set aside). */
export interface StoredBlob {
  readonly sha256: string;
  readonly storedAt: Date;
}

/**
 * What garbage collection (jobs/collect-blobs.ts) needs of a driver beyond BlobStore; plugins never get it. A blob
 * is deleted in two steps: set aside (`trash`), then, a grace period later and still unreferenced, purged. A blob
 * set aside is still found by `open` and `has`, so one taken while someone stored the same bytes again (no store
 * offers a delete-if-unchanged) is never lost: the next collection puts it back once something references it.
 */
export interface BlobCollection {
  /** Every blob in the store, in no order. */
  listStored(): AsyncIterable<StoredBlob>;
  /** Every blob set aside, with when it was set aside. */
  listTrashed(): AsyncIterable<StoredBlob>;
  /** Sets the blob aside if its bytes were last stored before `storedBefore`; false when they were stored since. */
  trash(sha256: string, storedBefore: Date): Promise<boolean>;
  /** Puts a blob set aside back in the store. */
  restore(sha256: string): Promise<void>;
  /** Deletes a blob set aside, for good. */
  purge(sha256: string): Promise<void>;
  /** Removes what puts that never finished left behind before `before` (a crashed process); returns how many. */
  removeStaleUploads(before: Date): Promise<number>;
}

export type CollectableBlobStore = BlobStore & BlobCollection;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isBlobKey(name: string): boolean {
  return SHA256_HEX.test(name);
}

/** Keys come from URLs and records: only a well-formed hash reaches a path or an object name. */
export function checkBlobKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw storageError('storage.bad_key', `'${sha256.slice(0, 80)}' is not a SHA-256 key`);
  return sha256;
}

/** For processes that load plugins but never serve files (`tessera validate`, unit tests of plugin set-up). */
export const NO_BLOB_STORE: BlobStore = Object.freeze({
  driver: 'none',
  put: () => Promise.reject(storageError('storage.unavailable', 'this process has no file storage')),
  open: () => Promise.reject(storageError('storage.unavailable', 'this process has no file storage')),
  has: () => Promise.resolve(false),
  close: () => Promise.resolve(),
});
