// Appends an event to a signing request's hash chain inside the caller's transaction: the request row is locked so
// two signers signing at once get consecutive numbers, the previous hash read, the new hash computed (event-chain.ts)
// and the event written through the pipeline. Also reads a request's chain back in order.
import type { PluginDb, PluginRecords } from '../../engine/src/plugins/plugin-api.js';
import { eventHash, GENESIS_HASH, type StoredEvent } from './event-chain.js';
import { asEsign } from './trusted-writes.js';

export interface NewEvent {
  readonly kind: string;
  /** Who: a signer's e-mail, a user's name, or `system`. */
  readonly actor: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export async function appendEvent(db: PluginDb, records: PluginRecords, request: string, event: NewEvent): Promise<StoredEvent> {
  await db.query('SELECT id FROM signing_request WHERE id = $1 FOR UPDATE', [request]);
  const [last] = await db.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM signing_event WHERE request_id = $1 ORDER BY seq DESC LIMIT 1',
    [request],
  );
  const chained = {
    request,
    seq: (last?.seq ?? 0) + 1,
    kind: event.kind,
    actor: event.actor,
    at: new Date().toISOString(),
    detail: event.detail ?? {},
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const stored: StoredEvent = { ...chained, hash: eventHash(chained) };
  await asEsign(() => records.create('signing_event', { ...stored }));
  return stored;
}

export async function readChain(db: PluginDb, request: string): Promise<StoredEvent[]> {
  return db.query<StoredEvent & Record<string, unknown>>(
    `SELECT request_id::text AS request, seq, kind, actor, at, detail, prev_hash, hash
       FROM signing_event WHERE request_id = $1 AND deleted_at IS NULL ORDER BY seq`,
    [request],
  );
}
