// The embedded default: blobs as files under one folder (<dir>/ab/cd/<sha256>). A put streams into a temporary
// file while hashing and counting, then renames it into place, so a reader never sees half a blob and a refused
// upload leaves nothing behind. Garbage collection sets blobs aside by renaming them into <dir>/trash/ (atomic), where
// open and has still find them until they are purged.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, opendir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkBlobKey, isBlobKey, type BlobInfo, type CollectableBlobStore, type PutOptions, type StoredBlob } from './blob-store.js';
import { storageError } from './errors.js';

const TWO_HEX = /^[0-9a-f]{2}$/;

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The file's modification time, or undefined when there is no such file. */
async function modifiedAt(path: string): Promise<Date | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.mtime : undefined;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The names in a folder, none when it does not exist. */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

export class LocalBlobStore implements CollectableBlobStore {
  readonly driver = 'local';
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private trashPathOf(sha256: string): string {
    return join(this.dir, 'trash', sha256);
  }

  async put(source: Readable | Uint8Array, options: PutOptions): Promise<BlobInfo> {
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > options.maxBytes) {
          done(storageError('storage.too_large', `the file is larger than ${options.maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const input = source instanceof Readable ? source : Readable.from([Buffer.from(source)]);
    try {
      await pipeline(input, meter, createWriteStream(tmp));
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await mkdir(join(target, '..'), { recursive: true });
      await rename(tmp, target);
      return { sha256, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Where the blob's bytes are: in the store, else set aside; undefined when neither. */
  private async locate(sha256: string): Promise<string | undefined> {
    for (const path of [this.pathOf(checkBlobKey(sha256)), this.trashPathOf(sha256)]) if (await modifiedAt(path)) return path;
    return undefined;
  }

  async open(sha256: string): Promise<Readable> {
    const path = await this.locate(sha256);
    if (!path) throw storageError('storage.not_found', `no file ${sha256}`);
    return createReadStream(path);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.locate(sha256)) !== undefined;
  }

  async *listStored(): AsyncIterable<StoredBlob> {
    for (const a of await namesIn(this.dir)) {
      if (!TWO_HEX.test(a)) continue;
      for (const b of await namesIn(join(this.dir, a))) {
        if (!TWO_HEX.test(b)) continue;
        // Streamed: a folder may hold many blobs.
        const folder = await opendir(join(this.dir, a, b)).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)));
        if (!folder) continue;
        for await (const entry of folder) {
          if (!entry.isFile() || !isBlobKey(entry.name)) continue;
          const storedAt = await modifiedAt(join(this.dir, a, b, entry.name));
          if (storedAt) yield { sha256: entry.name, storedAt };
        }
      }
    }
  }

  async *listTrashed(): AsyncIterable<StoredBlob> {
    for (const name of await namesIn(join(this.dir, 'trash'))) {
      if (!isBlobKey(name)) continue;
      const storedAt = await modifiedAt(this.trashPathOf(name));
      if (storedAt) yield { sha256: name, storedAt };
    }
  }

  async trash(sha256: string, storedBefore: Date): Promise<boolean> {
    const live = this.pathOf(checkBlobKey(sha256));
    const before = await modifiedAt(live);
    if (!before || before >= storedBefore) return false;
    const aside = this.trashPathOf(sha256);
    await mkdir(join(this.dir, 'trash'), { recursive: true });
    try {
      await rename(live, aside);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    // A put of the same bytes may have landed between the check and the rename: the file taken is then a fresh
    // one, and goes back (its bytes are the same whatever is in place now).
    if (((await modifiedAt(aside)) ?? storedBefore) >= storedBefore) {
      await rename(aside, live);
      return false;
    }
    // From now on the file's time is when it was set aside: the grace period before it is purged starts here.
    const now = new Date();
    await utimes(aside, now, now);
    return true;
  }

  async restore(sha256: string): Promise<void> {
    const aside = this.trashPathOf(checkBlobKey(sha256));
    const live = this.pathOf(sha256);
    if (await modifiedAt(live)) {
      await rm(aside, { force: true });
      return;
    }
    await mkdir(join(live, '..'), { recursive: true });
    await rename(aside, live);
  }

  async purge(sha256: string): Promise<void> {
    await rm(this.trashPathOf(checkBlobKey(sha256)), { force: true });
  }

  async removeStaleUploads(before: Date): Promise<number> {
    let removed = 0;
    for (const name of await namesIn(join(this.dir, 'tmp'))) {
      const path = join(this.dir, 'tmp', name);
      const at = await modifiedAt(path);
      if (!at || at >= before) continue;
      await rm(path, { force: true });
      removed += 1;
    }
    return removed;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
