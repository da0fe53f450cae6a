// The locale each user reads in (app_user.locale of the core pack), for rendering what they are sent. Users without
// one are left out: the caller falls back to English, as labels do.
import type { Sql } from '../db/transaction.js';
import type { Label } from '../metadata/model.js';
import { USER_ENTITY } from '../metadata/field-kinds.js';
import { q } from '../sql/q.js';

export async function userLocales(sql: Sql, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await sql.query<{ id: string; locale: string | null }>(
    `SELECT id, locale::text AS locale FROM ${q(USER_ENTITY)} WHERE id = ANY($1::uuid[])`,
    [[...userIds]],
  );
  return new Map(rows.rows.flatMap((r) => (r.locale === null ? [] : [[r.id, r.locale] as [string, string]])));
}

/** A label in `locale`, else in English. */
export function localized(label: Label, locale: string | undefined): string {
  return (locale !== undefined && Object.hasOwn(label, locale) ? label[locale] : undefined) ?? label.en;
}
