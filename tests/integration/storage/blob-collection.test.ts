// Blob garbage collection (#25) on both storage drivers, in an engine with the documents pack: blobs a record keeps
// (a document version's file field, an attachment, a rendered file the rendering plugin declares) survive; an old one
// nothing keeps (an upload the repository refused, a put whose record never came) is set aside, still served, and
// purged a grace period later unless something references it again; a young one stays. Administrators run it at
// POST /api/admin/blobs/collect; the daily schedule runs the same job; one process collects at a time.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueDueWork } from '../../../engine/src/jobs/schedule-tick.js';
import type { StoredBlob } from '../../../engine/src/storage/blob-store.js';
import { expectProblem } from '../../support/problem-checks.js';
import { samplePdf } from '../../support/sample-files.js';
import { startDocumentsWorld, type DocumentsWorld, type Rec } from '../documents/repository-world.js';

const GRACE_SECONDS = 2;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const pastGrace = () => new Promise((r) => setTimeout(r, GRACE_SECONDS * 1000 + 1200));

describe.each(['local', 's3'])('blob collection on the %s driver', (driver) => {
  let w: DocumentsWorld;
  beforeAll(async () => {
    w = await startDocumentsWorld(driver, { TESSERA_BLOB_GRACE_SECONDS: String(GRACE_SECONDS) });
  }, 90_000);
  afterAll(async () => w?.stop());

  const as = (who: 'alice' | 'bob') => ({ authorization: `Bearer ${w.users[who].token}` });
  const collect = async () => {
    const res = await w.t.request('POST', '/api/admin/blobs/collect', {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data as Rec;
  };
  const keys = async (blobs: AsyncIterable<StoredBlob>) => {
    const out: string[] = [];
    for await (const b of blobs) out.push(b.sha256);
    return out.sort();
  };

  it('keeps what records reference and young blobs, sets old unreferenced ones aside, then purges them', async () => {
    // Kept by a document version and the document's current file (file fields).
    const doc = (await w.t.request('POST', '/api/v1/contract_document', { title: '保留合同', contract: w.contract.id }, as('alice'))).body
      .data as Rec;
    const version = samplePdf('kept version');
    expect(
      (await w.upload(`/api/v1/contract_document/${doc.id}/files/current_file?name=v1.pdf`, version, w.users.alice.token)).status,
    ).toBe(200);
    // Kept by an attachment (an engine table).
    const annex = samplePdf('kept annex');
    const attached = await w.upload(`/api/v1/contract/${w.contract.id}/attachments?name=annex.pdf`, annex, w.t.adminToken, 'POST');
    expect(attached.status, JSON.stringify(attached.body)).toBe(201);
    // Kept by a rendered file's record (a field the rendering plugin declares).
    const rendered = await w.t.request('POST', `/api/v1/contract/${w.contract.id}/actions/render`, { format: 'docx' });
    expect(rendered.status, JSON.stringify(rendered.body)).toBe(200);
    const renderedSha = rendered.body.data.sha256 as string;
    // Nothing keeps an upload the repository refused (someone else has the document checked out)...
    expect((await w.t.request('POST', `/api/v1/contract_document/${doc.id}/actions/check_out`, {}, as('alice'))).status).toBe(200);
    const refused = samplePdf('refused upload');
    expectProblem(await w.upload(`/api/v1/contract_document/${doc.id}/files/current_file?name=b.pdf`, refused, w.users.bob.token), 423);
    expect(await w.t.engine.blobs.has(sha(refused))).toBe(true);
    // ...nor bytes whose record never came.
    const stray = Buffer.from('a put whose record was never written');
    await w.t.engine.blobs.put(stray, { maxBytes: 1024 });

    await pastGrace();
    const young = Buffer.from('an upload still on its way to its record');
    await w.t.engine.blobs.put(young, { maxBytes: 1024 });

    expect(await collect()).toEqual({
      graceSeconds: GRACE_SECONDS,
      stored: 6,
      young: 1,
      referenced: 3,
      trashed: 2,
      restored: 0,
      purged: 0,
      waiting: 2,
      staleUploads: 0,
    });
    const kept = [sha(version), sha(annex), renderedSha, sha(young)].sort();
    expect(await keys(w.t.engine.blobs.listStored())).toEqual(kept);
    expect(await keys(w.t.engine.blobs.listTrashed())).toEqual([sha(refused), sha(stray)].sort());
    // What records keep still downloads; what is aside is still found until it is purged.
    expect((await w.send(`/api/v1/contract_document/${doc.id}/files/current_file`, { headers: as('alice') })).bytes).toEqual(version);
    expect(
      (await w.send(`/api/v1/contract/${w.contract.id}/attachments/${attached.body.data.id}/content`, { headers: as('alice') })).bytes,
    ).toEqual(annex);
    expect(await w.t.engine.blobs.has(sha(stray))).toBe(true);

    // While aside, the stray bytes are uploaded again and kept by a record this time.
    const again = await w.upload(`/api/v1/contract/${w.contract.id}/attachments?name=stray.txt`, stray, w.t.adminToken, 'POST');
    expect(again.status, JSON.stringify(again.body)).toBe(201);

    await pastGrace();
    expect(await collect()).toMatchObject({ stored: 5, young: 0, referenced: 4, trashed: 1, restored: 1, purged: 1, waiting: 1 });
    expect(await w.t.engine.blobs.has(sha(refused))).toBe(false);
    expect(await keys(w.t.engine.blobs.listStored())).toEqual([sha(version), sha(annex), renderedSha, sha(stray)].sort());
    expect(await keys(w.t.engine.blobs.listTrashed())).toEqual([sha(young)]);

    // The daily schedule runs the same collection: past the grace period, the young upload (never referenced) goes.
    await pastGrace();
    const due = Date.parse('2026-12-07T03:17:20Z');
    const [key] = (await queueDueWork(w.t.engine.queue, w.t.engine.models.current().model, due, {})).filter((k) =>
      k.includes('blob-collect'),
    );
    expect(key).toBe('schedule:blob-collect:2026-12-07T03:17:00.000Z');
    await vi.waitFor(async () => expect((await w.t.engine.queue.list('completed', 1000)).map((j) => j.key)).toContain(key), {
      timeout: 15_000,
      interval: 50,
    });
    expect(await w.t.engine.blobs.has(sha(young))).toBe(false);
    expect(await keys(w.t.engine.blobs.listTrashed())).toEqual([]);
  }, 60_000);

  it('is for administrators only, and one process collects at a time', async () => {
    expectProblem(await w.t.request('POST', '/api/admin/blobs/collect', {}, as('alice')), 403, 'access.admin_required');
    const holder = await w.t.db.pool.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('tessera:blobs:collect', 0))`);
      expectProblem(await w.t.request('POST', '/api/admin/blobs/collect', {}), 409, 'storage.collection_running');
      await holder.query(`SELECT pg_advisory_unlock(hashtextextended('tessera:blobs:collect', 0))`);
    } finally {
      holder.release();
    }
    expect((await w.t.request('POST', '/api/admin/blobs/collect', {})).status).toBe(200);
  });
});
