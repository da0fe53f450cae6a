// Everything plugins register, frozen after set-up and before the Model is compiled.
import type Router from '@koa/router';
import type { FieldKind } from '../metadata/field-kinds.js';
import { builtinFieldKinds } from '../metadata/builtin-field-kinds.js';
import { createOperatorRegistry, type OperatorRegistry } from '../rules/operator-registry.js';
import { HookRegistry } from './hook-registry.js';
import type { ActionDef, ChannelDef, JobDef, SeederDef } from './plugin-api.js';

export interface PluginRegistries {
  readonly hooks: HookRegistry;
  readonly operators: OperatorRegistry;
  readonly kinds: Map<string, FieldKind>;
  /** Keyed `entity/action`. */
  readonly actions: Map<string, ActionDef>;
  readonly jobs: Map<string, JobDef>;
  /** Notification channels by name (in-app is the engine's own and not among them). */
  readonly channels: Map<string, ChannelDef>;
  readonly routers: Array<{ plugin: string; router: Router }>;
  /** Keyed by pack name. */
  readonly seeders: Map<string, SeederDef & { readonly plugin: string }>;
}

export function createRegistries(): PluginRegistries {
  return {
    hooks: new HookRegistry(),
    operators: createOperatorRegistry(),
    kinds: builtinFieldKinds(),
    actions: new Map(),
    jobs: new Map(),
    channels: new Map(),
    routers: [],
    seeders: new Map(),
  };
}

export function freezeRegistries(r: PluginRegistries): void {
  r.hooks.freeze();
  r.operators.freeze();
  Object.freeze(r.routers);
}
