// host.work for plugins' own routes (data/plugin-work.ts does the work). Plugins get it at set-up, before the engine
// has a database; engine.ts binds the real work once the writer and reader exist, so a call before that is a broken
// invariant, not a user's error.
import { EngineError } from '../shared/engine-error.js';
import type { PluginWork } from './plugin-api.js';

export class PluginWorkBinding {
  private workFor: ((plugin: string) => PluginWork) | undefined;

  bind(workFor: (plugin: string) => PluginWork): void {
    this.workFor = workFor;
  }

  private bound(plugin: string): PluginWork {
    if (!this.workFor) throw new EngineError('plugin.not_started', 500, 'plugin work runs once the engine has started');
    return this.workFor(plugin);
  }

  /** What one plugin sees, resolved at each call so that it works once the engine has bound it. */
  forPlugin(plugin: string): PluginWork {
    return {
      query: (sql, params) => this.bound(plugin).query(sql, params),
      transaction: (fn) => this.bound(plugin).transaction(fn),
      readAs: (state, entity, id) => this.bound(plugin).readAs(state, entity, id),
    };
  }
}
