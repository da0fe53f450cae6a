// Takes one uploaded file off a request stream into the blob store: checks the name, reads just enough of the head
// to sniff the type, then streams the head and the rest into the store under the size limit. Anything refused is
// refused before (or, for the size, while) the bytes are stored, and a refused put keeps nothing. Called by the
// file, attachment and upload-link routes.
import { Readable } from 'node:stream';
import type { FileRef } from '../metadata/file-field-kind.js';
import type { BlobStore } from './blob-store.js';
import { storageError } from './errors.js';
import { checkFileName } from './file-name.js';
import { sniffType } from './sniff-type.js';

/** Enough for file-type to see into zip containers (docx, xlsx) as well as plain signatures. */
const SNIFF_BYTES = 64 * 1024;

export interface UploadLimits {
  readonly maxBytes: number;
  readonly types: readonly string[];
}

export interface IncomingFile {
  readonly body: Readable;
  readonly name: string | undefined;
  readonly contentType: string | undefined;
  /** The Content-Length header, when sent: a body announced too large is refused before a byte is read. */
  readonly length: number | undefined;
}

async function takeHead(body: Readable): Promise<{ head: Buffer; rest: AsyncIterator<unknown> }> {
  const it = body[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let bytes = 0;
  while (bytes < SNIFF_BYTES) {
    const next = await it.next();
    if (next.done) break;
    const buf = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    chunks.push(buf);
    bytes += buf.length;
  }
  return { head: Buffer.concat(chunks), rest: it };
}

/**
 * Whatever is refused, the rest of the request body is read and dropped, so the client (still sending) gets the
 * 4xx answer rather than a reset connection.
 */
export async function receiveFile(store: BlobStore, file: IncomingFile, limits: UploadLimits): Promise<FileRef> {
  try {
    return await receive(store, file, limits);
  } catch (err) {
    // The head was read through an async iterator, which listens for 'readable'; without that listener the
    // stream can flow (and drop) the rest.
    if (!file.body.destroyed) {
      file.body.removeAllListeners('readable');
      file.body.resume();
    }
    throw err;
  }
}

async function receive(store: BlobStore, file: IncomingFile, limits: UploadLimits): Promise<FileRef> {
  const name = checkFileName(file.name);
  if (file.length !== undefined && file.length > limits.maxBytes) {
    throw storageError('storage.too_large', `the file is larger than ${limits.maxBytes} bytes`);
  }
  const { head, rest } = await takeHead(file.body);
  if (head.length > limits.maxBytes) throw storageError('storage.too_large', `the file is larger than ${limits.maxBytes} bytes`);
  const contentType = await sniffType(head, name, file.contentType, limits.types);
  async function* whole(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) {
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    }
  }
  const { sha256, size } = await store.put(Readable.from(whole()), { maxBytes: limits.maxBytes });
  return { sha256, name, size, contentType };
}
