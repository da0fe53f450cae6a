// Users' own list views (a name, columns, sort and filter over one entity), kept beside the packs' views: each row
// belongs to one user, who alone reads or deletes it. The table is ensured at start-up by engine.ts; the routes
// (api/saved-view.routes.ts) check the entity and fields against the Model and the caller's access first.
import type { Knex } from 'knex';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

export const SAVED_VIEW_TABLE = 'tessera_saved_view';

export async function ensureSavedViewTable(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${SAVED_VIEW_TABLE} (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, entity text NOT NULL, name text NOT NULL,
    columns jsonb NOT NULL, sort jsonb NOT NULL, filter jsonb, created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, entity, name))`);
}

export interface SavedView {
  readonly id: string;
  readonly entity: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly sort: readonly string[];
  readonly filter: unknown;
  readonly createdAt: string;
}

interface Row {
  id: string;
  entity: string;
  name: string;
  columns: string[];
  sort: string[];
  filter: unknown;
  created_at: Date | string;
}

const toView = (r: Row): SavedView => ({
  id: r.id,
  entity: r.entity,
  name: r.name,
  columns: r.columns,
  sort: r.sort,
  filter: r.filter ?? null,
  createdAt: new Date(r.created_at).toISOString(),
});

export class SavedViews {
  constructor(private readonly pool: pg.Pool) {}

  async list(userId: string, entity?: string): Promise<SavedView[]> {
    const res = await this.pool.query<Row>(
      `SELECT id, entity, name, columns, sort, filter, created_at FROM ${SAVED_VIEW_TABLE}
        WHERE user_id = $1 AND ($2::text IS NULL OR entity = $2) ORDER BY entity, name`,
      [userId, entity ?? null],
    );
    return res.rows.map(toView);
  }

  /** Undefined when the user already has a view of that name for the entity. */
  async create(userId: string, view: Omit<SavedView, 'id' | 'createdAt'>): Promise<SavedView | undefined> {
    const res = await this.pool.query<Row>(
      `INSERT INTO ${SAVED_VIEW_TABLE} (id, user_id, entity, name, columns, sort, filter) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id, entity, name) DO NOTHING RETURNING id, entity, name, columns, sort, filter, created_at`,
      [
        uuidv7(),
        userId,
        view.entity,
        view.name,
        JSON.stringify(view.columns),
        JSON.stringify(view.sort),
        view.filter === undefined || view.filter === null ? null : JSON.stringify(view.filter),
      ],
    );
    return res.rows[0] && toView(res.rows[0]);
  }

  /** False when the user has no view with that id (someone else's included). */
  async remove(userId: string, id: string): Promise<boolean> {
    const res = await this.pool.query(`DELETE FROM ${SAVED_VIEW_TABLE} WHERE id = $1 AND user_id = $2`, [id, userId]);
    return (res.rowCount ?? 0) > 0;
  }
}
