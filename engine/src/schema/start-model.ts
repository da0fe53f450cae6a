// What an engine serves when it starts: its own packs, applied — or, when they are older than the published
// Model (an old instance restarting during a rolling upgrade) or this engine cannot serve them, the newest
// published Model it can serve, with the reason logged. An engine never fails to start over a published
// Model while an older one it can serve exists. Called by engine.ts.
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Model } from '../metadata/model.js';
import type { PublishedModel } from '../metadata/model-holder.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { EngineError, isEngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import { applySchema, type ApplyResult } from './apply-schema.js';
import { publishedModelsNewestFirst } from './schema-history.js';

export interface StartModelDeps<T> {
  readonly knex: Knex;
  readonly pool: pg.Pool;
  readonly rules: KindsAndOperators;
  readonly log: Logger;
  /** Builds what the engine serves from a Model; throws when this engine cannot serve it. */
  prepare(model: Model): T;
}

export interface StartModel<T> {
  readonly published: PublishedModel;
  readonly applied: ApplyResult;
  readonly prepared: T;
}

function reasonOf(err: unknown): string {
  if (isEngineError(err)) {
    const fields = err.fieldErrors?.map((f) => `${'file' in f ? `${String(f.file)}#` : ''}${f.pointer}: ${f.message}`) ?? [];
    return [err.detail, ...fields].join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

export async function startModel<T>(local: Model, deps: StartModelDeps<T>): Promise<StartModel<T>> {
  let cause: unknown;
  let reason = '';
  let prepared: T | undefined;
  try {
    prepared = deps.prepare(local);
  } catch (err) {
    cause = err;
    reason = `this engine cannot serve its packs: ${reasonOf(err)}`;
  }
  if (prepared !== undefined) {
    try {
      const applied = await applySchema(deps.knex, local, deps.rules, { appliedBy: 'tessera serve' });
      const published = { model: local, version: applied.version };
      return { published, applied, prepared };
    } catch (err) {
      if (!isEngineError(err) || err.code !== 'schema.older_packs') throw err;
      cause = err;
      reason = err.detail;
    }
  }
  const skipped: Array<{ version: number; reason: string }> = [];
  for await (const published of publishedModelsNewestFirst(deps.pool)) {
    try {
      const fallback = deps.prepare(published.model);
      deps.log.warn(
        { version: published.version, hash: published.model.hash, reason, skipped },
        'serving the newest published model this engine can serve',
      );
      return {
        published,
        prepared: fallback,
        applied: { changed: false, version: published.version, plan: { modelHash: published.model.hash, steps: [] } },
      };
    } catch (err) {
      skipped.push({ version: published.version, reason: reasonOf(err) });
    }
  }
  // Nothing published to fall back on (a new database): the packs' own problems are the whole story.
  if (skipped.length === 0) throw cause;
  const versions = skipped.map((s) => `version ${s.version}: ${s.reason}`).join('; ');
  throw new EngineError('schema.unservable', 409, `${reason}; no published model can be served either: ${versions}`, { cause });
}
