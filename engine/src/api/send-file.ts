// Streams a stored file as a download: never buffered, with its real type, its name in Content-Disposition per
// RFC 6266 (an ASCII fallback plus the UTF-8 name in filename*), and headers that stop a browser from sniffing or
// rendering it as a page of ours. Called by every route that serves file bytes.
import type { Context } from 'koa';
import type { FileRef } from '../metadata/file-field-kind.js';
import type { BlobStore } from '../storage/blob-store.js';

/** RFC 8187 ext-value: UTF-8, percent-encoding everything outside attr-char. */
function extValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function contentDisposition(name: string, inline = false): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${extValue(name)}`;
}

export async function sendFile(ctx: Context, store: BlobStore, file: FileRef): Promise<void> {
  const stream = await store.open(file.sha256);
  ctx.status = 200;
  ctx.type = file.contentType;
  ctx.length = file.size;
  ctx.set('Content-Disposition', contentDisposition(file.name));
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
  ctx.set('Cache-Control', 'private, no-store');
  ctx.set('ETag', `"${file.sha256}"`);
  ctx.body = stream;
}
