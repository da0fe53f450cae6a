// The one contract every storage driver keeps, run against the local folder and against S3 (a real s3rver on
// loopback): content addressing, streaming in and out, nothing visible or left behind when a put fails; and what
// garbage collection needs (#25): listing, setting aside only what was stored before a time, still serving what is
// aside, putting it back or purging it, and removing what crashed puts left.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../engine/src/config/config.js';
import type { CollectableBlobStore, StoredBlob } from '../../../engine/src/storage/blob-store.js';
import { createBlobStore } from '../../../engine/src/storage/create-blob-store.js';
import { startS3Server, type TestS3Server } from '../../support/s3-server.js';

interface Driver {
  store: CollectableBlobStore;
  /** Every object or file the driver holds, temporary ones included. */
  leftovers(): Promise<string[]>;
  /** Leaves what a put that crashed half-way leaves: a temporary file or object. */
  strayUpload(): Promise<void>;
  stop(): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function localDriver(): Promise<Driver> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-blobs-'));
  const store = await createBlobStore(loadConfig({ TESSERA_FILES_DIR: dir }));
  return {
    store,
    leftovers: () => filesUnder(dir),
    async strayUpload() {
      await mkdir(join(dir, 'tmp'), { recursive: true });
      await writeFile(join(dir, 'tmp', 'crashed-put'), 'half a file');
    },
    stop: () => rm(dir, { recursive: true, force: true }),
  };
}

