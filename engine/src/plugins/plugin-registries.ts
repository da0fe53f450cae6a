// Everything plugins register, frozen after set-up and before the Model is compiled.
import type Router from '@koa/router';
import type { FieldKind } from '../metadata/field-kinds.js';
import { builtinFieldKinds } from '../metadata/builtin-field-kinds.js';
import { createOperatorRegistry, type OperatorRegistry } from '../rules/operator-registry.js';
import type { DeclaredBlobKeys } from '../storage/blob-holders.js';
import { HookRegistry } from './hook-registry.js';
import { PluginWorkBinding } from './plugin-work.js';
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
  /** Routes mounted before authentication (public links). */
  readonly publicRouters: Array<{ plugin: string; router: Router }>;
  /** Bound by the engine once it has a database (plugins' routes work through it). */
  readonly work: PluginWorkBinding;
  /** What plugins hold until the engine closes. */
  readonly closers: Array<() => Promise<void>>;
  /** Keyed by pack name. */
  readonly seeders: Map<string, SeederDef & { readonly plugin: string }>;
  /** Fields plugins say hold blob keys (storage/blob-holders.ts). */
  readonly blobKeys: DeclaredBlobKeys[];
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
    publicRouters: [],
    work: new PluginWorkBinding(),
    closers: [],
    seeders: new Map(),
    blobKeys: [],
  };
}

export function freezeRegistries(r: PluginRegistries): void {
  r.hooks.freeze();
  r.operators.freeze();
  Object.freeze(r.routers);
  Object.freeze(r.publicRouters);
  Object.freeze(r.blobKeys);
}
