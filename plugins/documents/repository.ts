// The contract repository's rules: a document's versions are numbered and kept; exactly one is current; versions
// are never changed or deleted by a client; a new version comes only by uploading to the document's current_file (the
// engine's file route, which writes it through the pipeline as the uploader), and not while someone else has the
// document checked out. The version rows are written through the pipeline too, as the uploader and in the same
// transaction as the document's new current_file, so each is audited with who added it (the uploader's role needs
// create and update on contract_document_version: those grants say who may add versions by upload).
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  PluginRejection,
  type PluginDb,
  type PluginHost,
  type PluginRecord,
  type PluginRecords,
} from '../../engine/src/plugins/plugin-api.js';

const DOCUMENT = 'contract_document';
const VERSION = 'contract_document_version';
/** Fields only the repository sets: the version counter and the check-out (through its actions). */
const MANAGED = ['current_version', 'checked_out_by', 'checked_out_at'];

interface FileValue {
  sha256: string;
  name: string;
  size: number;
  contentType: string;
}

interface DocumentLock {
  current_version: number;
  checked_out_by_id: string | null;
  checked_out_name: string | null;
}

/** The document's row, locked for this transaction, so two uploads cannot both become version n + 1. */
export async function lockDocument(db: PluginDb, id: string): Promise<DocumentLock> {
  const [row] = await db.query<Record<string, unknown>>(
    `SELECT d.current_version, d.checked_out_by_id, u.display_name AS checked_out_name
       FROM ${DOCUMENT} d LEFT JOIN app_user u ON u.id = d.checked_out_by_id
      WHERE d.id = $1 AND d.deleted_at IS NULL FOR UPDATE OF d`,
    [id],
  );
  if (!row) throw new PluginRejection(`document ${id} does not exist`, '', 'documents.not_found', 404);
  return {
    current_version: Number(row.current_version ?? 0),
    checked_out_by_id: (row.checked_out_by_id as string | null) ?? null,
    checked_out_name: (row.checked_out_name as string | null) ?? null,
  };
}

/** Refuses a change to a document someone else has checked out (423 Locked, naming who). */
export function refuseIfCheckedOutByOther(lock: DocumentLock, actorId: string | null): void {
  if (lock.checked_out_by_id !== null && lock.checked_out_by_id !== actorId) {
    throw new PluginRejection(
      `${lock.checked_out_name ?? 'another user'} has this document checked out; it takes no new version until they check it in`,
      '/current_file',
      'documents.checked_out',
      423,
    );
  }
}

/** A managed field the write sets; on create, the defaults (version 0, not checked out) are what the engine fills in. */
function managedChange(changes: PluginRecord, creating = false): string | undefined {
  return MANAGED.find((f) => changes[f] !== undefined && !(creating && (changes[f] === null || changes[f] === 0)));
}

/** Set around the repository's own version writes (an AsyncLocalStorage, so no client can set it). */
const repositoryWrite = new AsyncLocalStorage<true>();

async function recordVersion(
  db: PluginDb,
  records: PluginRecords,
  documentId: string,
  no: number,
  file: FileValue,
  actorId: string | null,
): Promise<void> {
  const current = await db.query<{ id: string }>(`SELECT id FROM ${VERSION} WHERE document_id = $1 AND is_current`, [documentId]);
  await repositoryWrite.run(true, async () => {
    for (const { id } of current) await records.update(VERSION, id, { is_current: false });
    await records.create(VERSION, {
      document: documentId,
      version_no: no,
      label: `v${no} ${file.name}`.slice(0, 300),
      file,
      sha256: file.sha256,
      uploaded_by: actorId,
      uploaded_at: new Date().toISOString(),
      is_current: true,
    });
  });
}

export function registerRepository(host: PluginHost): void {
  host.before(
    'record.beforeCreate',
    ({ changes }) => {
      const managed = managedChange(changes, true);
      if (managed) throw new PluginRejection(`'${managed}' is kept by the repository`, `/${managed}`, 'documents.managed_field');
      if (changes.current_file !== undefined && changes.current_file !== null) {
        throw new PluginRejection(
          'create the document first, then upload its first version to current_file',
          '/current_file',
          'documents.upload_versions',
        );
      }
    },
    { entities: [DOCUMENT] },
  );

  host.before(
    'record.beforeUpdate',
    async ({ changes, db, actor, before, records }) => {
      const managed = managedChange(changes);
      if (managed) {
        throw new PluginRejection(`'${managed}' changes only through check_out and check_in`, `/${managed}`, 'documents.managed_field');
      }
      if (!('current_file' in changes)) return;
      const file = changes.current_file as FileValue | null;
      if (file === null) throw new PluginRejection('a document keeps its current version', '/current_file', 'documents.keep_current');
      const id = String(before?.id);
      const lock = await lockDocument(db, id);
      refuseIfCheckedOutByOther(lock, actor.id);
      // The engine hands before hooks pipeline writes; an engine that did not could not audit the version.
      if (!records) throw new PluginRejection('this engine cannot record document versions', '', 'documents.unavailable', 503);
      const no = lock.current_version + 1;
      await recordVersion(db, records, id, no, file, actor.id);
      changes.current_version = no;
    },
    { entities: [DOCUMENT] },
  );

  // Versions are history: written only by the hook above, never by a client.
  const readOnly = () => {
    if (repositoryWrite.getStore() === true) return;
    throw new PluginRejection(
      'document versions are kept as uploaded; upload a new version instead',
      '',
      'documents.version_read_only',
      409,
    );
  };
  host.before('record.beforeCreate', readOnly, { entities: [VERSION] });
  host.before('record.beforeUpdate', readOnly, { entities: [VERSION] });
  host.before('record.beforeDelete', readOnly, { entities: [VERSION] });
}
