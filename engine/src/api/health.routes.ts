// GET /api/health: is the database answering, and which Model version is being served.
import Router from '@koa/router';
import type { ApiState } from './api-state.js';
import type { ModelHolder } from '../metadata/model-holder.js';
import type { Database } from '../db/database.js';

export function healthRoutes(db: Database, models: ModelHolder): Router<ApiState> {
  const router = new Router<ApiState>();
  router.get('/api/health', async (ctx) => {
    const started = process.hrtime.bigint();
    let database: { status: 'up' | 'down'; kind: string; latencyMs?: number; error?: string };
    try {
      await db.pool.query('SELECT 1');
      database = { status: 'up', kind: db.kind, latencyMs: Number(process.hrtime.bigint() - started) / 1e6 };
    } catch (err) {
      ctx.state.log.warn({ err }, 'health check: database unreachable');
      database = { status: 'down', kind: db.kind, error: 'database unreachable' };
    }
    const current = models.current();
    ctx.status = database.status === 'up' ? 200 : 503;
    ctx.body = {
      status: database.status === 'up' ? 'ok' : 'degraded',
      database,
      model: {
        version: current.version,
        hash: current.model.hash,
        packs: current.model.packs.map((p) => ({ name: p.name, version: p.version })),
      },
    };
  });
  return router;
}
