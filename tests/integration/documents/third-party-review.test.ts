// #25 part 4: an outside party without an account sends files for one contract through an upload link with
// limits; the files wait in review; every reviewer sees the same stored version and may comment; a reviewer rejects
// one and approves another (which joins the contract's attachments); the outsider sees each outcome through the
// link. Over-limit, expired, revoked and guessed links are clear 4xx with nothing stored. On both storage drivers.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { samplePdf, samplePng } from '../../support/sample-files.js';
import { startDocumentsWorld, type DocumentsWorld, type Rec } from './repository-world.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let w: DocumentsWorld;

const as = (who: 'alice' | 'bob') => ({ authorization: `Bearer ${w.users[who].token}` });
const base = () => `/api/v1/contract/${w.contract.id}`;
const outsider = (path: string, bytes: Uint8Array, name: string) =>
  w.send(`${path}?name=${encodeURIComponent(name)}`, { method: 'POST', body: bytes });

async function issue(body: Rec = {}): Promise<Rec> {
  const res = await w.t.request('POST', `${base()}/upload-links`, body, as('alice'));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

describe.each(['local', 's3'])('third-party upload and review on the %s driver', (driver) => {
  beforeAll(async () => {
    w = await startDocumentsWorld(driver);
  }, 90_000);
  afterAll(async () => w?.stop());

  it('takes files from an outsider, has them reviewed, and shows the outsider the outcome', async () => {
    const link = await issue({ maxFiles: 3, expiresInHours: 48 });
    const annex = samplePdf('supplier annex');
    const scan = samplePng();
    const sent = await outsider(link.path, annex, '附件一 技术规格.pdf');
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.data).toMatchObject({ status: 'pending', sha256: sha(annex), name: '附件一 技术规格.pdf' });
    const second = await outsider(link.path, scan, 'stamp.png');
    expect(second.status).toBe(201);

    // Both reviewers see the same submissions, the same bytes.
    const forAlice = await w.t.request('GET', `${base()}/submissions`, undefined, as('alice'));
    const forBob = await w.t.request('GET', `${base()}/submissions`, undefined, as('bob'));
    expect(forAlice.body.data.map((s: Rec) => s.sha256)).toEqual([sha(annex), sha(scan)]);
    expect(forBob.body.data).toEqual(forAlice.body.data);
    const [annexSub, scanSub] = forAlice.body.data as [Rec, Rec];
    const content = await w.send(`${base()}/submissions/${annexSub.id}/content`, { headers: as('bob') });
    expect(content.bytes).toEqual(annex);

    expect(
      (await w.t.request('POST', `${base()}/submissions/${annexSub.id}/comments`, { body: '第3条与主合同不一致' }, as('bob'))).status,
    ).toBe(201);
    const rejected = await w.t.request(
      'POST',
      `${base()}/submissions/${annexSub.id}/decision`,
      { decision: 'rejected', note: '请按主合同第3条修改后重新上传' },
      as('alice'),
    );
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expectProblem(
      await w.t.request('POST', `${base()}/submissions/${annexSub.id}/decision`, { decision: 'approved' }, as('bob')),
      409,
      'review.decided',
    );
    expect((await w.t.request('POST', `${base()}/submissions/${scanSub.id}/decision`, { decision: 'approved' }, as('bob'))).status).toBe(
      200,
    );

    // The outsider sees each outcome and the note, and nothing of the contract or the internal comments.
    const view = await w.t.request('GET', link.path, undefined, { authorization: '' });
    expect(view.status).toBe(200);
    expect(view.body.data).toMatchObject({ maxFiles: 3, remaining: 1 });
    expect(view.body.data.files.map((f: Rec) => [f.name, f.status, f.decisionNote])).toEqual([
      ['附件一 技术规格.pdf', 'rejected', '请按主合同第3条修改后重新上传'],
      ['stamp.png', 'approved', null],
    ]);
    const text = JSON.stringify(view.body);
    for (const secret of [w.contract.id, '设备采购合同', '第3条与主合同不一致', w.users.alice.id]) expect(text).not.toContain(secret);
    // The approved file is now one of the contract's attachments; the rejected one is not.
    const attachments = await w.t.request('GET', `${base()}/attachments`, undefined, as('alice'));
    expect(attachments.body.data.map((a: Rec) => a.sha256)).toEqual([sha(scan)]);
    const all = (await w.t.request('GET', `${base()}/submissions`, undefined, as('alice'))).body.data as Rec[];
    expect(all[0]).toMatchObject({
      status: 'rejected',
      decidedBy: w.users.alice.id,
      comments: [{ author: w.users.bob.id, body: '第3条与主合同不一致' }],
    });
  });

  it('holds the link to its limits and refuses dead or guessed links, storing nothing', async () => {
    const link = await issue({ maxFiles: 1, maxBytes: 2000 });
    const big = samplePdf('x'.repeat(3000));
    expectProblem(await outsider(link.path, big, 'big.pdf'), 413, 'storage.too_large');
    expectProblem(await outsider(link.path, Buffer.from('not a pdf'), 'fake.pdf'), 415, 'file.type_mismatch');
    expectProblem(await outsider(link.path, samplePdf('trick'), '../../contract.pdf'), 400, 'file.bad_name');
    expect((await outsider(link.path, samplePdf('one'), 'one.pdf')).status).toBe(201);
    const extra = samplePdf('two');
    expectProblem(await outsider(link.path, extra, 'two.pdf'), 409, 'upload_link.full');
    for (const bytes of [big, extra, samplePdf('trick')]) expect(await w.t.engine.blobs.has(sha(bytes))).toBe(false);

    const expired = await issue();
    await w.t.db.pool.query(`UPDATE tessera_upload_link SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    expectProblem(await outsider(expired.path, samplePdf('late'), 'late.pdf'), 410, 'upload_link.expired');
    const revoked = await issue();
    expect((await w.t.request('DELETE', `${base()}/upload-links/${revoked.id}`, undefined, as('alice'))).status).toBe(204);
    expectProblem(await outsider(revoked.path, samplePdf('revoked'), 'r.pdf'), 410, 'upload_link.revoked');
    expectProblem(await w.t.request('GET', revoked.path, undefined, { authorization: '' }), 410, 'upload_link.revoked');
    // The record's links, for those who may update it: limits, files taken, revoked or not, and never a token.
    const listed = await w.t.request('GET', `${base()}/upload-links`, undefined, as('alice'));
    expect(listed.status).toBe(200);
    const rows = listed.body.data as Array<Record<string, unknown>>;
    expect(rows.find((r) => r.id === link.id)).toMatchObject({ used: 1, maxFiles: 1, revokedAt: null });
    expect(rows.find((r) => r.id === revoked.id)?.revokedAt).toEqual(expect.any(String));
    expect(JSON.stringify(rows)).not.toContain(link.path.split('/').pop());
    expectProblem(
      await outsider('/api/public/uploads/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', samplePdf('guess'), 'g.pdf'),
      404,
      'upload_link.not_found',
    );
    expect(await w.t.engine.blobs.has(sha(samplePdf('late')))).toBe(false);

    // Limits are checked when the link is issued too; a bad decision is a 422.
    expectProblem(await w.t.request('POST', `${base()}/upload-links`, { maxFiles: 0 }, as('alice')), 422, 'validation.failed', [
      { pointer: '/maxFiles' },
    ]);
    expectProblem(await w.t.request('POST', `${base()}/upload-links`, { maxBytes: 10 ** 12 }, as('alice')), 422, 'validation.failed', [
      { pointer: '/maxBytes' },
    ]);
    const subs = (await w.t.request('GET', `${base()}/submissions`, undefined, as('alice'))).body.data as Rec[];
    expectProblem(
      await w.t.request('POST', `${base()}/submissions/${subs.at(-1)!.id}/decision`, { decision: 'maybe' }, as('alice')),
      422,
      'validation.failed',
      [{ pointer: '/decision' }],
    );
  });
});
