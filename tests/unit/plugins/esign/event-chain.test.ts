// The signing events' hash chain: an intact chain verifies; changing an event's content, removing one, reordering
// two or relinking one is found at the event where it breaks.
import { describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH, verifyChain, type StoredEvent } from '../../../../plugins/esign/event-chain.js';

function chain(kinds: readonly string[]): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const [i, kind] of kinds.entries()) {
    const e = {
      request: '7d1f7a7e-0000-4000-8000-000000000001',
      seq: i + 1,
      kind,
      actor: i === 0 ? 'admin' : 'wang@customer.test',
      at: `2027-01-0${i + 1}T08:00:00.000Z`,
      detail: { position: 1, note: `第 ${i + 1} 步` },
      prev_hash: out.at(-1)?.hash ?? GENESIS_HASH,
    };
    out.push({ ...e, hash: eventHash(e) });
  }
  return out;
}

describe('the signing event chain', () => {
  const events = chain(['requested', 'code_sent', 'signed', 'completed']);

  it('verifies an intact chain and reports its head', () => {
    expect(verifyChain(events)).toEqual({ intact: true, events: 4, head: events[3]?.hash });
  });

  it('finds an event whose content was changed', () => {
    const edited = events.map((e) => (e.seq === 3 ? { ...e, detail: { ...e.detail, note: 'someone else' } } : e));
    expect(verifyChain(edited)).toMatchObject({ intact: false, brokenAt: 3, reason: 'event 3 was changed after it was recorded' });
  });

  it('finds a removed event and a reordering', () => {
    expect(verifyChain(events.filter((e) => e.seq !== 2))).toMatchObject({ intact: false, brokenAt: 3, reason: 'event 2 is missing' });
    const swapped = [events[0], events[2], events[1], events[3]] as StoredEvent[];
    expect(verifyChain(swapped)).toMatchObject({ intact: false });
  });

  it('finds an event rehashed without its predecessor', () => {
    const first = events[0] as StoredEvent;
    const forged = { ...first, kind: 'forged', prev_hash: GENESIS_HASH };
    const rehashed = [{ ...forged, hash: eventHash(forged) }, ...events.slice(1)];
    expect(verifyChain(rehashed)).toMatchObject({ intact: false, brokenAt: 2, reason: 'event 2 does not follow the event before it' });
  });
});
