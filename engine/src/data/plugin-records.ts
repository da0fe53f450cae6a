// What a plugin's action writes with: records through the write pipeline, inside the action's (or the triggering
// write's) transaction, as the caller. Used by the action routes and by transitions that run an action.
import type { RecordWriter, WriteScope } from './record-writer.js';
import type { PluginRecord, PluginRecords } from '../plugins/plugin-api.js';
import type { Access } from '../security/access.js';
import type { Actor } from '../security/actor.js';

export interface Caller {
  readonly actor: Actor;
  readonly access: Access;
  readonly requestId: string;
}

export function pluginRecords(writer: RecordWriter, scope: WriteScope, caller: Caller): PluginRecords {
  // Plugins are trusted code: the file values they write name blobs they stored.
  const req = (entity: string) => ({ entity, actor: caller.actor, access: caller.access, requestId: caller.requestId, filesVouched: true });
  return {
    async create(entity, values) {
      return (await writer.createIn(scope, req(entity), values, `/${entity}`)) as PluginRecord & { id: string };
    },
    async createMany(entity, values) {
      return (await writer.createManyIn(scope, req(entity), values, `/${entity}`)) as Array<PluginRecord & { id: string }>;
    },
    async update(entity, id, patch) {
      return (await writer.updateIn(scope, req(entity), id, patch, `/${entity}`)) as PluginRecord & { id: string };
    },
    async delete(entity, id) {
      await writer.deleteIn(scope, req(entity), id, `/${entity}`);
    },
  };
}
