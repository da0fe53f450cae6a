import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../../../engine/src/storage/local-blob-store.js';

describe('LocalBlobStore', () => {
  let dir: string;
  let store: LocalBlobStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blobs-'));
    store = new LocalBlobStore(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keys a blob by the SHA-256 of its bytes and streams them back', async () => {
    const body = '合同 contract v1';
    const info = await store.put(Readable.from([Buffer.from('合同 '), Buffer.from('contract v1')]), { maxBytes: 1000 });
    expect(info).toEqual({ sha256: createHash('sha256').update(body).digest('hex'), size: Buffer.byteLength(body) });
    expect(await store.has(info.sha256)).toBe(true);
    expect(await text(await store.open(info.sha256))).toBe(body);
    expect(await store.put(Buffer.from(body), { maxBytes: 1000 })).toEqual(info);
  });

  it('refuses a blob past the limit and keeps nothing of it', async () => {
    await expect(store.put(Buffer.alloc(2048), { maxBytes: 1024 })).rejects.toMatchObject({ code: 'storage.too_large', status: 413 });
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['tmp']);
  });

  it('refuses a key that is not a hash before it reaches the file system', async () => {
    await expect(store.open('../../etc/passwd')).rejects.toMatchObject({ code: 'storage.bad_key', status: 400 });
    await expect(store.open('a'.repeat(64))).rejects.toMatchObject({ code: 'storage.not_found', status: 404 });
  });
});
