// Seeds a pack's demo data into a test engine's database, as `tessera seed <pack>` does.
import { buildModelRuntime, type ModelRuntime } from '../../engine/src/data/entity-runtime.js';
import { seedPack, type SeedPackResult } from '../../engine/src/data/seed-pack.js';
import type { SeedSize } from '../../engine/src/plugins/plugin-api.js';
import { createLogger } from '../../engine/src/shared/logger.js';
import type { TestEngine } from './test-engine.js';

const log = createLogger('silent');

/** The runtime of the Model the engine serves (what seeds and recomputes work with). */
export function runtimeOf(t: TestEngine): ModelRuntime {
  const { registries } = t.engine;
  return buildModelRuntime(t.engine.models.current().model, registries.kinds, registries.operators);
}

/** Like `tessera serve`'s seeding, it forgets cached sessions after: a seed writes users and role grants. */
export async function seedDemo(
  t: TestEngine,
  pack: string,
  options: { size?: SeedSize; onlyIntoEmpty?: boolean } = {},
): Promise<SeedPackResult> {
  const result = await seedPack(t.engine.db.pool, runtimeOf(t), t.engine.registries.seeders, {
    pack,
    size: options.size ?? 'small',
    log,
    ...(options.onlyIntoEmpty ? { onlyIntoEmpty: true } : {}),
  });
  t.engine.forgetSessions();
  return result;
}
