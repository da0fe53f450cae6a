// Upload links: an outside party without an account (a supplier, a counterparty's lawyer) sends files for one record
// through a link with limits (how many files, how large, until when). What they send waits in review: internal
// reviewers, who can read the record, see the same stored bytes (one SHA-256 per submission, never replaced) and
// comment; one who may update the record approves or rejects, once. An approved file becomes an attachment of the
// record. The outside party sees, through the link, each of their files' outcome and the reviewer's note — nothing
// else of the record. Called by api/upload-link.routes.ts; tables ensured at start-up by engine.ts.
import type { Knex } from 'knex';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Attachments } from '../data/attachments.js';
import { withTransaction } from '../db/transaction.js';
import type { FileRef } from '../metadata/file-field-kind.js';
import { EngineError } from '../shared/engine-error.js';
import { hashLinkToken, newLinkToken } from '../security/link-tokens.js';
import type { BlobHolder } from '../storage/blob-holders.js';

export const UPLOAD_LINK_TABLE = 'tessera_upload_link';
export const SUBMISSION_TABLE = 'tessera_upload_submission';
export const REVIEW_COMMENT_TABLE = 'tessera_review_comment';

/** Every submission keeps its blob, rejected ones too (the outside party still sees what they sent and its outcome). */
export const SUBMISSION_BLOB_HOLDER: BlobHolder = { source: SUBMISSION_TABLE, table: SUBMISSION_TABLE, keySql: 't.sha256' };

