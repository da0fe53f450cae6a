// The scaled topology's driver: blobs as objects in an S3-compatible bucket (blobs/<sha256>). A put streams the
// bytes as a multipart upload to a temporary key while hashing and counting them, holding one part in memory at a
// time; only when every byte is in does it copy the object to its content key and drop the temporary one, so a
// reader never sees half a blob and a refused upload (too large, broken stream) is aborted and leaves nothing.
// Garbage collection sets blobs aside under trash/<sha256> (copied there, then deleted), where open and has still
// find them until they are purged.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import type { StorageConfig } from '../config/config.js';
import { checkBlobKey, isBlobKey, type BlobInfo, type CollectableBlobStore, type PutOptions, type StoredBlob } from './blob-store.js';
import { storageError } from './errors.js';
import { meteredChunks } from './metered-chunks.js';

/** The S3 settings of the config (config.ts says what each means). */
export type S3Settings = Omit<Extract<StorageConfig, { driver: 's3' }>, 'driver'>;

/** S3's smallest part but the last; parts are cut at this size so memory stays one part per upload. */
const PART_BYTES = 5 * 1024 * 1024;

const BLOBS = 'blobs/';
const TRASH = 'trash/';
const TMP = 'tmp/';
/** Object times come in whole seconds: a blob may have been stored up to this much after the time given. */
const TIME_GRAIN_MS = 1000;

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

export class S3BlobStore implements CollectableBlobStore {
  readonly driver = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.accessKeyId && settings.secretAccessKey
        ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
        : {}),
    });
  }

  private keyOf(sha256: string): string {
    return `${BLOBS}${sha256}`;
  }

  async put(source: Readable | Uint8Array, options: PutOptions): Promise<BlobInfo> {
    const tmpKey = `${TMP}${randomUUID()}`;
    const input = source instanceof Readable ? source : Readable.from([Buffer.from(source)]);
    const metered = meteredChunks(input, options.maxBytes, PART_BYTES);
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: tmpKey }));
    const uploadId = created.UploadId;
    if (!uploadId) throw storageError('storage.unavailable', 'the object store started no upload');
    const parts: CompletedPart[] = [];
    try {
      for await (const part of metered.parts) {
        const PartNumber = parts.length + 1;
        const res = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: tmpKey, UploadId: uploadId, PartNumber, Body: part }),
        );
        parts.push({ ETag: res.ETag, PartNumber });
      }
      // An empty blob is still one (empty) part: S3 completes no upload without parts.
      if (parts.length === 0) {
        const res = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: tmpKey, UploadId: uploadId, PartNumber: 1, Body: Buffer.alloc(0) }),
        );
        parts.push({ ETag: res.ETag, PartNumber: 1 });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: tmpKey, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: tmpKey, UploadId: uploadId })).catch(() => {});
      throw err;
    }
    const { sha256, size } = metered.result();
    try {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256), CopySource: `${this.bucket}/${tmpKey}` }),
      );
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmpKey })).catch(() => {});
    }
    return { sha256, size };
  }

  /** The object under `key`, or undefined when there is none. */
  private async get(key: string): Promise<Readable | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(res.Body instanceof Readable)) throw storageError('storage.unavailable', 'the object store sent no stream');
      return res.Body;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** When the object under `key` was last written (the latest it can have been), or undefined when there is none. */
  private async storedAt(key: string): Promise<Date | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.LastModified ? new Date(res.LastModified.getTime() + TIME_GRAIN_MS) : new Date();
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async open(sha256: string): Promise<Readable> {
    const body = (await this.get(this.keyOf(checkBlobKey(sha256)))) ?? (await this.get(`${TRASH}${sha256}`));
    if (!body) throw storageError('storage.not_found', `no file ${sha256}`);
    return body;
  }

  async has(sha256: string): Promise<boolean> {
    return (
      (await this.storedAt(this.keyOf(checkBlobKey(sha256)))) !== undefined || (await this.storedAt(`${TRASH}${sha256}`)) !== undefined
    );
  }

  private async *list(prefix: string): AsyncIterable<{ name: string; storedAt: Date }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { name: o.Key.slice(prefix.length), storedAt: new Date((o.LastModified?.getTime() ?? Date.now()) + TIME_GRAIN_MS) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async *listStored(): AsyncIterable<StoredBlob> {
    for await (const o of this.list(BLOBS)) if (isBlobKey(o.name)) yield { sha256: o.name, storedAt: o.storedAt };
  }

  async *listTrashed(): AsyncIterable<StoredBlob> {
    for await (const o of this.list(TRASH)) if (isBlobKey(o.name)) yield { sha256: o.name, storedAt: o.storedAt };
  }

  async trash(sha256: string, storedBefore: Date): Promise<boolean> {
    const key = this.keyOf(checkBlobKey(sha256));
    const at = await this.storedAt(key);
    if (!at || at >= storedBefore) return false;
    // S3 has no rename and no delete-if-unchanged: the copy set aside keeps the bytes should a put of the same bytes
    // land between the check above and the delete below.
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: `${TRASH}${sha256}`, CopySource: `${this.bucket}/${key}` }));
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    return true;
  }

  async restore(sha256: string): Promise<void> {
    const aside = `${TRASH}${checkBlobKey(sha256)}`;
    if ((await this.storedAt(this.keyOf(sha256))) === undefined) {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256), CopySource: `${this.bucket}/${aside}` }),
      );
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: aside }));
  }

  async purge(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${TRASH}${checkBlobKey(sha256)}` }));
  }

  /** Temporary objects of puts that stopped before deleting them; unfinished multipart uploads are the bucket's lifecycle rule's. */
  async removeStaleUploads(before: Date): Promise<number> {
    let removed = 0;
    for await (const o of this.list(TMP)) {
      if (o.storedAt >= before) continue;
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${TMP}${o.name}` }));
      removed += 1;
    }
    return removed;
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}
