// Record hooks by event, in registration order (which follows the plugins' declared order).
import type { HookOptions, RecordEvent, RecordEventName, RecordHook } from './plugin-api.js';

interface Entry {
  plugin: string;
  hook: RecordHook;
  entities?: ReadonlySet<string>;
}

export class HookRegistry {
  private readonly entries = new Map<RecordEventName, Entry[]>();
  private frozen = false;

  add(plugin: string, event: RecordEventName, hook: RecordHook, options: HookOptions = {}): void {
    if (this.frozen) throw new Error(`plugin ${plugin} registered a hook after start-up`);
    const list = this.entries.get(event) ?? [];
    list.push({ plugin, hook, ...(options.entities ? { entities: new Set(options.entities) } : {}) });
    this.entries.set(event, list);
  }

  freeze(): void {
    this.frozen = true;
  }

  has(event: RecordEventName, entity: string): boolean {
    return (this.entries.get(event) ?? []).some((e) => !e.entities || e.entities.has(entity));
  }

  /** The plugins with hooks on `event` for `entity`, in the plugins' order (after hooks run per plugin, as jobs). */
  pluginsFor(event: RecordEventName, entity: string): string[] {
    const names = new Set<string>();
    for (const e of this.entries.get(event) ?? []) if (!e.entities || e.entities.has(entity)) names.add(e.plugin);
    return [...names];
  }

  /** Runs one plugin's hooks on the event, one after another; the first that throws stops the rest. */
  async runPlugin(plugin: string, event: RecordEvent): Promise<void> {
    for (const entry of this.entries.get(event.event) ?? []) {
      if (entry.plugin !== plugin || (entry.entities && !entry.entities.has(event.entity))) continue;
      await entry.hook(event);
    }
  }

  /** Runs the hooks one after another; the first that throws stops the rest (and, for before hooks, the write). */
  async run(event: RecordEvent): Promise<void> {
    for (const entry of this.entries.get(event.event) ?? []) {
      if (entry.entities && !entry.entities.has(event.entity)) continue;
      await entry.hook(event);
    }
  }
}