async function s3Driver(): Promise<Driver> {
  const server: TestS3Server = await startS3Server();
  const store = await createBlobStore(loadConfig(server.env));
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    store,
    async leftovers() {
      const res = await client.send(new ListObjectsV2Command({ Bucket: server.bucket }));
      return (res.Contents ?? []).map((o) => o.Key ?? '');
    },
    async strayUpload() {
      await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'tmp/crashed-put', Body: 'half a file' }));
    },
    async stop() {
      await store.close();
      client.destroy();
      await server.stop();
    },
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A stream of `total` random bytes in 64 KiB chunks, and their hash. */
function randomStream(total: number): { stream: Readable; sha256: string } {
  const bytes = randomBytes(total);
  const chunks: Buffer[] = [];
  for (let i = 0; i < total; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
  return { stream: Readable.from(chunks), sha256: sha(bytes) };
}

describe.each([
  ['local', localDriver],
  ['s3', s3Driver],
])('blob store contract: %s driver', (name, make) => {
  let d: Driver;
  beforeAll(async () => {
    d = await make();
  }, 30_000);
  afterAll(async () => d?.stop());

  it('names the driver it is', () => {
    expect(d.store.driver).toBe(name);
  });

  it('stores bytes under their SHA-256 and streams them back', async () => {
    const bytes = Buffer.from('合同 v1 — the same bytes are one blob');
    const info = await d.store.put(bytes, { maxBytes: 1024 });
    expect(info).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect(await d.store.has(info.sha256)).toBe(true);
    expect(await buffer(await d.store.open(info.sha256))).toEqual(bytes);
    // The same bytes again are the same blob.
    expect(await d.store.put(Readable.from([bytes]), { maxBytes: 1024 })).toEqual(info);
  });

  it('streams a file larger than one upload part, hashing as it goes', async () => {
    const { stream, sha256 } = randomStream(12 * 1024 * 1024 + 123);
    const info = await d.store.put(stream, { maxBytes: 20 * 1024 * 1024 });
    expect(info).toEqual({ sha256, size: 12 * 1024 * 1024 + 123 });
    expect(sha(await buffer(await d.store.open(sha256)))).toBe(sha256);
  }, 60_000);

  it('stores an empty file', async () => {
    const info = await d.store.put(new Uint8Array(0), { maxBytes: 10 });
    expect(info.size).toBe(0);
    expect((await buffer(await d.store.open(info.sha256))).length).toBe(0);
  });

  it('refuses a file past the limit and keeps nothing of it', async () => {
    const before = await d.leftovers();
    const { stream, sha256 } = randomStream(6 * 1024 * 1024);
    await expect(d.store.put(stream, { maxBytes: 5 * 1024 * 1024 + 7 })).rejects.toMatchObject({ code: 'storage.too_large', status: 413 });
    expect(await d.store.has(sha256)).toBe(false);
    expect(await d.leftovers()).toEqual(before);
  }, 60_000);

  it('keeps nothing when the source stream breaks part way', async () => {
    const before = await d.leftovers();
    async function* broken() {
      yield Buffer.alloc(1000, 1);
      throw new Error('connection reset');
    }
    await expect(d.store.put(Readable.from(broken()), { maxBytes: 1_000_000 })).rejects.toThrow('connection reset');
    expect(await d.leftovers()).toEqual(before);
  });

  it('answers a missing blob as not found and a malformed key as a bad key', async () => {
    const missing = sha(Buffer.from('never stored'));
    expect(await d.store.has(missing)).toBe(false);
    await expect(d.store.open(missing)).rejects.toMatchObject({ code: 'storage.not_found', status: 404 });
    await expect(d.store.open('../../etc/passwd')).rejects.toMatchObject({ code: 'storage.bad_key', status: 400 });
    await expect(d.store.has('A'.repeat(64))).rejects.toMatchObject({ code: 'storage.bad_key' });
  });

  const keys = async (blobs: AsyncIterable<StoredBlob>) => {
    const out: string[] = [];
    for await (const b of blobs) out.push(b.sha256);
    return out;
  };
  const later = () => new Date(Date.now() + 5_000);
  const earlier = () => new Date(Date.now() - 60_000);

  it('lists stored blobs with when they were stored, and sets one aside only if stored before the time given', async () => {
    const bytes = Buffer.from(`aside ${name}`);
    const { sha256 } = await d.store.put(bytes, { maxBytes: 1024 });
    const listed: StoredBlob[] = [];
    for await (const b of d.store.listStored()) if (b.sha256 === sha256) listed.push(b);
    expect(listed).toHaveLength(1);
    expect(Math.abs(listed[0]!.storedAt.getTime() - Date.now())).toBeLessThan(10_000);
    // Stored after the time given: it stays.
    expect(await d.store.trash(sha256, earlier())).toBe(false);
    expect(await keys(d.store.listStored())).toContain(sha256);

    expect(await d.store.trash(sha256, later())).toBe(true);
    expect(await keys(d.store.listStored())).not.toContain(sha256);
    expect(await keys(d.store.listTrashed())).toContain(sha256);
    // Aside, it is still found and served.
    expect(await d.store.has(sha256)).toBe(true);
    expect(await buffer(await d.store.open(sha256))).toEqual(bytes);

    await d.store.restore(sha256);
    expect(await keys(d.store.listStored())).toContain(sha256);
    expect(await keys(d.store.listTrashed())).not.toContain(sha256);

    expect(await d.store.trash(sha256, later())).toBe(true);
    await d.store.purge(sha256);
    expect(await d.store.has(sha256)).toBe(false);
    await expect(d.store.open(sha256)).rejects.toMatchObject({ code: 'storage.not_found' });
    expect([...(await keys(d.store.listStored())), ...(await keys(d.store.listTrashed()))]).not.toContain(sha256);
  });

  it('keeps the stored copy when the same bytes came back while one was aside', async () => {
    const bytes = Buffer.from(`again ${name}`);
    const { sha256 } = await d.store.put(bytes, { maxBytes: 1024 });
    expect(await d.store.trash(sha256, later())).toBe(true);
    await d.store.put(bytes, { maxBytes: 1024 });
    await d.store.restore(sha256);
    expect(await keys(d.store.listStored())).toContain(sha256);
    expect(await keys(d.store.listTrashed())).not.toContain(sha256);
    expect(await buffer(await d.store.open(sha256))).toEqual(bytes);
  });

  it('removes what a crashed put left once it is older than the time given', async () => {
    const before = await d.leftovers();
    await d.strayUpload();
    expect(await d.store.removeStaleUploads(earlier())).toBe(0);
    expect((await d.leftovers()).length).toBe(before.length + 1);
    expect(await d.store.removeStaleUploads(later())).toBe(1);
    expect(await d.leftovers()).toEqual(before);
  });
});
