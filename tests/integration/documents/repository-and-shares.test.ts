// #25 parts 2 and 3 on both storage drivers: a contract document's versions (numbered, one current, read-only,
// each with its hash, uploader and time), check-out/check-in so nobody overwrites another's work, and share links
// that always serve the current version, with expiry, password, one-time use and revocation, every access logged.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { samplePdf } from '../../support/sample-files.js';
import { startDocumentsWorld, type DocumentsWorld, type Rec } from './repository-world.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const none = { authorization: '' };

describe.each(['local', 's3'])('documents on the %s driver', (driver) => {
  let w: DocumentsWorld;
  beforeAll(async () => {
    w = await startDocumentsWorld(driver);
  }, 90_000);
  afterAll(async () => w?.stop());

  const as = (who: 'alice' | 'bob') => ({ authorization: `Bearer ${w.users[who].token}` });
  async function document(title: string): Promise<Rec> {
    const res = await w.t.request('POST', '/api/v1/contract_document', { title, contract: w.contract.id }, as('alice'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data;
  }
  const uploadVersion = (doc: Rec, bytes: Buffer, who: 'alice' | 'bob', name = 'contract.pdf') =>
    w.upload(`/api/v1/contract_document/${doc.id}/files/current_file?name=${name}`, bytes, w.users[who].token);
  const versions = async (doc: Rec) => {
    const filter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'document' }, doc.id] }));
    const res = await w.t.request('GET', `/api/v1/contract_document_version?filter=${filter}&sort=version_no`);
    return res.body.data as Rec[];
  };

  it('numbers versions, keeps one current, and keeps every version as uploaded', async () => {
    const doc = await document('主合同');
    const v1 = samplePdf('version one');
    const v2 = samplePdf('version two');
    expect((await uploadVersion(doc, v1, 'alice')).status).toBe(200);
    const second = await uploadVersion(doc, v2, 'bob', 'contract-v2.pdf');
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const now = (await w.t.request('GET', `/api/v1/contract_document/${doc.id}`)).body.data;
    expect(now).toMatchObject({ current_version: 2, current_file: { sha256: sha(v2), name: 'contract-v2.pdf' } });
    const all = await versions(doc);
    expect(all.map((v) => [v.version_no, v.sha256, v.uploaded_by, v.is_current])).toEqual([
      [1, sha(v1), w.users.alice.id, false],
      [2, sha(v2), w.users.bob.id, true],
    ]);
    expect(Date.parse(all[1]!.uploaded_at)).toBeGreaterThan(Date.now() - 60_000);
    // Older versions stay readable and can be downloaded, but never change.
    const old = await w.send(`/api/v1/contract_document_version/${all[0]!.id}/files/file`, { headers: as('alice') });
    expect(old.bytes).toEqual(v1);
    const v1row = all[0]!;
    expectProblem(
      await w.t.request(
        'PATCH',
        `/api/v1/contract_document_version/${v1row.id}`,
        { label: 'x' },
        { ...as('alice'), 'if-match': `"${v1row.version}"` },
      ),
      409,
      'documents.version_read_only',
    );
    expectProblem(
      await w.t.request('DELETE', `/api/v1/contract_document_version/${v1row.id}`, undefined, as('alice')),
      409,
      'documents.version_read_only',
    );
    expectProblem(
      await w.t.request('POST', '/api/v1/contract_document_version', { document: doc.id, version_no: 9 }, as('alice')),
      409,
      'documents.version_read_only',
    );
    // Nor can a client copy a stored file's reference into a record: files come in through uploads.
    expectProblem(
      await w.t.request(
        'POST',
        '/api/v1/contract_document_version',
        { document: doc.id, version_no: 9, file: now.current_file },
        as('alice'),
      ),
      422,
      'validation.failed',
      [{ pointer: '/file', code: 'file.upload_required' }],
    );
    // The counter and the check-out are the repository's.
    expectProblem(
      await w.t.request(
        'PATCH',
        `/api/v1/contract_document/${doc.id}`,
        { current_version: 7 },
        { ...as('alice'), 'if-match': `"${now.version}"` },
      ),
      422,
      'documents.managed_field',
    );
  });

  it('audits every version write with the uploader, through the records history', async () => {
    const doc = await document('审计合同');
    const v1 = samplePdf('audited v1');
    const v2 = samplePdf('audited v2');
    expect((await uploadVersion(doc, v1, 'alice')).status).toBe(200);
    expect((await uploadVersion(doc, v2, 'bob', 'audited-v2.pdf')).status).toBe(200);
    const [first, second] = (await versions(doc)) as [Rec, Rec];
    const history = async (id: string) => {
      const res = await w.t.request('GET', `/api/v1/contract_document_version/${id}/history`, undefined, as('alice'));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data as Rec[];
    };
    // Oldest last: v1 was added by alice, then made not current by bob's upload.
    const h1 = await history(first.id);
    expect(h1.map((r) => [r.action, r.actor_id, r.actor_name])).toEqual([
      ['update', w.users.bob.id, 'bob'],
      ['create', w.users.alice.id, 'alice'],
    ]);
    expect(h1[0]!.changes.is_current).toEqual({ before: true, after: false });
    expect(h1[1]!.changes).toMatchObject({
      version_no: { after: 1 },
      sha256: { after: sha(v1) },
      file: { after: { sha256: sha(v1), name: 'contract.pdf' } },
      uploaded_by: { after: w.users.alice.id },
      is_current: { after: true },
    });
    const h2 = await history(second.id);
    expect(h2.map((r) => [r.action, r.actor_id])).toEqual([['create', w.users.bob.id]]);
    expect(h2[0]!.changes).toMatchObject({ version_no: { after: 2 }, file: { after: { sha256: sha(v2), name: 'audited-v2.pdf' } } });
    // The version rows are audited in the same request as the document's new file.
    const doc2 = await w.t.request('GET', `/api/v1/contract_document/${doc.id}/history`, undefined, as('alice'));
    const docUpdate = (doc2.body.data as Rec[]).find((r) => r.changes.current_version?.after === 2);
    expect(docUpdate).toMatchObject({ action: 'update', actor_id: w.users.bob.id, request_id: h2[0]!.request_id });
  });

  it('refuses an upload by someone whose role may not add versions, and writes nothing', async () => {
    const doc = await document('无权版本');
    expect((await uploadVersion(doc, samplePdf('carol base'), 'alice')).status).toBe(200);
    const carol = await w.t.request('POST', '/api/v1/app_user', { username: `carol-${doc.id.slice(0, 8)}`, display_name: 'carol' });
    expect(carol.status, JSON.stringify(carol.body)).toBe(201);
    await w.t.request('PUT', `/api/admin/users/${carol.body.data.id}/password`, { password: 'carol-password-1' });
    const role = await w.t.request('POST', '/api/v1/role', {
      code: `doc_readers_${doc.id.slice(0, 8)}`,
      name: 'Document updaters without versions',
      members: [carol.body.data.id],
      grants: {
        entities: {
          contract_document: { actions: ['read', 'update'], scope: 'all' },
          contract_document_version: { actions: ['read'], scope: 'all' },
          contract: { actions: ['read'], scope: 'all' },
        },
      },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const token = await w.t.login(carol.body.data.username, 'carol-password-1');
    const refused = await w.upload(`/api/v1/contract_document/${doc.id}/files/current_file?name=c.pdf`, samplePdf('carol'), token);
    expectProblem(refused, 403, 'access.denied');
    const now = (await w.t.request('GET', `/api/v1/contract_document/${doc.id}`)).body.data;
    expect(now.current_version).toBe(1);
    expect((await versions(doc)).map((v) => [v.version_no, v.is_current])).toEqual([[1, true]]);
  });

  it('lets only the one who checked a document out upload its next version', async () => {
    const doc = await document('补充协议');
    expect((await uploadVersion(doc, samplePdf('draft'), 'alice')).status).toBe(200);
    const out = await w.t.request('POST', `/api/v1/contract_document/${doc.id}/actions/check_out`, {}, as('alice'));
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    const bobs = samplePdf('bob overwrites');
    expectProblem(await uploadVersion(doc, bobs, 'bob'), 423, 'documents.checked_out');
    expectProblem(
      await w.t.request('POST', `/api/v1/contract_document/${doc.id}/actions/check_out`, {}, as('bob')),
      423,
      'documents.checked_out',
    );
    expectProblem(
      await w.t.request('POST', `/api/v1/contract_document/${doc.id}/actions/check_in`, {}, as('bob')),
      423,
      'documents.checked_out',
    );
    expect((await versions(doc)).length).toBe(1);
    expect((await uploadVersion(doc, samplePdf('alice edits'), 'alice')).status).toBe(200);
    expect((await w.t.request('POST', `/api/v1/contract_document/${doc.id}/actions/check_in`, {}, as('alice'))).status).toBe(200);
    expect((await uploadVersion(doc, bobs, 'bob')).status).toBe(200);
    expect((await versions(doc)).map((v) => [v.version_no, v.uploaded_by])).toEqual([
      [1, w.users.alice.id],
      [2, w.users.alice.id],
      [3, w.users.bob.id],
    ]);
  });

  it('serves the current version through a share link: upload, new version, same link serves the new one', async () => {
    const doc = await document('共享合同');
    const v1 = samplePdf('shared v1');
    await uploadVersion(doc, v1, 'alice');
    const issued = await w.t.request(
      'POST',
      `/api/v1/contract_document/${doc.id}/share-links`,
      { field: 'current_file', expiresInHours: 24 },
      as('alice'),
    );
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const { token, path } = issued.body.data;
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const stored = await w.t.db.pool.query('SELECT token_hash FROM tessera_share_link WHERE id = $1', [issued.body.data.id]);
    expect(stored.rows[0].token_hash).not.toContain(token);
    const first = await w.send(`${path}/content`, { headers: { 'user-agent': 'partner-browser' } });
    expect(first.status).toBe(200);
    expect(first.bytes).toEqual(v1);
    expect(first.headers.get('content-disposition')).toContain('contract.pdf');
    const v2 = samplePdf('shared v2');
    await uploadVersion(doc, v2, 'bob', 'contract-final.pdf');
    const info = await w.t.request('GET', path, undefined, none);
    expect(info.body.data).toEqual({ name: 'contract-final.pdf', size: v2.length, contentType: 'application/pdf', sha256: sha(v2) });
    expect(JSON.stringify(info.body)).not.toContain(w.contract.id);
    expect((await w.send(`${path}/content`, {})).bytes).toEqual(v2);
    const log = await w.t.request(
      'GET',
      `/api/v1/contract_document/${doc.id}/share-links/${issued.body.data.id}/accesses`,
      undefined,
      as('alice'),
    );
    expect(log.body.data.map((a: Rec) => [a.outcome, a.sha256])).toEqual([
      ['downloaded', sha(v2)],
      ['viewed', sha(v2)],
      ['downloaded', sha(v1)],
    ]);
    expect(log.body.data[2]).toMatchObject({ address: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'partner-browser' });
  });

  it('refuses expired, revoked, used, wrong-password and guessed links with a clear 4xx, and logs each', async () => {
    const doc = await document('受限合同');
    await uploadVersion(doc, samplePdf('restricted'), 'alice');
    const issue = async (body: Rec) => {
      const res = await w.t.request(
        'POST',
        `/api/v1/contract_document/${doc.id}/share-links`,
        { field: 'current_file', ...body },
        as('alice'),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.data as Rec;
    };
    const expired = await issue({});
    await w.t.db.pool.query(`UPDATE tessera_share_link SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    expectProblem(await w.t.request('GET', `${expired.path}/content`, undefined, none), 410, 'share.expired');

    const revoked = await issue({});
    expect((await w.t.request('GET', revoked.path, undefined, none)).status).toBe(200);
    expect(
      (await w.t.request('DELETE', `/api/v1/contract_document/${doc.id}/share-links/${revoked.id}`, undefined, as('bob'))).status,
    ).toBe(204);
    expectProblem(await w.t.request('GET', `${revoked.path}/content`, undefined, none), 410, 'share.revoked');

    const once = await issue({ once: true });
    expect((await w.send(`${once.path}/content`, {})).status).toBe(200);
    expectProblem(await w.t.request('GET', `${once.path}/content`, undefined, none), 410, 'share.used');

    const locked = await issue({ password: '合同密码2027' });
    expectProblem(await w.t.request('GET', `${locked.path}/content`, undefined, none), 401, 'share.password_required');
    expectProblem(
      await w.t.request('GET', `${locked.path}/content`, undefined, { ...none, 'x-share-password': 'guess123' }),
      403,
      'share.bad_password',
    );
    const ok = await w.send(`${locked.path}/content`, { headers: { 'x-share-password': encodeURIComponent('合同密码2027') } });
    expect(ok.status).toBe(200);
    const ascii = await issue({ password: 'open-sesame' });
    expect((await w.send(`${ascii.path}/content`, { headers: { 'x-share-password': 'open-sesame' } })).status).toBe(200);
    // Guessing at speed stops after ten wrong passwords, even for the right one.
    for (let i = 0; i < 10; i += 1) await w.send(`${ascii.path}/content`, { headers: { 'x-share-password': `guess-${i}` } });
    expectProblem(
      await w.t.request('GET', `${ascii.path}/content`, undefined, { ...none, 'x-share-password': 'open-sesame' }),
      429,
      'share.too_many_attempts',
    );

    expectProblem(
      await w.t.request('GET', '/api/public/shares/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/content', undefined, none),
      404,
      'share.not_found',
    );
    expectProblem(await w.t.request('GET', '/api/public/shares/..%2F..%2Fetc/content', undefined, none), 404);

    const outcomes = await w.t.db.pool.query<{ outcome: string }>(
      `SELECT outcome FROM tessera_share_access WHERE link_id = ANY($1) OR link_id IS NULL ORDER BY at, id`,
      [[expired.id, revoked.id, once.id, locked.id]],
    );
    const seen = outcomes.rows.map((r) => r.outcome);
    for (const o of ['expired', 'revoked', 'used', 'password_required', 'bad_password', 'not_found']) expect(seen).toContain(o);
    // Issuing needs update access to the record; a bad request is a 422 naming the field.
    expectProblem(
      await w.t.request('POST', `/api/v1/contract_document/${doc.id}/share-links`, { field: 'title' }, as('alice')),
      422,
      'validation.failed',
      [{ pointer: '/field' }],
    );
    expectProblem(
      await w.t.request(
        'POST',
        `/api/v1/contract_document/${doc.id}/share-links`,
        { field: 'current_file', expiresInHours: 0 },
        as('alice'),
      ),
      422,
      'validation.failed',
      [{ pointer: '/expiresInHours' }],
    );
  });
});
