// The signer's page in Chromium (#25 part 6): the invitation link opened as a browser would, the document shown,
// a code mailed with the page's button and read from the SMTP server, a signature drawn on the canvas, signed; the
// contract is signed and the page then shows the sealed document. No console errors (the page's CSP holds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpInbox, type SmtpInbox } from '../support/smtp-inbox.js';
import type { TestEngine } from '../support/test-engine.js';
import { get } from '../integration/contracts/contracts-world.js';
import { action, approvedContract, startDocumentsEngine } from '../integration/documents/documents-world.js';
import { launchBrowser, type Browser } from './support/browser.js';

let t: TestEngine;
let inbox: SmtpInbox;
let browser: Browser;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  t = await startDocumentsEngine({ TESSERA_SMTP_URL: inbox.url });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await inbox?.close();
});

describe('the signing page', () => {
  it('lets a signer read, confirm their e-mail and sign with a drawn signature', async () => {
    const { contract } = await approvedContract(t);
    expect((await action(t, 'contract', contract.id, 'render', {})).status).toBe(200);
    const req = await action(t, 'contract', contract.id, 'request_signatures', {
      signers: [{ name: '周总', email: 'zhou@customer.test' }],
    });
    expect(req.status, JSON.stringify(req.body)).toBe(200);
    const { page } = browser;
    await page.goto(t.url + String(req.body.data.signers[0].link));
    await page.getByText('设备采购合同').first().waitFor();
    expect(await page.locator('#hash').textContent()).toBe(req.body.data.document_sha256);
    const before = inbox.mails.length;
    await page.getByRole('button', { name: /Send me a code/ }).click();
    await page.getByText(/Code sent to z\*\*\*@customer\.test/).waitFor();
    const mail = inbox.mails.slice(before).find((m) => /X-Tessera-Signing: code/i.test(m.headers));
    const code = /is (\d{6})\./.exec(mail?.text ?? '')?.[1] ?? '';
    await page.locator('#code').fill(code);
    const pad = page.locator('#pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    if (!box) throw new Error('no signature pad');
    await page.mouse.move(box.x + 20, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + 200, box.y + 30, { steps: 8 });
    await page.mouse.move(box.x + 360, box.y + 90, { steps: 8 });
    await page.mouse.up();
    await page.getByRole('button', { name: /^签署 Sign$/ }).click();
    await page.getByText('已完成 Completed').waitFor();
    expect((await get(t, 'contract', contract.id)).status).toBe('signed');
    const signer = await t.engine.db.pool.query(
      `SELECT signature_kind, signature_sha256 FROM signing_signer WHERE email = 'zhou@customer.test'`,
    );
    expect(signer.rows[0]).toMatchObject({ signature_kind: 'drawn', signature_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(browser.errors).toEqual([]);
  }, 60_000);
});
