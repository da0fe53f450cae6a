// Rendered files kept: the bytes in the blob store (content-addressed), a render_document record naming their
// SHA-256 and size, what they were rendered from, who rendered them and when. Only this plugin writes such records
// (the flag below is set around its own writes, so a client cannot record a hash it never rendered), and none is
// ever changed or deleted: a signing request fixes the hash it signs.
import { AsyncLocalStorage } from 'node:async_hooks';
import { PluginRejection, type PluginHost, type PluginRecords } from '../../engine/src/plugins/plugin-api.js';
import type { RenderTarget } from './merge-data.js';

const writing = new AsyncLocalStorage<true>();

/** Largest rendered file kept (a long contract with images stays far below it). */
export const MAX_RENDERED_BYTES = 64 * 1024 * 1024;

export type RenderFormat = 'pdf' | 'docx' | 'xlsx';

export const CONTENT_TYPES: Readonly<Record<RenderFormat, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface Rendition {
  readonly target: RenderTarget;
  readonly format: RenderFormat;
  readonly fileName: string;
  /** The one record rendered, or the records of a batch. */
  readonly recordId?: string;
  readonly records?: readonly string[];
  readonly contract?: string;
  readonly contractVersion?: number;
  readonly template?: string;
  /** Who asked, when the write runs as the system (a plugin route). */
  readonly renderedBy?: string | null;
}

export interface StoredRendition {
  readonly id: string;
  readonly sha256: string;
  readonly size: number;
  readonly file_name: string;
  readonly download: string;
}

export function guardRenditions(host: PluginHost): void {
  const readOnly = (): never => {
    throw new PluginRejection('a rendered document is kept as rendered', '', 'rendering.read_only', 403);
  };
  host.before(
    'record.beforeCreate',
    ({ changes, actor }) => {
      if (writing.getStore() !== true)
        throw new PluginRejection('rendered documents are recorded by rendering a record', '', 'rendering.read_only', 403);
      changes.rendered_by ??= actor.id;
      changes.rendered_at = new Date().toISOString();
    },
    { entities: ['render_document'] },
  );
  host.before('record.beforeUpdate', readOnly, { entities: ['render_document'] });
  host.before('record.beforeDelete', readOnly, { entities: ['render_document'] });
}

export async function storeRendition(host: PluginHost, records: PluginRecords, bytes: Uint8Array, r: Rendition): Promise<StoredRendition> {
  const blob = await host.blobs.put(bytes, { maxBytes: MAX_RENDERED_BYTES });
  const record = await writing.run(true, () =>
    records.create('render_document', {
      file_name: r.fileName,
      target: r.target,
      format: r.format,
      sha256: blob.sha256,
      size: blob.size,
      ...(r.recordId ? { record_id: r.recordId } : {}),
      ...(r.records ? { records: r.records } : {}),
      ...(r.contract ? { contract: r.contract } : {}),
      ...(r.contractVersion !== undefined ? { contract_version: r.contractVersion } : {}),
      ...(r.template ? { template: r.template } : {}),
      ...(r.renderedBy !== undefined ? { rendered_by: r.renderedBy } : {}),
    }),
  );
  return {
    id: record.id,
    sha256: blob.sha256,
    size: blob.size,
    file_name: r.fileName,
    download: `/api/plugins/rendering/documents/${record.id}/file`,
  };
}
