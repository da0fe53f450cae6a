// #25 part 1: a record's `file` fields and attachments, on both storage drivers (the local folder and S3 through
// a real s3rver). Uploads stream in with the type sniffed from the bytes; a lying type, a path trick in the name and
// an oversized body are clear 4xx with nothing stored; downloads stream back with RFC 6266 names; the record's own
// read and update access decides who may download and upload (another's record is a 404).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { samplePdf, samplePng, uploadInit } from '../../support/sample-files.js';
import { startS3Server, type TestS3Server } from '../../support/s3-server.js';
import { startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';

type Rec = Record<string, any>;
const LIMIT = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.each(['local', 's3'])('files on the %s driver', (driver) => {
  let t: TestEngine;
  let s3: TestS3Server | undefined;

  beforeAll(async () => {
    s3 = driver === 's3' ? await startS3Server() : undefined;
    t = await startTestEngine({
      packs: ['metadata/packs/core', 'tests/fixtures/packs/files-demo'],
      env: { TESSERA_FILE_LIMIT: String(LIMIT), ...(s3?.env ?? {}) },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await s3?.stop();
  });

  async function send(path: string, init: RequestInit): Promise<TestResponse> {
    const res = await fetch(t.url + path, init);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // raw bytes
    }
    return { status: res.status, body, headers: res.headers };
  }
  const upload = (path: string, bytes: Uint8Array, type?: string, token = t.adminToken, method = 'POST') =>
    send(path, uploadInit(token, bytes, type, method));

  async function dossier(title: string, owner?: string): Promise<Rec> {
    const res = await t.request('POST', '/api/v1/dossier', { title, ...(owner ? { owner } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data;
  }

  async function user(name: string, grant: Rec): Promise<{ id: string; token: string }> {
    const u = await t.request('POST', '/api/v1/app_user', { username: name, display_name: name });
    await t.request('PUT', `/api/admin/users/${u.body.data.id}/password`, { password: `${name}-password-1` });
    const role = await t.request('POST', '/api/v1/role', {
      code: name,
      name,
      members: [u.body.data.id],
      grants: { entities: { dossier: grant } },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    return { id: u.body.data.id, token: await t.login(name, `${name}-password-1`) };
  }

  it('uploads into a file field and streams it back with its real type and UTF-8 name', async () => {
    const rec = await dossier('采购合同');
    const pdf = samplePdf('scan');
    const name = encodeURIComponent('合同 扫描件.pdf');
    const put = await upload(`/api/v1/dossier/${rec.id}/files/scan?name=${name}`, pdf, 'application/pdf', t.adminToken, 'PUT');
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.data.file).toEqual({ sha256: sha(pdf), name: '合同 扫描件.pdf', size: pdf.length, contentType: 'application/pdf' });
    const read = await t.request('GET', `/api/v1/dossier/${rec.id}`);
    expect(read.body.data.scan).toEqual(put.body.data.file);

    const res = await fetch(`${t.url}/api/v1/dossier/${rec.id}/files/scan`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="__ ___.pdf"; filename*=UTF-8''%E5%90%88%E5%90%8C%20%E6%89%AB%E6%8F%8F%E4%BB%B6.pdf`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(pdf);
    expect(await t.engine.blobs.has(sha(pdf))).toBe(true);
  });

  it("refuses a file value written directly (it could name another's blob), and takes the held value back or a clear", async () => {
    const secret = await dossier('机密');
    const pdf = samplePdf('secret');
    const put = await upload(`/api/v1/dossier/${secret.id}/files/scan?name=secret.pdf`, pdf, 'application/pdf', t.adminToken, 'PUT');
    const ref = put.body.data.file;
    const mine = await dossier('我的');
    expectProblem(await t.request('PATCH', `/api/v1/dossier/${mine.id}`, { scan: ref }, { 'if-match': '"1"' }), 422, 'validation.failed', [
      { pointer: '/scan', code: 'file.upload_required' },
    ]);
    expectProblem(await t.request('POST', '/api/v1/dossier', { title: '抄来的', scan: ref }), 422, 'validation.failed', [
      { pointer: '/scan', code: 'file.upload_required' },
    ]);
    // A form saving every field sends the held value back, in any key order; clearing is allowed.
    const held = { contentType: ref.contentType, size: ref.size, name: ref.name, sha256: ref.sha256 };
    const same = await t.request('PATCH', `/api/v1/dossier/${secret.id}`, { title: '机密 A', scan: held }, { 'if-match': '"2"' });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    const renamed = await t.request('PATCH', `/api/v1/dossier/${secret.id}`, { scan: { ...ref, name: 'x.pdf' } }, { 'if-match': '"3"' });
    expectProblem(renamed, 422, 'validation.failed', [{ pointer: '/scan', code: 'file.upload_required' }]);
    const cleared = await t.request('PATCH', `/api/v1/dossier/${secret.id}`, { scan: null }, { 'if-match': '"3"' });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(cleared.body.data.scan).toBeNull();
  });

  it('keeps attachments on any record: add, list, download, remove', async () => {
    const rec = await dossier('附件');
    const png = samplePng();
    const added = await upload(`/api/v1/dossier/${rec.id}/attachments?name=logo.png`, png);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.data).toMatchObject({ name: 'logo.png', contentType: 'image/png', size: png.length, sha256: sha(png) });
    // Undeclared and named plainly: the type comes from the bytes.
    const text = await upload(`/api/v1/dossier/${rec.id}/attachments?name=notes.txt`, Buffer.from('会议纪要\n第二行\n'));
    expect(text.status, JSON.stringify(text.body)).toBe(201);
    expect(text.body.data.contentType).toBe('text/plain');
    const list = await t.request('GET', `/api/v1/dossier/${rec.id}/attachments`);
    expect(list.body.data.map((a: Rec) => a.name)).toEqual(['logo.png', 'notes.txt']);
    const content = await fetch(`${t.url}/api/v1/dossier/${rec.id}/attachments/${added.body.data.id}/content`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(content.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await content.arrayBuffer())).toEqual(png);
    expect((await t.request('DELETE', `/api/v1/dossier/${rec.id}/attachments/${added.body.data.id}`)).status).toBe(204);
    expect((await t.request('GET', `/api/v1/dossier/${rec.id}/attachments`)).body.data).toHaveLength(1);
    // Another record's attachment id reads as absent.
    const other = await dossier('别的');
    expectProblem(
      await t.request('GET', `/api/v1/dossier/${other.id}/attachments/${text.body.data.id}/content`),
      404,
      'attachment.not_found',
    );
  });

  it('refuses bad uploads with a clear 4xx and stores nothing', async () => {
    const rec = await dossier('坏文件');
    const path = (name: string) => `/api/v1/dossier/${rec.id}/attachments?name=${encodeURIComponent(name)}`;
    const big = Buffer.alloc(LIMIT + 10, 7);
    expectProblem(await upload(path('big.bin'), big), 413, 'storage.too_large');
    // Announced small (chunked, no length): refused while streaming.
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 20; i += 1) c.enqueue(new Uint8Array(100_000).fill(65 + (i % 3)));
        c.close();
      },
    });
    expectProblem(
      await send(path('big.txt'), {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}` },
        body: chunked,
        duplex: 'half',
      } as RequestInit),
      413,
      'storage.too_large',
    );
    // A type that lies: text named .pdf, a PNG declared as a PDF, a program named .txt.
    const lie = Buffer.from('<script>alert(1)</script>');
    expectProblem(await upload(path('invoice.pdf'), lie), 415, 'file.type_mismatch');
    expectProblem(await upload(path('photo.png'), samplePng(), 'application/pdf'), 415, 'file.type_mismatch');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0), Buffer.from('PE\0\0')]);
    expectProblem(await upload(path('tool.bin'), exe), 415, 'file.type_refused');
    // Path tricks and control characters in the name.
    for (const name of ['../../etc/passwd', '..\\boot.ini', 'a/b.pdf', '.htaccess', 'evil\u0000.pdf', '..']) {
      expectProblem(await upload(path(name), samplePdf(name)), 400, 'file.bad_name');
    }
    expectProblem(await upload(`/api/v1/dossier/${rec.id}/attachments`, samplePdf()), 400, 'file.bad_name');
    for (const bytes of [big, lie, exe, samplePdf('../../etc/passwd')]) expect(await t.engine.blobs.has(sha(bytes))).toBe(false);
    expect((await t.request('GET', `/api/v1/dossier/${rec.id}/attachments`)).body.data).toEqual([]);
    // Not a file field, not an entity, not a record.
    expectProblem(
      await upload(`/api/v1/dossier/${rec.id}/files/title?name=a.pdf`, samplePdf(), undefined, t.adminToken, 'PUT'),
      404,
      'file.unknown_field',
    );
    expectProblem(await upload(`/api/v1/nothing/${rec.id}/attachments?name=a.pdf`, samplePdf()), 404, 'entity.not_found');
    expectProblem(await upload(`/api/v1/dossier/not-an-id/attachments?name=a.pdf`, samplePdf()), 404, 'record.not_found');
  });

  it('applies the record access to every upload and download', async () => {
    const own = await user(`own_${driver}`, { actions: ['read', 'update', 'create'], scope: 'own' });
    const viewer = await user(`view_${driver}`, { actions: ['read'], scope: 'all' });
    const mine = await dossier('我的', own.id);
    const theirs = await dossier('别人的');
    const pdf = samplePdf('theirs');
    await upload(`/api/v1/dossier/${theirs.id}/files/scan?name=t.pdf`, pdf, undefined, t.adminToken, 'PUT');
    await upload(`/api/v1/dossier/${theirs.id}/attachments?name=t.pdf`, pdf);
    const get = (path: string, token: string) => t.request('GET', path, undefined, { authorization: `Bearer ${token}` });
    // Outside the scope: absent, for reading and writing alike.
    expectProblem(await get(`/api/v1/dossier/${theirs.id}/files/scan`, own.token), 404, 'record.not_found');
    expectProblem(await get(`/api/v1/dossier/${theirs.id}/attachments`, own.token), 404, 'record.not_found');
    const other = samplePdf('own user');
    expectProblem(
      await upload(`/api/v1/dossier/${theirs.id}/attachments?name=x.pdf`, other, undefined, own.token),
      404,
      'record.not_found',
    );
    expect(await t.engine.blobs.has(sha(other))).toBe(false);
    // Their own record: fine.
    expect((await upload(`/api/v1/dossier/${mine.id}/files/scan?name=m.pdf`, other, undefined, own.token, 'PUT')).status).toBe(200);
    // Read-only: downloads, but no upload.
    expect((await get(`/api/v1/dossier/${theirs.id}/files/scan`, viewer.token)).status).toBe(200);
    expectProblem(
      await upload(`/api/v1/dossier/${theirs.id}/attachments?name=v.pdf`, samplePdf('v'), undefined, viewer.token),
      403,
      'access.denied',
    );
    // No session: nothing.
    expectProblem(await t.request('GET', `/api/v1/dossier/${theirs.id}/files/scan`, undefined, { authorization: '' }), 401);
  });
});
