// The dashboards' way to Cube: @cubejs-client/core against the engine's in-process Cube (/cubejs-api/v1), with a
// Cube token exchanged for the session's (POST /api/bi/token) so every query runs in the user's record scope.
// The token is kept until shortly before it expires, per session and locale (titles come back translated).
import cube, { type CubeApi } from '@cubejs-client/core';
import { api, tokenStore } from '../api/client';
import type { CubeQueryMeta } from '../api/meta-types';

interface TokenAnswer {
  data: { token: string; expiresAt: string; apiUrl: string };
}

let kept: { key: string; expiresAt: number; client: CubeApi } | undefined;

async function clientFor(locale: string): Promise<CubeApi> {
  // Signing in as someone else changes the session's token, and with it the Cube token needed.
  const key = `${tokenStore.get() ?? ''}/${locale}`;
  if (kept && kept.key === key && kept.expiresAt - Date.now() > 60_000) return kept.client;
  const res = await api<TokenAnswer>('POST', `/api/bi/token?locale=${encodeURIComponent(locale)}`);
  const client = cube(res.data.token, { apiUrl: res.data.apiUrl });
  kept = { key, expiresAt: Date.parse(res.data.expiresAt), client };
  return client;
}

/** The queries one after another: Cube 0.33 creates a viewer's pre-aggregation schema without a lock, so two of a
 *  dashboard's rollups first built at once collide on it and one query fails. After the first (which compiles the
 *  viewer's model, what the others would wait for anyway) each answers in tens of milliseconds. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Cube's rows for the query, keyed by member. A query still waiting its turn when `signal` aborts (its widget is gone:
 * the user went on) is not asked at all, so a dashboard left at once does not keep the database busy for the next page.
 */
export function loadCube(query: CubeQueryMeta, locale: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const run = async () => {
    signal?.throwIfAborted();
    const client = await clientFor(locale);
    const load = async () => (await client.load(query as Parameters<CubeApi['load']>[0])).rawData() as Record<string, unknown>[];
    try {
      return await load();
    } catch {
      // The same user's other tab may have been building the same schema: it exists now, so the query is asked again.
      await new Promise((resolve) => setTimeout(resolve, 400));
      return load();
    }
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}
