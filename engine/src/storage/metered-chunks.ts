// Cuts a byte stream into parts of a fixed size while hashing and counting it, failing with storage.too_large as
// soon as it passes the limit (the rest is never read). Drivers that upload in parts (S3) use it.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { storageError } from './errors.js';

export interface MeteredChunks {
  /** Parts of exactly `partBytes` each but the last (absent when the stream is empty). */
  readonly parts: AsyncIterable<Buffer>;
  /** The hash and size, once `parts` has been read to the end. */
  result(): { sha256: string; size: number };
}

export function meteredChunks(input: Readable, maxBytes: number, partBytes: number): MeteredChunks {
  const hash = createHash('sha256');
  let size = 0;
  let done = false;
  async function* parts(): AsyncGenerator<Buffer> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const chunk of input) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      if (size > maxBytes) {
        input.destroy();
        throw storageError('storage.too_large', `the file is larger than ${maxBytes} bytes`);
      }
      hash.update(buf);
      pending.push(buf);
      pendingBytes += buf.length;
      while (pendingBytes >= partBytes) {
        const all = Buffer.concat(pending);
        yield all.subarray(0, partBytes);
        const rest = all.subarray(partBytes);
        pending = rest.length ? [rest] : [];
        pendingBytes = rest.length;
      }
    }
    if (pendingBytes > 0) yield Buffer.concat(pending);
    done = true;
  }
  return {
    parts: parts(),
    result() {
      if (!done) throw new Error('meteredChunks: result() before the stream was read to its end');
      return { sha256: hash.digest('hex'), size };
    },
  };
}
