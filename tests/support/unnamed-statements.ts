// Workaround for the embedded database: PGlite serves every wire connection from one session, so a named
// prepared statement made on one pooled connection collides ("prepared statement already exists") when
// another connection prepares it. Until the engine stops naming statements on embedded (reported from
// the issue 3 API tests), API tests that are not about this strip the names. Remove when fixed.
import type { TestEngine } from './test-engine.js';

type QueryArgs = Parameters<TestEngine['db']['pool']['query']>;

export function useUnnamedStatementsOnEmbedded(t: TestEngine): void {
  if (t.db.kind !== 'embedded') return;
  const pool = t.engine.db.pool;
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const patched = (...args: QueryArgs) => {
    const [config, ...rest] = args as unknown[];
    if (config && typeof config === 'object' && 'name' in config) {
      const { name: _name, ...unnamed } = config as Record<string, unknown>;
      return original(unnamed, ...rest);
    }
    return original(config, ...rest);
  };
  pool.query = patched as typeof pool.query;
}
