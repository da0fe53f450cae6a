// E-signature (#25 part 6): a rendered contract signed by two signers in order through their links, each confirming
// their e-mail with a one-time code mailed through the mail transport (a real SMTP server); the signed PDF's PAdES
// signature verifies over its ByteRange, its certificate page names the rendered bytes' hash, the contract is signed
// through its state machine, and editing one event breaks the chain check. Guessed, expired and replayed input is a
// clear 4xx with nothing stored.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfPages } from '../../support/pdf-text.js';
import { checkPdfSignature } from '../../support/pdf-signature.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import type { TestEngine } from '../../support/test-engine.js';
import { get, type Rec } from '../contracts/contracts-world.js';
import { action, approvedContract, countRows, download } from './documents-world.js';
import { startDocumentsEngine } from './documents-world.js';

let t: TestEngine;
let inbox: SmtpInbox;

/** A 1×1 PNG, as a signature pad would send a drawn signature. */
const DRAWN_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

beforeAll(async () => {
  inbox = await startSmtpInbox();
  t = await startDocumentsEngine({ TESSERA_SMTP_URL: inbox.url, TESSERA_MAIL_FROM: 'contracts@tessera.test' });
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await inbox?.close();
});

const pub = (path: string, method = 'GET', body?: unknown) => t.request(method, path, body, { authorization: '' });

/** Asks for a code on a link and reads it from the signer's newest code mail. */
async function mailedCode(link: string, email: string): Promise<string> {
  const before = inbox.mails.length;
  const res = await pub(`${link}/code`, 'POST', {});
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const mail = inbox.mails.slice(before).find((m) => m.to.includes(email) && /X-Tessera-Signing: code/i.test(m.headers));
  const code = /is (\d{6})\./.exec(mail?.text ?? '')?.[1];
  expect(code, 'a code mail').toBeTruthy();
  return code as string;
}

async function renderedRequest(signers: Array<{ name: string; email: string }>, extra: Rec = {}) {
  const { contract } = await approvedContract(t);
  const rendered = await action(t, 'contract', contract.id, 'render', { format: 'pdf' });
  expect(rendered.status, JSON.stringify(rendered.body)).toBe(200);
  const req = await action(t, 'contract', contract.id, 'request_signatures', { signers, ...extra });
  expect(req.status, JSON.stringify(req.body)).toBe(200);
  return { contract, rendered: rendered.body.data as Rec, request: req.body.data as Rec };
}

