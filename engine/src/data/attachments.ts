// Attachments: files hung on any record of any entity (a scanned annex, a licence), in one
// engine table keyed by (entity, record). Every entity has them, as in most business systems, so no pack has to
// foresee where a file will be wanted; who may see or add one follows the record's own read and update access
// (the routes check it). Rows keep the stored blob's ref; removing one marks it removed (the audit keeps who).
import type { Knex } from 'knex';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Sql } from '../db/transaction.js';
import type { FileRef } from '../metadata/file-field-kind.js';
import { EngineError } from '../shared/engine-error.js';
import type { BlobHolder } from '../storage/blob-holders.js';

export const ATTACHMENT_TABLE = 'tessera_attachment';

/** Every attachment row keeps its blob, removed ones too (the record's history still names them). */
export const ATTACHMENT_BLOB_HOLDER: BlobHolder = { source: ATTACHMENT_TABLE, table: ATTACHMENT_TABLE, keySql: 't.sha256' };

export async function ensureAttachmentTable(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${ATTACHMENT_TABLE} (
    id uuid PRIMARY KEY, entity text NOT NULL, record_id uuid NOT NULL,
    sha256 text NOT NULL, name text NOT NULL, size bigint NOT NULL, content_type text NOT NULL,
    uploaded_by uuid NOT NULL, uploaded_at timestamptz NOT NULL DEFAULT now(),
    removed_by uuid, removed_at timestamptz)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${ATTACHMENT_TABLE}_record_idx ON ${ATTACHMENT_TABLE} (entity, record_id)`);
}

export interface Attachment extends FileRef {
  readonly id: string;
  readonly uploadedBy: string;
  readonly uploadedAt: string;
}

interface Row {
  id: string;
  sha256: string;
  name: string;
  size: string;
  content_type: string;
  uploaded_by: string;
  uploaded_at: Date;
}

const COLUMNS = 'id, sha256, name, size, content_type, uploaded_by, uploaded_at';

const toAttachment = (r: Row): Attachment => ({
  id: r.id,
  sha256: r.sha256,
  name: r.name,
  size: Number(r.size),
  contentType: r.content_type,
  uploadedBy: r.uploaded_by,
  uploadedAt: new Date(r.uploaded_at).toISOString(),
});

export class Attachments {
  constructor(private readonly pool: pg.Pool) {}

  /** `db`: a transaction the attachment is part of (an approved upload), else the pool. */
  async add(entity: string, recordId: string, file: FileRef, userId: string, db: Sql = this.pool): Promise<Attachment> {
    const res = await db.query<Row>(
      `INSERT INTO ${ATTACHMENT_TABLE} (id, entity, record_id, sha256, name, size, content_type, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [uuidv7(), entity, recordId, file.sha256, file.name, file.size, file.contentType, userId],
    );
    return toAttachment(res.rows[0] as Row);
  }

  async list(entity: string, recordId: string): Promise<Attachment[]> {
    const res = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ${ATTACHMENT_TABLE} WHERE entity = $1 AND record_id = $2 AND removed_at IS NULL ORDER BY uploaded_at, id`,
      [entity, recordId],
    );
    return res.rows.map(toAttachment);
  }

  /** One attachment of the record; another record's id reads as absent. */
  async get(entity: string, recordId: string, id: string): Promise<Attachment> {
    const res = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ${ATTACHMENT_TABLE} WHERE id = $1 AND entity = $2 AND record_id = $3 AND removed_at IS NULL`,
      [id, entity, recordId],
    );
    const row = res.rows[0];
    if (!row) throw new EngineError('attachment.not_found', 404, `attachment ${id} does not exist`);
    return toAttachment(row);
  }

  async remove(entity: string, recordId: string, id: string, userId: string): Promise<void> {
    const res = await this.pool.query(
      `UPDATE ${ATTACHMENT_TABLE} SET removed_at = now(), removed_by = $4
        WHERE id = $1 AND entity = $2 AND record_id = $3 AND removed_at IS NULL`,
      [id, entity, recordId, userId],
    );
    if (res.rowCount === 0) throw new EngineError('attachment.not_found', 404, `attachment ${id} does not exist`);
  }
}
