// Everything the API serves for one published Model (and its partial-index conditions checked the way planning
// compiles them), built at once so that a Model this engine cannot serve
// is found before it is published or swapped in (a build failure throws and changes nothing). Called by
// engine.ts at start-up, before a publish and on every swap.
import type { PublishedModel } from '../metadata/model-holder.js';
import { buildModelRuntime, type ModelRuntime } from '../data/entity-runtime.js';
import { MetadataError } from '../metadata/metadata-problem.js';
import { checkIndexConditions } from '../schema/check-index-conditions.js';
import type { PluginRegistries } from '../plugins/plugin-registries.js';
import type { AccessDeps } from '../security/build-access.js';
import { resolveCoreSchema } from '../security/core-schema.js';
import { buildOpenApiDocument } from './openapi-document.js';

export interface ServedModel {
  readonly published: PublishedModel;
  readonly runtime: ModelRuntime;
  readonly openapi: Record<string, unknown>;
  readonly accessDeps: AccessDeps;
}

export function prepareServedModel(published: PublishedModel, registries: PluginRegistries): ServedModel {
  // Partial-index conditions compile as planning will, so one this engine cannot plan is refused here too.
  const indexProblems = checkIndexConditions(published.model, registries);
  if (indexProblems.length) throw new MetadataError(indexProblems);
  const runtime = buildModelRuntime(published.model, registries.kinds, registries.operators);
  const core = resolveCoreSchema(published.model);
  return {
    published,
    runtime,
    openapi: buildOpenApiDocument(runtime, registries.actions, published.version),
    accessDeps: {
      model: published.model,
      core,
      kinds: registries.kinds,
      operators: registries.operators,
      operatorsFor: runtime.operatorsFor,
    },
  };
}

/** The ServedModel of the Model being served now; routes read it per request, a swap replaces it whole. */
export class ServedModels {
  constructor(
    private served: ServedModel,
    private readonly registries: PluginRegistries,
  ) {}

  get current(): ServedModel {
    return this.served;
  }

  /** Builds what `next` would serve without serving it: throws when this engine cannot serve it. */
  prepare(next: PublishedModel): ServedModel {
    return prepareServedModel(next, this.registries);
  }

  swap(next: PublishedModel): void {
    this.served = this.prepare(next);
  }
}
