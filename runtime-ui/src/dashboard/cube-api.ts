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

/** The queries one after another: the first compiles the viewer's model, which the others would wait for anyway, and
 *  after it each answers in tens of milliseconds; in a queue, the queries of a dashboard the user has left are dropped
 *  (loadCube's signal) rather than all sent at once. */
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
      // A rollup another request was building in the same second took its table's name: asked again, it reads it.
      await new Promise((resolve) => setTimeout(resolve, 400));
      return load();
    }
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}
