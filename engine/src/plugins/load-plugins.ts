// Plugin host: finds the plugins the packs require under plugins/<name>/index.ts, orders them by their
// declared `requires`, runs each one's setup against a host bound to its name, then freezes the registries.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import { requiredPluginNames } from '../metadata/read-packs.js';
import type { PluginHost, PluginSettings, TesseraPlugin } from './plugin-api.js';
import { NO_BLOB_STORE, type BlobStore } from '../storage/blob-store.js';
import { createRegistries, freezeRegistries, type PluginRegistries } from './plugin-registries.js';

function pluginError(detail: string): EngineError {
  return new EngineError('plugin.invalid', 500, detail);
}

function isPlugin(value: unknown): value is TesseraPlugin {
  const p = value as Partial<TesseraPlugin> | null;
  return !!p && typeof p.name === 'string' && typeof p.version === 'string' && typeof p.setup === 'function';
}

async function importPlugin(dir: string, name: string): Promise<TesseraPlugin> {
  const file = join(dir, name, 'index.ts');
  if (!existsSync(file)) throw pluginError(`plugin '${name}' is required by a pack but ${file} does not exist`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (!isPlugin(mod.default)) throw pluginError(`${file} must export default a plugin { name, version, setup }`);
  if (mod.default.name !== name) throw pluginError(`${file} says its name is '${mod.default.name}', not '${name}'`);
  return mod.default;
}

/** Loads the named plugins and those they require, in dependency order. */
export async function loadPluginModules(dir: string, names: readonly string[]): Promise<TesseraPlugin[]> {
  const loaded = new Map<string, TesseraPlugin>();
  const queue = [...names];
  while (queue.length) {
    const name = queue.shift() as string;
    if (loaded.has(name)) continue;
    const plugin = await importPlugin(dir, name);
    loaded.set(name, plugin);
    queue.push(...(plugin.requires ?? []));
  }
  const ordered: TesseraPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: TesseraPlugin, trail: string[]): void => {
    if (state.get(p.name) === 'done') return;
    if (state.get(p.name) === 'visiting') throw pluginError(`plugin requirement cycle: ${[...trail, p.name].join(' -> ')}`);
    state.set(p.name, 'visiting');
    for (const dep of p.requires ?? []) visit(loaded.get(dep) as TesseraPlugin, [...trail, p.name]);
    state.set(p.name, 'done');
    ordered.push(p);
  };
  for (const name of names) visit(loaded.get(name) as TesseraPlugin, []);
  return ordered;
}

function hostFor(plugin: TesseraPlugin, r: PluginRegistries, log: Logger, settings: PluginSettings, blobs: BlobStore): PluginHost {
  const name = plugin.name;
  return {
    pluginName: name,
    log: log.child({ plugin: name }),
    before(event, hook, options) {
      if (!event.startsWith('record.before')) throw pluginError(`plugin ${name}: before() takes a before event, not ${event}`);
      r.hooks.add(name, event, hook, options);
    },
    after(event, hook, options) {
      if (!event.startsWith('record.after')) throw pluginError(`plugin ${name}: after() takes an after event, not ${event}`);
      r.hooks.add(name, event, hook, options);
    },
    action(def) {
      const key = `${def.entity}/${def.name}`;
      if (r.actions.has(key)) throw pluginError(`plugin ${name}: action ${key} is already registered`);
      r.actions.set(key, def);
    },
    operator: (def) => r.operators.register(def),
    fieldKind(kind) {
      if (r.kinds.has(kind.name)) throw pluginError(`plugin ${name}: field kind '${kind.name}' already exists`);
      r.kinds.set(kind.name, kind);
    },
    job(def) {
      if (r.jobs.has(def.name)) throw pluginError(`plugin ${name}: job ${def.name} is already registered`);
      r.jobs.set(def.name, def);
    },
    channel(def) {
      // The inbox is the engine's own channel: a plugin cannot take its name.
      if (def.name === 'in_app' || r.channels.has(def.name)) throw pluginError(`plugin ${name}: channel ${def.name} is already registered`);
      r.channels.set(def.name, def);
    },
    settings,
    blobs,
    blobKeys(def) {
      if (def.fields.length === 0) throw pluginError(`plugin ${name}: blobKeys for ${def.entity} names no field`);
      r.blobKeys.push({ plugin: name, entity: def.entity, fields: [...def.fields] });
    },
    routes: (router) => r.routers.push({ plugin: name, router }),
    publicRoutes: (router) => r.publicRouters.push({ plugin: name, router }),
    work: r.work.forPlugin(name),
    onClose: (release) => r.closers.push(release),
    seeder(def) {
      const other = r.seeders.get(def.pack);
      if (other) throw pluginError(`plugin ${name}: pack ${def.pack} already has a seeder (from plugin ${other.plugin})`);
      r.seeders.set(def.pack, { ...def, plugin: name });
    },
  };
}

/** Without a config (e.g. `tessera validate`), plugins see no SMTP server and a placeholder sender. */
export const DEFAULT_PLUGIN_SETTINGS: PluginSettings = Object.freeze({
  mailFrom: 'tessera@localhost',
  publicUrl: 'http://localhost:3000',
  chromiumPath: '/usr/bin/chromium',
  dataDir: 'data',
});

export async function setUpPlugins(
  plugins: readonly TesseraPlugin[],
  log: Logger,
  settings: PluginSettings = DEFAULT_PLUGIN_SETTINGS,
  blobs: BlobStore = NO_BLOB_STORE,
): Promise<PluginRegistries> {
  const registries = createRegistries();
  for (const plugin of plugins) {
    await plugin.setup(hostFor(plugin, registries, log, settings, blobs));
    log.debug({ plugin: plugin.name, version: plugin.version }, 'plugin set up');
  }
  freezeRegistries(registries);
  return registries;
}

/**
 * The one registry set for these packs: the builtins plus every plugin the packs require, set up and frozen.
 * The engine and the CLI both build theirs here, so `tessera validate` knows what `serve` knows.
 */
export async function loadRegistries(
  pluginsDir: string,
  packDirs: readonly string[],
  log: Logger,
  settings: PluginSettings = DEFAULT_PLUGIN_SETTINGS,
  blobs: BlobStore = NO_BLOB_STORE,
): Promise<{ plugins: TesseraPlugin[]; registries: PluginRegistries }> {
  const plugins = await loadPluginModules(pluginsDir, requiredPluginNames(packDirs));
  return { plugins, registries: await setUpPlugins(plugins, log, settings, blobs) };
}
