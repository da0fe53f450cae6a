// Check-out and check-in: whoever checks a document out is the only one who may upload its next version until they
// check it in, so two people never overwrite each other's edits.
import { PluginRejection, type PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { lockDocument, refuseIfCheckedOutByOther } from './repository.js';

export function registerCheckOut(host: PluginHost): void {
  host.action({
    entity: 'contract_document',
    name: 'check_out',
    label: { en: 'Check out', 'zh-CN': '签出' },
    input: { type: 'object', additionalProperties: false, properties: {} },
    async run({ id, db, actor }) {
      const lock = await lockDocument(db, id);
      refuseIfCheckedOutByOther(lock, actor.id);
      if (!actor.id) throw new PluginRejection('sign in to check a document out', '', 'documents.no_user', 403);
      // The repository's own fields: written here, outside the pipeline, which refuses them from clients.
      const [row] = await db.query<{ checked_out_at: Date }>(
        `UPDATE contract_document SET checked_out_by_id = $2, checked_out_at = now(), updated_at = now(), version = version + 1
          WHERE id = $1 RETURNING checked_out_at`,
        [id, actor.id],
      );
      return { checkedOutBy: actor.id, checkedOutAt: row?.checked_out_at ?? null };
    },
  });

  host.action({
    entity: 'contract_document',
    name: 'check_in',
    label: { en: 'Check in', 'zh-CN': '签入' },
    input: { type: 'object', additionalProperties: false, properties: {} },
    async run({ id, db, actor }) {
      const lock = await lockDocument(db, id);
      if (lock.checked_out_by_id === null) return { checkedOutBy: null };
      // Only the holder checks in (the system actor, e.g. a maintenance job, may release a forgotten one).
      if (!actor.isSystem) refuseIfCheckedOutByOther(lock, actor.id);
      await db.query(
        `UPDATE contract_document SET checked_out_by_id = NULL, checked_out_at = NULL, updated_at = now(), version = version + 1 WHERE id = $1`,
        [id],
      );
      return { checkedOutBy: null, currentVersion: lock.current_version };
    },
  });
}
