// Database work for a plugin's own routes, which run outside any action or job: autocommit SQL, one transaction
// whose writes go through the pipeline as the system (named after the plugin in audit rows), and a record read as
// the signed-in caller may read it. engine.ts binds it to the plugins' host.work once the writer and reader exist.
import type pg from 'pg';
import type { PluginWork } from '../plugins/plugin-api.js';
import type { Access } from '../security/access.js';
import type { Actor } from '../security/actor.js';
import { SYSTEM_ACCESS } from '../security/system-access.js';
import { EngineError } from '../shared/engine-error.js';
import { pluginDb } from './plugin-db.js';
import { pluginRecords } from './plugin-records.js';
import type { RecordReader } from './record-reader.js';
import type { RecordWriter } from './record-writer.js';

export interface PluginWorkDeps {
  readonly pool: pg.Pool;
  readonly writer: RecordWriter;
  readonly reader: RecordReader;
}

interface SignedInState {
  readonly actor: Actor;
  readonly access: Access;
}

function isSignedIn(state: unknown): state is SignedInState {
  const s = state as Partial<SignedInState> | null;
  return !!s && typeof s.actor === 'object' && typeof s.access === 'object' && typeof s.access?.can === 'function';
}

/** What each plugin's host.work does, given the engine's pool, writer and reader. */
export function pluginWork(deps: PluginWorkDeps): (plugin: string) => PluginWork {
  return (plugin) => {
    const actor: Actor = { id: null, username: `plugin ${plugin}`, orgUnitId: null, isSystem: true };
    return {
      query: (sql, params) => pluginDb(deps.pool).query(sql, params),
      transaction: (fn) => {
        const caller = { actor, access: SYSTEM_ACCESS, requestId: `plugin:${plugin}` };
        return deps.writer.transaction((scope) => fn({ db: pluginDb(scope.tx), records: pluginRecords(deps.writer, scope, caller) }));
      },
      readAs: async (state, entity, id) => {
        if (!isSignedIn(state)) throw new EngineError('auth.required', 401, 'sign in first: send Authorization: Bearer <token>');
        return deps.reader.get(entity, id, state.access, { include: [] });
      },
    };
  };
}
