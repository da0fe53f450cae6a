// Runs the plugin action a transition names (its `runAction`), inside the write that took the transition and as its
// caller: the action's writes go through the pipeline in the same transaction, so a failing action undoes the
// whole write. The action runs because the metadata says so, not because the caller holds its grant; what it writes
// is bounded by the caller's grants like any write. Handed to the writer by engine.ts.
import type { RecordWriter } from '../data/record-writer.js';
import { pluginDb } from '../data/plugin-db.js';
import { stripHidden } from '../data/visible-fields.js';
import type { TransitionActionRunner, WriteContext } from '../data/write-context.js';
import type { Model } from '../metadata/model.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { EngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import { pluginRecords } from '../data/plugin-records.js';

export interface TransitionActionDeps {
  readonly actions: ReadonlyMap<string, ActionDef>;
  readonly writer: () => RecordWriter;
  model(): Model;
  readonly log: Logger;
}

export function transitionActions(deps: TransitionActionDeps): TransitionActionRunner {
  return {
    async run(ctx: WriteContext, name: string) {
      const def = deps.actions.get(`${ctx.rt.entity.name}/${name}`);
      // Checked when the Model is prepared (checkTransitionActions); a plugin gone since is a server fault.
      if (!def) throw new EngineError('transition.unknown_action', 500, `${ctx.rt.entity.name} has no action '${name}'`);
      const scope = { tx: ctx.tx, services: ctx.services, afterCommit: ctx.afterCommit };
      await def.run({
        id: ctx.id,
        record: stripHidden(ctx.after ?? {}, ctx.rt, ctx.access),
        input: {},
        db: pluginDb(ctx.tx),
        records: pluginRecords(deps.writer(), scope, ctx),
        model: deps.model(),
        actor: ctx.actor,
        log: deps.log.child({ entity: ctx.rt.entity.name, id: ctx.id, action: name }),
      });
    },
  };
}