describe('a contract signed by two signers in order', () => {
  let made: Awaited<ReturnType<typeof renderedRequest>>;
  let links: string[];

  beforeAll(async () => {
    made = await renderedRequest([
      { name: '王经理', email: 'wang@customer.test' },
      { name: 'Li Na', email: 'li@supplier.test' },
    ]);
    links = (made.request.signers as Rec[]).map((s) => s.link as string);
  }, 120_000);

  it('fixes the rendered hash, sends invitations and moves the contract to signing', async () => {
    expect(made.request.document_sha256).toBe(made.rendered.sha256);
    expect((await get(t, 'contract', made.contract.id)).status).toBe('signing');
    expect(inbox.mails.filter((m) => /X-Tessera-Signing: invitation/i.test(m.headers)).map((m) => m.to[0])).toEqual(
      expect.arrayContaining(['wang@customer.test', 'li@supplier.test']),
    );
    const invitation = inbox.mails.find((m) => m.to.includes('wang@customer.test') && /X-Tessera-Signing: invitation/i.test(m.headers));
    expect(invitation?.text).toContain(`http://localhost:3000${links[0]}`);
    const seen = await pub(links[0] as string);
    expect(seen.status).toBe(200);
    expect(seen.body.data).toMatchObject({ title: '设备采购合同', status: 'open', you: { position: 1, email: 'w***@customer.test' } });
    const doc = await download(t, `${links[0]}/document`, '');
    expect(createHash('sha256').update(doc.bytes).digest('hex')).toBe(made.rendered.sha256);
  });

  it('keeps the second signer waiting for the first', async () => {
    expectProblem(await pub(`${links[1]}/code`, 'POST', {}), 409, 'esign.not_your_turn');
  });

  it('signs with a mailed code; the code does not work twice', async () => {
    const code = await mailedCode(links[0] as string, 'wang@customer.test');
    const signed = await pub(links[0] as string, 'POST', { code, signature: { kind: 'typed', text: '王经理' } });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.data).toMatchObject({ signed: true, completed: false });
    const turn = inbox.mails.find((m) => m.to.includes('li@supplier.test') && /X-Tessera-Signing: your-turn/i.test(m.headers));
    expect(turn?.text).toContain('设备采购合同');
    const events = await countRows(t, 'signing_event');
    expectProblem(
      await pub(links[0] as string, 'POST', { code, signature: { kind: 'typed', text: '王经理' } }),
      409,
      'esign.already_signed',
    );
    expect(await countRows(t, 'signing_event')).toBe(events);
  });

  it('refuses a superseded code and counts it, then signs with the new one and completes', async () => {
    const first = await mailedCode(links[1] as string, 'li@supplier.test');
    const second = await mailedCode(links[1] as string, 'li@supplier.test');
    if (first !== second) {
      expectProblem(
        await pub(links[1] as string, 'POST', { code: first, signature: { kind: 'drawn', png: DRAWN_PNG } }),
        422,
        'esign.wrong_code',
      );
    }
    const done = await pub(links[1] as string, 'POST', {
      code: second,
      signature: { kind: 'drawn', png: `data:image/png;base64,${DRAWN_PNG}` },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.data.completed).toBe(true);
    const contract = await get(t, 'contract', made.contract.id);
    expect(contract.status).toBe('signed');
    expect(contract.signed_on).toBeTruthy();
  });

  it('produces a PDF whose PAdES signature verifies and whose certificate page names the rendered hash', async () => {
    const signed = await download(t, `/api/plugins/esign/requests/${made.request.request}/signed`);
    expect(signed.status).toBe(200);
    const check = checkPdfSignature(signed.bytes);
    expect(check).toMatchObject({ subFilter: 'ETSI.CAdES.detached', coversWholeFile: true, digestMatches: true, signatureValid: true });
    expect(check.subject).toBe('Tessera instance signing certificate');
    const tampered = Buffer.from(signed.bytes);
    const at = tampered.indexOf('/Producer');
    tampered[at + 12] = tampered[at + 12] === 0x41 ? 0x42 : 0x41;
    expect(checkPdfSignature(tampered).digestMatches).toBe(false);

    const rendered = await download(t, made.rendered.download as string);
    const renderedHash = createHash('sha256').update(rendered.bytes).digest('hex');
    const pages = await pdfPages(signed.bytes);
    const certificate = pages.at(-1) ?? '';
    expect(certificate).toContain('Certificate of completion');
    expect(certificate.replace(/\s/g, '')).toContain(renderedHash);
    expect(certificate).toContain('王经理');
    expect(certificate).toContain('li@supplier.test');
    expect(pages.join('')).toContain('无锡智能装备有限公司');
  });

  it('verifies the event chain, and editing one event breaks it', async () => {
    const ok = await action(t, 'signing_request', made.request.request, 'verify');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data).toMatchObject({ intact: true, chain: { intact: true }, signed: { intact: true } });
    // The PAdES signature is rechecked too, against the certificate the completed event recorded.
    const completed = await t.engine.db.pool.query(`SELECT detail FROM signing_event WHERE request_id = $1 AND kind = 'completed'`, [
      made.request.request,
    ]);
    expect(ok.body.data.signed.signature).toEqual({
      intact: true,
      signer: 'Tessera instance signing certificate',
      certificateSha256: completed.rows[0].detail.certificate_sha256,
      signedBytesSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const kinds = (
      await t.engine.db.pool.query(`SELECT kind FROM signing_event WHERE request_id = $1 ORDER BY seq`, [made.request.request])
    ).rows;
    expect(kinds.map((r) => r.kind)).toEqual(expect.arrayContaining(['requested', 'code_sent', 'signed', 'completed']));
    await t.engine.db.pool.query(
      `UPDATE signing_event SET detail = jsonb_set(detail, '{signature_text}', '"someone else"') WHERE request_id = $1 AND kind = 'signed' AND seq = (SELECT min(seq) FROM signing_event WHERE request_id = $1 AND kind = 'signed')`,
      [made.request.request],
    );
    const broken = await action(t, 'signing_request', made.request.request, 'verify');
    expect(broken.body.data.intact).toBe(false);
    expect(broken.body.data.chain).toMatchObject({ intact: false, reason: expect.stringContaining('changed') });
  });
});

describe('signers in parallel', () => {
  it('lets either sign first; the last one completes', async () => {
    const made = await renderedRequest(
      [
        { name: 'Wu', email: 'wu@customer.test' },
        { name: 'Zheng', email: 'zheng@supplier.test' },
      ],
      { signing_order: 'parallel' },
    );
    const [first, second] = (made.request.signers as Rec[]).map((s) => s.link as string) as [string, string];
    const late = await pub(second, 'POST', {
      code: await mailedCode(second, 'zheng@supplier.test'),
      signature: { kind: 'typed', text: 'Zheng' },
    });
    expect(late.body.data).toMatchObject({ signed: true, completed: false });
    const last = await pub(first, 'POST', { code: await mailedCode(first, 'wu@customer.test'), signature: { kind: 'typed', text: 'Wu' } });
    expect(last.body.data).toMatchObject({ signed: true, completed: true });
    expect((await get(t, 'contract', made.contract.id)).status).toBe('signed');
    expect(checkPdfSignature((await download(t, `${first}/signed`, '')).bytes).signatureValid).toBe(true);
  });
});

describe('a signed PDF changed in storage', () => {
  it('verifies until a byte of the stored file changes, then reports the file and its signature broken', async () => {
    const made = await renderedRequest([{ name: 'Qian', email: 'qian@customer.test' }]);
    const link = (made.request.signers as Rec[])[0]?.link as string;
    const done = await pub(link, 'POST', {
      code: await mailedCode(link, 'qian@customer.test'),
      signature: { kind: 'typed', text: 'Qian' },
    });
    expect(done.body.data).toMatchObject({ signed: true, completed: true });
    const ok = await action(t, 'signing_request', made.request.request, 'verify');
    expect(ok.body.data).toMatchObject({ intact: true, signed: { intact: true, signature: { intact: true } } });

    // Someone with access to the storage edits one byte of the signed contract (the local driver's file).
    const sha = ok.body.data.signed.sha256 as string;
    const path = join(t.engine.config.filesDir, sha.slice(0, 2), sha.slice(2, 4), sha);
    const bytes = await readFile(path);
    const at = bytes.indexOf('/Producer') + 12;
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
    await writeFile(path, bytes);

    const broken = await action(t, 'signing_request', made.request.request, 'verify');
    expect(broken.status, JSON.stringify(broken.body)).toBe(200);
    expect(broken.body.data).toMatchObject({ intact: false, chain: { intact: true }, signed: { intact: false } });
    const actual = createHash('sha256').update(bytes).digest('hex');
    expect(broken.body.data.signed.reason).toBe(
      `the stored signed PDF was changed: its SHA-256 is ${actual}, not the ${sha} recorded; its signature is broken: ` +
        'the signed bytes were changed after signing: their hash no longer matches the one the signature holds',
    );
    expect(broken.body.data.signed.signature).toMatchObject({ intact: false, signer: 'Tessera instance signing certificate' });
  });
});

describe('bad input on signing links', () => {
  it('answers a guessed or malformed token with 404', async () => {
    expectProblem(await pub('/api/public/esign/sign/' + 'A'.repeat(43)), 404, 'esign.no_link');
    expectProblem(await pub('/api/public/esign/sign/..%2F..%2Fetc%2Fpasswd'), 404, 'esign.no_link');
    expectProblem(await pub('/api/public/esign/sign/' + 'A'.repeat(43) + '/code', 'POST', {}), 404, 'esign.no_link');
  });

  it('refuses an expired request with 410 and stores nothing; the sweep marks it expired', async () => {
    const made = await renderedRequest([{ name: 'Zhao', email: 'zhao@customer.test' }], { signing_order: 'parallel' });
    const link = (made.request.signers as Rec[])[0]?.link as string;
    await t.engine.db.pool.query(`UPDATE signing_request SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      made.request.request,
    ]);
    const events = await countRows(t, 'signing_event');
    expectProblem(await pub(`${link}/code`, 'POST', {}), 410, 'esign.expired');
    expectProblem(await pub(link, 'POST', { code: '123456', signature: { kind: 'typed', text: 'Zhao' } }), 410, 'esign.expired');
    expect(await countRows(t, 'signing_event')).toBe(events);
    await t.engine.queue.add('esign:sweep', {}, { jobKey: `sweep-${Date.now()}`, attempts: 1 });
    for (let i = 0; i < 200; i++) {
      const r = await t.engine.db.pool.query(`SELECT status FROM signing_request WHERE id = $1`, [made.request.request]);
      if (r.rows[0]?.status === 'expired') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await t.engine.db.pool.query(`SELECT status FROM signing_request WHERE id = $1`, [made.request.request])).rows[0]?.status).toBe(
      'expired',
    );
  });

  it('reminds a waiting signer whose turn it is, by mail, as an event', async () => {
    const made = await renderedRequest([{ name: 'Sun', email: 'sun@customer.test' }], { remind_every_days: 1 });
    await t.engine.db.pool.query(`UPDATE signing_request SET created_at = now() - interval '2 days' WHERE id = $1`, [made.request.request]);
    const before = inbox.mails.length;
    await t.engine.queue.add('esign:sweep', {}, { jobKey: `sweep-remind-${Date.now()}`, attempts: 1 });
    for (let i = 0; i < 200 && !inbox.mails.slice(before).some((m) => m.to.includes('sun@customer.test')); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const reminder = inbox.mails.slice(before).find((m) => m.to.includes('sun@customer.test'));
    expect(reminder?.headers).toMatch(/X-Tessera-Signing: reminder/i);
    for (let i = 0; i < 100; i++) {
      const r = await t.engine.db.pool.query(`SELECT 1 FROM signing_event WHERE request_id = $1 AND kind = 'reminded'`, [
        made.request.request,
      ]);
      if (r.rowCount) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const kinds = await t.engine.db.pool.query(`SELECT kind FROM signing_event WHERE request_id = $1 ORDER BY seq`, [made.request.request]);
    expect(kinds.rows.map((r) => r.kind)).toEqual(['requested', 'reminded']);
  });

  it('refuses a code never asked for, a malformed signature, and writes from clients', async () => {
    const made = await renderedRequest([{ name: 'Qian', email: 'qian@customer.test' }]);
    const link = (made.request.signers as Rec[])[0]?.link as string;
    const events = await countRows(t, 'signing_event');
    expectProblem(await pub(link, 'POST', { code: '000000', signature: { kind: 'typed', text: 'Qian' } }), 422, 'esign.no_code');
    expectProblem(await pub(link, 'POST', { code: '12', signature: { kind: 'typed', text: 'Qian' } }), 422, 'esign.bad_signature');
    expectProblem(
      await pub(link, 'POST', { code: '123456', signature: { kind: 'drawn', png: 'bm90IGEgcG5n' } }),
      422,
      'esign.bad_signature',
    );
    expect(await countRows(t, 'signing_event')).toBe(events);
    const signer = (await t.engine.db.pool.query(`SELECT id FROM signing_signer WHERE request_id = $1`, [made.request.request])).rows[0];
    const current = await get(t, 'signing_signer', signer.id);
    const forged = await t.request(
      'PATCH',
      `/api/v1/signing_signer/${signer.id}`,
      { status: 'signed' },
      { 'if-match': `"${current.version}"` },
    );
    expectProblem(forged, 403, 'esign.read_only');
  });

  it('refuses to send a contract that is not approved', async () => {
    const { contract } = await approvedContract(t);
    await action(t, 'contract', contract.id, 'render', {});
    await action(t, 'contract', contract.id, 'request_signatures', { signers: [{ name: 'A', email: 'a@x.test' }] });
    expectProblem(
      await action(t, 'contract', contract.id, 'request_signatures', { signers: [{ name: 'A', email: 'a@x.test' }] }),
      422,
      'esign.not_approved',
    );
  });
});
