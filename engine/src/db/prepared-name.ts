// Names for server-side prepared statements: PostgreSQL then parses and plans a hot query once per
// connection. The name is derived from the text, so two different texts never share a name.
import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();
const MAX_CACHED = 5000;

export function preparedName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = 'tq_' + createHash('sha1').update(text).digest('hex').slice(0, 20);
    if (names.size >= MAX_CACHED) names.clear();
    names.set(text, name);
  }
  return name;
}

/** A query config for the engine's own SQL, named so each connection parses and plans it once. */
export function statement(text: string, values: readonly unknown[]): pg.QueryConfig {
  return { name: preparedName(text), text, values: values as unknown[] };
}
