// Links to a record's public form (metadata/public-form.ts): a user who may update the record issues one; whoever
// holds it — someone answering a survey, a signer — reads the form and submits it without an account, until it
// expires (and once, unless the form says otherwise). The token is random and kept only as its hash; the submission
// is written through the write pipeline as the user who issued the link, in one transaction with spending the link.
// Called by api/public-form.routes.ts; the table is ensured at start-up by engine.ts.
import type { Knex } from 'knex';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { EngineError } from '../shared/engine-error.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { ApiRecord } from '../data/record-codec.js';
import type { RecordWriter } from '../data/record-writer.js';
import type { Sql } from '../db/transaction.js';
import { UNRESTRICTED_SCOPE, type RecordScope } from '../query/record-scope.js';
import { q } from '../sql/q.js';
import { liveAndScoped } from '../query/live-rows.js';
import { SqlParams } from '../sql/sql-params.js';
import type { Access } from '../security/access.js';
import type { Actor } from '../security/actor.js';
import type { CompiledPublicForm, PublicForms } from './compile-public-forms.js';
import { hashLinkToken, newLinkToken } from '../security/link-tokens.js';

export const PUBLIC_LINK_TABLE = 'tessera_public_link';

export async function ensurePublicLinkTable(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${PUBLIC_LINK_TABLE} (
    id uuid PRIMARY KEY, token_hash text NOT NULL UNIQUE, entity text NOT NULL, record_id uuid NOT NULL, form text NOT NULL,
    issued_by uuid NOT NULL, issued_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL,
    submitted_at timestamptz, submissions integer NOT NULL DEFAULT 0)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${PUBLIC_LINK_TABLE}_record_idx ON ${PUBLIC_LINK_TABLE} (entity, record_id)`);
}

export interface LinkCaller {
  readonly actor: Actor;
  readonly access: Access;
  readonly requestId: string;
}

interface LinkRow {
  id: string;
  entity: string;
  record_id: string;
  form: string;
  issued_by: string;
  expires_at: string;
  submitted_at: string | null;
  expired: boolean;
}

export interface PublicLinkDeps {
  readonly pool: pg.Pool;
  readonly writer: RecordWriter;
  current(): { readonly runtime: ModelRuntime; readonly publicForms: PublicForms };
  /** The issuer's identity and access now (they may have lost them since). */
  callerFor(userId: string, requestId: string): Promise<LinkCaller>;
}

const hashOf = hashLinkToken;
const gone = () => new EngineError('public_form.link_invalid', 404, 'this link does not exist, has expired or has been used');

export class PublicLinks {
  constructor(private readonly deps: PublicLinkDeps) {}

  private form(entity: string, name: string): CompiledPublicForm {
    const form = this.deps.current().publicForms.byEntity.get(entity)?.get(name);
    if (!form) throw new EngineError('public_form.unknown', 404, `${entity} has no public form '${name}'`);
    return form;
  }

  /**
   * The live record, as stored, if it lies in `scope` and meets the form's `when` — one statement; `lock` holds it
   * for the caller's transaction (a submission), so it cannot change before the form's values are written.
   */
  private async applicable(
    db: Sql,
    form: CompiledPublicForm,
    id: string,
    scope: RecordScope,
    lock: boolean,
  ): Promise<ApiRecord | undefined> {
    const rt = this.deps.current().runtime.entity(form.entity);
    const params = new SqlParams();
    const idParam = params.add(id, 'uuid');
    const res = await db.query(
      `SELECT ${rt.codec.selectList('t').sql} FROM ${q(rt.entity.table)} t
        WHERE t.id = ${idParam} AND ${liveAndScoped(rt.entity, 't', params, scope)} AND (${form.when ?? 'TRUE'})${lock ? ' FOR UPDATE OF t' : ''}`,
      params.values,
    );
    return res.rows[0] as ApiRecord | undefined;
  }

  /** A new link to the record's form; the caller must be able to update the record. */
  async issue(caller: LinkCaller, entity: string, id: string, name: string): Promise<{ token: string; expiresAt: string }> {
    const form = this.form(entity, name);
    if (!caller.access.can(entity, 'update')) throw new EngineError('access.denied', 403, `you may not update ${entity} records`);
    const scope = caller.access.scopeFor('update');
    if (!(await this.applicable(this.deps.pool, form, id, scope, false))) {
      // Out of the caller's update scope reads as absent; in it but not meeting `when`, as not now.
      if (await this.applicable(this.deps.pool, { ...form, when: undefined }, id, scope, false)) {
        throw new EngineError('public_form.not_now', 409, `the ${form.def.name} form is not available for this ${entity} now`);
      }
      throw new EngineError('record.not_found', 404, `${entity} ${id} does not exist`);
    }
    const token = newLinkToken();
    const expires = new Date(Date.now() + form.validMs);
    await this.deps.pool.query(
      `INSERT INTO ${PUBLIC_LINK_TABLE} (id, token_hash, entity, record_id, form, issued_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [uuidv7(), hashOf(token), entity, id, name, caller.actor.id, expires.toISOString()],
    );
    return { token, expiresAt: expires.toISOString() };
  }

  private async link(db: Sql, token: string, lock: boolean): Promise<{ row: LinkRow; form: CompiledPublicForm }> {
    const res = await db.query<LinkRow>(
      `SELECT id, entity, record_id, form, issued_by, expires_at, submitted_at, expires_at < now() AS expired
         FROM ${PUBLIC_LINK_TABLE} WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`,
      [hashOf(token)],
    );
    const row = res.rows[0];
    if (!row || row.expired) throw gone();
    const form = this.deps.current().publicForms.byEntity.get(row.entity)?.get(row.form);
    if (!form || (form.def.once !== false && row.submitted_at !== null)) throw gone();
    return { row, form };
  }

  /** What the person holding the link sees: the record's title, the form's fields and their values now. */
  async open(token: string): Promise<{ entity: string; title: unknown; form: CompiledPublicForm; values: ApiRecord; expiresAt: string }> {
    const { row, form } = await this.link(this.deps.pool, token, false);
    const rt = this.deps.current().runtime.entity(row.entity);
    const record = await this.applicable(this.deps.pool, form, row.record_id, UNRESTRICTED_SCOPE, false);
    if (!record) throw gone();
    const values = Object.fromEntries(form.def.fields.map((f) => [f, record[f] ?? null]));
    const title = rt.entity.titleField ? record[rt.entity.titleField] : null;
    return { entity: row.entity, title, form, values, expiresAt: new Date(row.expires_at).toISOString() };
  }

  /** Writes the form's fields to the record, as the issuer, and spends the link — together or not at all. */
  async submit(token: string, values: Record<string, unknown>, requestId: string): Promise<void> {
    await this.deps.writer.transaction(async (scope) => {
      const client = scope.tx;
      const { row, form } = await this.link(client, token, true);
      const extra = Object.keys(values).filter((k) => !form.def.fields.includes(k));
      const missing = (form.def.required ?? []).filter((k) => values[k] === undefined || values[k] === null || values[k] === '');
      if (extra.length || missing.length) {
        throw new EngineError('validation.failed', 422, 'the form has problems', {
          fieldErrors: [
            ...extra.map((k) => ({ pointer: `/${k}`, code: 'validation.additionalProperties', message: 'is not a field of this form' })),
            ...missing.map((k) => ({ pointer: `/${k}`, code: 'validation.required', message: 'is required' })),
          ],
        });
      }
      const caller = await this.deps.callerFor(row.issued_by, requestId);
      // `when` is judged on the record as stored, locked, before the form's values.
      if (!(await this.applicable(client, form, row.record_id, UNRESTRICTED_SCOPE, true))) throw gone();
      await this.deps.writer.updateIn(scope, { entity: row.entity, ...caller }, row.record_id, values, '');
      await client.query(`UPDATE ${PUBLIC_LINK_TABLE} SET submitted_at = now(), submissions = submissions + 1 WHERE id = $1`, [row.id]);
    });
  }
}
