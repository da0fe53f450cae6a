// The signing events' hash chain: each event's hash is the SHA-256 of its canonical content (request, number, kind,
// actor, time, detail) and the previous event's hash, the first one chained to a fixed zero hash. Changing, removing
// or reordering any event changes every hash after it, which verifyChain reports. Pure; signing-events.ts stores.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../contracts/contract-content.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEvent {
  readonly request: string;
  readonly seq: number;
  readonly kind: string;
  readonly actor: string;
  readonly at: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly prev_hash: string;
}

export interface StoredEvent extends ChainEvent {
  readonly hash: string;
}

export function eventHash(event: ChainEvent): string {
  const { request, seq, kind, actor, at, detail, prev_hash } = event;
  return createHash('sha256').update(canonicalJson({ request, seq, kind, actor, at, detail, prev_hash }), 'utf8').digest('hex');
}

export type ChainCheck =
  | { readonly intact: true; readonly events: number; readonly head: string }
  | { readonly intact: false; readonly events: number; readonly brokenAt: number; readonly reason: string };

/** Checks events in seq order: numbering without gaps, each linked to the one before, each hash recomputed. */
export function verifyChain(events: readonly StoredEvent[]): ChainCheck {
  let prev = GENESIS_HASH;
  for (const [i, event] of events.entries()) {
    const broken = (reason: string): ChainCheck => ({ intact: false, events: events.length, brokenAt: event.seq, reason });
    if (event.seq !== i + 1) return broken(`event ${i + 1} is missing`);
    if (event.prev_hash !== prev) return broken(`event ${event.seq} does not follow the event before it`);
    if (eventHash(event) !== event.hash) return broken(`event ${event.seq} was changed after it was recorded`);
    prev = event.hash;
  }
  return { intact: true, events: events.length, head: prev };
}
