// Share links: a link to the file in one file field of one record (a document's current version), for
// someone without an account. The link names the field, not the bytes, so it always serves what the field holds
// when it is opened — upload a new version and the same link serves that. Each link has an expiry, and may have a
// password (scrypt), be good for one download, and be revoked. Every use, good or refused, is logged with its time,
// address and outcome; a token that names no link is logged too. Called by api/share-link.routes.ts; the tables are
// ensured at start-up by engine.ts.
import type { Knex } from 'knex';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { FileRef } from '../metadata/file-field-kind.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { checkLinkPassword, hashLinkPassword, hashLinkToken, newLinkToken } from '../security/link-tokens.js';

export const SHARE_LINK_TABLE = 'tessera_share_link';
export const SHARE_ACCESS_TABLE = 'tessera_share_access';

export async function ensureShareLinkTables(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${SHARE_LINK_TABLE} (
    id uuid PRIMARY KEY, token_hash text NOT NULL UNIQUE, entity text NOT NULL, record_id uuid NOT NULL, field text NOT NULL,
    issued_by uuid NOT NULL, issued_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL,
    password_hash text, once boolean NOT NULL DEFAULT false, used_at timestamptz,
    revoked_at timestamptz, revoked_by uuid)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${SHARE_LINK_TABLE}_record_idx ON ${SHARE_LINK_TABLE} (entity, record_id)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${SHARE_ACCESS_TABLE} (
    id uuid PRIMARY KEY, link_id uuid, at timestamptz NOT NULL DEFAULT now(), address text, user_agent text,
    outcome text NOT NULL, sha256 text)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${SHARE_ACCESS_TABLE}_link_idx ON ${SHARE_ACCESS_TABLE} (link_id, at)`);
}

export interface ShareOptions {
  readonly field: string;
  readonly expiresAt: Date;
  readonly password?: string;
  readonly once: boolean;
}

/** Who is opening a link, for the log. */
export interface Visitor {
  readonly address: string;
  readonly userAgent: string;
}

interface LinkRow {
  id: string;
  entity: string;
  record_id: string;
  field: string;
  expires_at: Date;
  password_hash: string | null;
  once: boolean;
  used_at: Date | null;
  revoked_at: Date | null;
}

/** Refusals a link holder may see; a token that names no link is 404, one that did and no longer works, 410. */
const REFUSALS = {
  not_found: [404, 'this link does not exist'],
  expired: [410, 'this link has expired'],
  revoked: [410, 'this link has been revoked'],
  used: [410, 'this link was for one download and has been used'],
  password_required: [401, 'this link needs its password (send it percent-encoded in the X-Share-Password header)'],
  bad_password: [403, 'the password is wrong'],
  too_many_attempts: [429, 'too many wrong passwords for this link; try again later'],
  gone: [410, 'the shared file is no longer there'],
} as const;
type Refusal = keyof typeof REFUSALS;

const WRONG_PASSWORDS = 10;
const WRONG_PASSWORD_WINDOW = '15 minutes';

export class ShareLinks {
  constructor(
    private readonly pool: pg.Pool,
    private readonly runtime: () => ModelRuntime,
  ) {}

  /** Issues a link; the caller has been checked for the record (routes) — the token is returned once. */
  async issue(entity: string, recordId: string, options: ShareOptions, userId: string): Promise<{ id: string; token: string }> {
    const id = uuidv7();
    const token = newLinkToken();
    const password = options.password ? await hashLinkPassword(options.password) : null;
    await this.pool.query(
      `INSERT INTO ${SHARE_LINK_TABLE} (id, token_hash, entity, record_id, field, issued_by, expires_at, password_hash, once)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, hashLinkToken(token), entity, recordId, options.field, userId, options.expiresAt.toISOString(), password, options.once],
    );
    return { id, token };
  }

  async list(entity: string, recordId: string): Promise<Record<string, unknown>[]> {
    const res = await this.pool.query(
      `SELECT l.id, l.field, l.issued_by AS "issuedBy", l.issued_at AS "issuedAt", l.expires_at AS "expiresAt",
              l.password_hash IS NOT NULL AS "hasPassword", l.once, l.used_at AS "usedAt", l.revoked_at AS "revokedAt",
              (SELECT count(*)::int FROM ${SHARE_ACCESS_TABLE} a WHERE a.link_id = l.id) AS accesses
         FROM ${SHARE_LINK_TABLE} l WHERE l.entity = $1 AND l.record_id = $2 ORDER BY l.issued_at, l.id`,
      [entity, recordId],
    );
    return res.rows;
  }

  async revoke(entity: string, recordId: string, id: string, userId: string): Promise<void> {
    const res = await this.pool.query(
      `UPDATE ${SHARE_LINK_TABLE} SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $4)
        WHERE id = $1 AND entity = $2 AND record_id = $3`,
      [id, entity, recordId, userId],
    );
    if (res.rowCount === 0) throw new EngineError('share.not_found', 404, `share link ${id} does not exist`);
  }

  /** The log of one link of the record, newest first. */
  async accesses(entity: string, recordId: string, id: string): Promise<Record<string, unknown>[]> {
    const res = await this.pool.query(
      `SELECT a.at, a.address, a.user_agent AS "userAgent", a.outcome, a.sha256
         FROM ${SHARE_ACCESS_TABLE} a JOIN ${SHARE_LINK_TABLE} l ON l.id = a.link_id
        WHERE l.id = $1 AND l.entity = $2 AND l.record_id = $3 ORDER BY a.at DESC, a.id DESC`,
      [id, entity, recordId],
    );
    return res.rows;
  }

  private async log(linkId: string | null, visitor: Visitor, outcome: string, sha256: string | null = null): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${SHARE_ACCESS_TABLE} (id, link_id, address, user_agent, outcome, sha256) VALUES ($1, $2, $3, $4, $5, $6)`,
      [uuidv7(), linkId, visitor.address.slice(0, 100), visitor.userAgent.slice(0, 300), outcome, sha256],
    );
  }

  private async refuse(linkId: string | null, visitor: Visitor, why: Refusal): Promise<never> {
    await this.log(linkId, visitor, why);
    const [status, detail] = REFUSALS[why];
    throw new EngineError(`share.${why}`, status, detail);
  }

  /**
   * The file the link serves now. `download` spends a one-time link (atomically: two racing downloads cannot both
   * have it); a look at the file's name and size does not.
   */
  async open(token: string, password: string | undefined, visitor: Visitor, download: boolean): Promise<FileRef> {
    const res = await this.pool.query<LinkRow>(
      `SELECT id, entity, record_id, field, expires_at, password_hash, once, used_at, revoked_at FROM ${SHARE_LINK_TABLE} WHERE token_hash = $1`,
      [hashLinkToken(token)],
    );
    const link = res.rows[0];
    if (!link) return this.refuse(null, visitor, 'not_found');
    if (link.revoked_at) return this.refuse(link.id, visitor, 'revoked');
    if (new Date(link.expires_at).getTime() <= Date.now()) return this.refuse(link.id, visitor, 'expired');
    if (link.once && link.used_at) return this.refuse(link.id, visitor, 'used');
    if (link.password_hash) {
      if (!password) return this.refuse(link.id, visitor, 'password_required');
      if (await this.tooManyWrongPasswords(link.id)) return this.refuse(link.id, visitor, 'too_many_attempts');
      if (!(await checkLinkPassword(password, link.password_hash))) return this.refuse(link.id, visitor, 'bad_password');
    }
    const file = await this.currentFile(link);
    if (!file) return this.refuse(link.id, visitor, 'gone');
    if (download && link.once) {
      const spent = await this.pool.query(`UPDATE ${SHARE_LINK_TABLE} SET used_at = now() WHERE id = $1 AND used_at IS NULL`, [link.id]);
      if (spent.rowCount === 0) return this.refuse(link.id, visitor, 'used');
    }
    await this.log(link.id, visitor, download ? 'downloaded' : 'viewed', file.sha256);
    return file;
  }

  /** A password cannot be guessed at speed: after WRONG_PASSWORDS wrong ones in a window the link stops trying. */
  private async tooManyWrongPasswords(linkId: string): Promise<boolean> {
    const res = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${SHARE_ACCESS_TABLE} WHERE link_id = $1 AND outcome = 'bad_password' AND at > now() - $2::interval`,
      [linkId, WRONG_PASSWORD_WINDOW],
    );
    return (res.rows[0]?.n ?? 0) >= WRONG_PASSWORDS;
  }

  /** What the record's field holds now (nothing once the record is deleted or the field is gone from the Model). */
  private async currentFile(link: LinkRow): Promise<FileRef | undefined> {
    const runtime = this.runtime();
    if (!runtime.entities.has(link.entity)) return undefined;
    const rt = runtime.entity(link.entity);
    const field = rt.entity.fields.find((f) => f.name === link.field && f.kind === 'file');
    const column = field?.columns[0]?.name;
    if (!column) return undefined;
    const res = await this.pool.query<{ file: FileRef | null }>(
      `SELECT ${q(column)} AS file FROM ${q(rt.entity.table)} WHERE id = $1 AND deleted_at IS NULL`,
      [link.record_id],
    );
    return res.rows[0]?.file ?? undefined;
  }
}