export async function ensureUploadLinkTables(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${UPLOAD_LINK_TABLE} (
    id uuid PRIMARY KEY, token_hash text NOT NULL UNIQUE, entity text NOT NULL, record_id uuid NOT NULL,
    issued_by uuid NOT NULL, issued_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL,
    max_files integer NOT NULL, max_bytes bigint NOT NULL, revoked_at timestamptz)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${UPLOAD_LINK_TABLE}_record_idx ON ${UPLOAD_LINK_TABLE} (entity, record_id)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${SUBMISSION_TABLE} (
    id uuid PRIMARY KEY, link_id uuid NOT NULL REFERENCES ${UPLOAD_LINK_TABLE}(id), entity text NOT NULL, record_id uuid NOT NULL,
    sha256 text NOT NULL, name text NOT NULL, size bigint NOT NULL, content_type text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(), address text,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by uuid, decided_at timestamptz, decision_note text)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${SUBMISSION_TABLE}_record_idx ON ${SUBMISSION_TABLE} (entity, record_id)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${REVIEW_COMMENT_TABLE} (
    id uuid PRIMARY KEY, submission_id uuid NOT NULL REFERENCES ${SUBMISSION_TABLE}(id), author uuid NOT NULL,
    body text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
}

export interface UploadLimitsOfLink {
  readonly expiresAt: Date;
  readonly maxFiles: number;
  readonly maxBytes: number;
}

interface LinkRow {
  id: string;
  entity: string;
  record_id: string;
  expires_at: Date;
  max_files: number;
  max_bytes: string;
  revoked_at: Date | null;
  used: number;
}

export interface OpenUploadLink {
  readonly id: string;
  readonly entity: string;
  readonly recordId: string;
  readonly expiresAt: string;
  readonly maxFiles: number;
  readonly maxBytes: number;
  readonly remaining: number;
}

const SUBMISSION_COLUMNS = `s.id, s.name, s.size::int AS size, s.content_type AS "contentType", s.sha256, s.submitted_at AS "submittedAt",
  s.status, s.decision_note AS "decisionNote", s.decided_at AS "decidedAt"`;

export class UploadLinks {
  constructor(
    private readonly pool: pg.Pool,
    private readonly attachments: Attachments,
  ) {}

  async issue(entity: string, recordId: string, limits: UploadLimitsOfLink, userId: string): Promise<{ id: string; token: string }> {
    const id = uuidv7();
    const token = newLinkToken();
    await this.pool.query(
      `INSERT INTO ${UPLOAD_LINK_TABLE} (id, token_hash, entity, record_id, issued_by, expires_at, max_files, max_bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, hashLinkToken(token), entity, recordId, userId, limits.expiresAt.toISOString(), limits.maxFiles, limits.maxBytes],
    );
    return { id, token };
  }

  async revoke(entity: string, recordId: string, id: string): Promise<void> {
    const res = await this.pool.query(
      `UPDATE ${UPLOAD_LINK_TABLE} SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND entity = $2 AND record_id = $3`,
      [id, entity, recordId],
    );
    if (res.rowCount === 0) throw new EngineError('upload_link.not_found', 404, `upload link ${id} does not exist`);
  }

  /** The record's links, oldest first, with how many files each has taken (tokens are not kept, so not shown). */
  async list(entity: string, recordId: string): Promise<Record<string, unknown>[]> {
    const res = await this.pool.query(
      `SELECT l.id, l.issued_by AS "issuedBy", l.issued_at AS "issuedAt", l.expires_at AS "expiresAt", l.max_files AS "maxFiles",
              l.max_bytes::float8 AS "maxBytes", l.revoked_at AS "revokedAt",
              (SELECT count(*)::int FROM ${SUBMISSION_TABLE} s WHERE s.link_id = l.id) AS used
         FROM ${UPLOAD_LINK_TABLE} l WHERE l.entity = $1 AND l.record_id = $2 ORDER BY l.issued_at, l.id`,
      [entity, recordId],
    );
    return res.rows;
  }

  /** The link a token names, while it works: unknown 404; revoked or expired 410. */
  async open(token: string): Promise<OpenUploadLink> {
    const res = await this.pool.query<LinkRow>(
      `SELECT l.id, l.entity, l.record_id, l.expires_at, l.max_files, l.max_bytes, l.revoked_at,
              (SELECT count(*)::int FROM ${SUBMISSION_TABLE} s WHERE s.link_id = l.id) AS used
         FROM ${UPLOAD_LINK_TABLE} l WHERE l.token_hash = $1`,
      [hashLinkToken(token)],
    );
    const row = res.rows[0];
    if (!row) throw new EngineError('upload_link.not_found', 404, 'this link does not exist');
    if (row.revoked_at) throw new EngineError('upload_link.revoked', 410, 'this link has been revoked');
    if (new Date(row.expires_at).getTime() <= Date.now()) throw new EngineError('upload_link.expired', 410, 'this link has expired');
    return {
      id: row.id,
      entity: row.entity,
      recordId: row.record_id,
      expiresAt: new Date(row.expires_at).toISOString(),
      maxFiles: row.max_files,
      maxBytes: Number(row.max_bytes),
      remaining: Math.max(0, row.max_files - row.used),
    };
  }

  /** Refuses a link that has taken all its files (before any byte is stored). */
  requireRoom(link: OpenUploadLink): void {
    if (link.remaining <= 0) throw new EngineError('upload_link.full', 409, `this link takes ${link.maxFiles} files and has them all`);
  }

  /** Records a stored file as waiting for review; the count is checked again under the link's lock. */
  async submit(link: OpenUploadLink, file: FileRef, address: string): Promise<Record<string, unknown>> {
    return withTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT id FROM ${UPLOAD_LINK_TABLE} WHERE id = $1 FOR UPDATE`, [link.id]);
      const used = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${SUBMISSION_TABLE} WHERE link_id = $1`, [link.id]);
      if ((used.rows[0]?.n ?? 0) >= link.maxFiles) this.requireRoom({ ...link, remaining: 0 });
      const id = uuidv7();
      await tx.query(
        `INSERT INTO ${SUBMISSION_TABLE} (id, link_id, entity, record_id, sha256, name, size, content_type, address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, link.id, link.entity, link.recordId, file.sha256, file.name, file.size, file.contentType, address.slice(0, 100)],
      );
      return { id, ...file, status: 'pending' };
    });
  }

  /** What the outside party sees: their own files and each one's outcome. */
  async ofLink(linkId: string): Promise<Record<string, unknown>[]> {
    const res = await this.pool.query(
      `SELECT ${SUBMISSION_COLUMNS} FROM ${SUBMISSION_TABLE} s WHERE s.link_id = $1 ORDER BY s.submitted_at, s.id`,
      [linkId],
    );
    return res.rows;
  }

  /** What reviewers see: every submission for the record, with its comments. */
  async ofRecord(entity: string, recordId: string): Promise<Record<string, unknown>[]> {
    const res = await this.pool.query(
      `SELECT ${SUBMISSION_COLUMNS}, s.decided_by AS "decidedBy", s.link_id AS "linkId",
              coalesce((SELECT json_agg(json_build_object('author', c.author, 'body', c.body, 'at', c.at) ORDER BY c.at, c.id)
                          FROM ${REVIEW_COMMENT_TABLE} c WHERE c.submission_id = s.id), '[]'::json) AS comments
         FROM ${SUBMISSION_TABLE} s WHERE s.entity = $1 AND s.record_id = $2 ORDER BY s.submitted_at, s.id`,
      [entity, recordId],
    );
    return res.rows;
  }

  async get(entity: string, recordId: string, id: string): Promise<FileRef & { status: string }> {
    const res = await this.pool.query<FileRef & { status: string }>(
      `SELECT s.sha256, s.name, s.size::int AS size, s.content_type AS "contentType", s.status
         FROM ${SUBMISSION_TABLE} s WHERE s.id = $1 AND s.entity = $2 AND s.record_id = $3`,
      [id, entity, recordId],
    );
    const row = res.rows[0];
    if (!row) throw new EngineError('review.not_found', 404, `submission ${id} does not exist`);
    return row;
  }

  async comment(entity: string, recordId: string, id: string, author: string, body: string): Promise<void> {
    await this.get(entity, recordId, id);
    await this.pool.query(`INSERT INTO ${REVIEW_COMMENT_TABLE} (id, submission_id, author, body) VALUES ($1, $2, $3, $4)`, [
      uuidv7(),
      id,
      author,
      body,
    ]);
  }

  /** Approves or rejects a waiting submission, once; an approved file joins the record's attachments in the same transaction. */
  async decide(
    entity: string,
    recordId: string,
    id: string,
    decision: 'approved' | 'rejected',
    note: string | null,
    userId: string,
  ): Promise<void> {
    const file = await this.get(entity, recordId, id);
    await withTransaction(this.pool, async (tx) => {
      const res = await tx.query(
        `UPDATE ${SUBMISSION_TABLE} SET status = $2, decision_note = $3, decided_by = $4, decided_at = now() WHERE id = $1 AND status = 'pending'`,
        [id, decision, note, userId],
      );
      if (res.rowCount === 0) throw new EngineError('review.decided', 409, `submission ${id} has already been ${file.status}`);
      if (decision === 'approved') await this.attachments.add(entity, recordId, file, userId, tx);
    });
  }
}
