// Everything the API serves for one published Model, built at once so that a Model this engine cannot serve is
// found before it is published or swapped in (a build failure throws and changes nothing). The costly part
// (record schemas, codecs, partial-index conditions checked the way planning compiles them) depends on the
// Model only, so a Model checked before a publish is served without being built again. Called by engine.ts.
import type { PublishedModel } from '../metadata/model-holder.js';
import type { Model } from '../metadata/model.js';
import { buildModelRuntime, type ModelRuntime } from '../data/entity-runtime.js';
import { MetadataError } from '../metadata/metadata-problem.js';
import { checkScheduledActions } from '../plugins/check-scheduled-actions.js';
import { checkTransitionActions } from '../plugins/check-transition-actions.js';
import { checkPackSchedules } from '../plugins/check-pack-schedules.js';
import { checkIndexConditions } from '../schema/check-index-conditions.js';
import { checkAssignmentConditions } from '../rules/check-assignment-conditions.js';
import type { PluginRegistries } from '../plugins/plugin-registries.js';
import type { AccessDeps } from '../security/build-access.js';
import { resolveCoreSchema } from '../security/core-schema.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { compileApprovalFlows, type ApprovalFlows } from '../workflow/compile-approval-flows.js';
import { compilePublicForms, type PublicForms } from '../workflow/compile-public-forms.js';
import { checkAnalytics } from '../bi/check-analytics.js';
import { checkDashboardWidgets } from '../bi/check-dashboard-widgets.js';

/** What a Model needs before it can be served, whatever version it is published as. */
export interface PreparedModel {
  readonly model: Model;
  readonly runtime: ModelRuntime;
  readonly accessDeps: AccessDeps;
  /** The entities' approval flows, compiled. */
  readonly approvals: ApprovalFlows;
  /** The entities' public forms, compiled. */
  readonly publicForms: PublicForms;
}

export interface ServedModel extends PreparedModel {
  readonly published: PublishedModel;
  readonly openapi: Record<string, unknown>;
}

/** Throws (MetadataError with file and pointer) when this engine cannot serve `model`. */
export function prepareModel(model: Model, registries: PluginRegistries): PreparedModel {
  // Partial-index conditions compile as planning will, so one this engine cannot plan is refused here too; assignment
  // conditions parse as the write step will run them.
  const conditionProblems = [
    ...checkIndexConditions(model, registries),
    ...checkAssignmentConditions(model, registries),
    ...checkTransitionActions(model, registries.actions),
    ...checkScheduledActions(model, registries.actions),
    ...checkPackSchedules(model, registries.jobs),
  ];
  if (conditionProblems.length) throw new MetadataError(conditionProblems);
  const runtime = buildModelRuntime(model, registries.kinds, registries.operators);
  const approvals = compileApprovalFlows(model, registries);
  const publicForms = compilePublicForms(model, registries);
  const cubeDeps = { model, kinds: registries.kinds, operators: registries.operators, operatorsFor: runtime.operatorsFor };
  const problems = [...approvals.problems, ...publicForms.problems, ...checkAnalytics(cubeDeps), ...checkDashboardWidgets(cubeDeps)];
  if (problems.length) throw new MetadataError(problems);
  return {
    model,
    runtime,
    approvals,
    publicForms,
    accessDeps: {
      model,
      core: resolveCoreSchema(model),
      kinds: registries.kinds,
      operators: registries.operators,
      operatorsFor: runtime.operatorsFor,
    },
  };
}

export function serveModel(prepared: PreparedModel, published: PublishedModel, registries: PluginRegistries): ServedModel {
  return { ...prepared, published, openapi: buildOpenApiDocument(prepared.runtime, registries.actions, published.version) };
}

/** The ServedModel of the Model being served now; routes read it per request, a swap replaces it whole. */
export class ServedModels {
  /** The Model last checked by prepare() (before a publish): its swap reuses the build. */
  private checked: PreparedModel | undefined;

  constructor(
    private served: ServedModel,
    private readonly registries: PluginRegistries,
  ) {}

  get current(): ServedModel {
    return this.served;
  }

  /** Builds what `model` would serve without serving it: throws when this engine cannot serve it. */
  prepare(model: Model): PreparedModel {
    this.checked = prepareModel(model, this.registries);
    return this.checked;
  }

  swap(next: PublishedModel): void {
    const prepared = this.checked?.model === next.model ? this.checked : prepareModel(next.model, this.registries);
    this.served = serveModel(prepared, next, this.registries);
    this.checked = undefined;
  }
}
