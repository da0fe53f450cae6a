// The record's sharing tab and the public share and upload pages in Chromium (#25): a user makes a password share
// link to a file field; whoever holds it is asked the password and downloads the very bytes; the user makes an upload
// link, an outsider sends a file through its page, the user approves it on the record (it joins the attachments) and
// the outsider's page shows the outcome; a revoked link's page says it no longer works.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, uploadInit } from '../support/sample-files.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-engine.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

let w: UiWorld;
let dossier: string;
const scan = samplePdf('扫描件 scan');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  w = await startUiWorld({ packs: ['metadata/packs/core', 'tests/fixtures/packs/files-demo'], seed: [] });
  const made = await w.t.request('POST', '/api/v1/dossier', { title: '供应商资质档案' });
  dossier = made.body.data.id;
  const put = await fetch(`${w.t.url}/api/v1/dossier/${dossier}/files/scan?name=${encodeURIComponent('资质扫描件.pdf')}`, {
    ...uploadInit(w.t.adminToken, scan, 'application/pdf', 'PUT'),
  });
  expect(put.status).toBe(200);
  await w.signIn('admin', TEST_ADMIN_PASSWORD);
}, 180_000);

afterAll(() => w?.stop());

async function madeUrl(): Promise<string> {
  const input = w.page.locator('[data-test=made-url]');
  await input.waitFor();
  return input.inputValue();
}

describe('sharing a file', () => {
  it('makes a password link whose page asks the password and downloads the same bytes', async () => {
    await w.page.goto(`${w.t.url}/e/dossier/${dossier}`);
    await w.page.click('[data-test=tab-sharing]');
    await w.page.fill('[data-test=share-form] input[name=password]', '开门口令-2026');
    await w.page.check('[data-test=share-form] input[name=once]');
    await w.page.click('[data-test=share-form] button[type=submit]');
    const url = await madeUrl();
    expect(url).toMatch(new RegExp(`^${w.t.url}/s/[A-Za-z0-9_-]{32}$`));
    await expect.poll(() => w.page.locator('[data-test=share-links] tbody tr[data-share]').count()).toBe(1);
    await w.shot('s01-share-made');

    const outsider = await w.browser.context.newPage();
    await outsider.goto(url);
    await outsider.locator('[data-test=share-password]').waitFor();
    await outsider.fill('[data-test=share-password] input[name=password]', 'wrong-password');
    await outsider.click('[data-test=share-password] button[type=submit]');
    await outsider.locator('[data-test=share-password] [role=alert]').waitFor();
    await outsider.fill('[data-test=share-password] input[name=password]', '开门口令-2026');
    await outsider.click('[data-test=share-password] button[type=submit]');
    await outsider.locator('[data-test=shared-file]').waitFor();
    expect(await outsider.locator('[data-test=shared-file] h1').innerText()).toBe('资质扫描件.pdf');
    await outsider.screenshot({ path: 'tests/e2e/artefacts/s02-share-page.png' });
    const [download] = await Promise.all([outsider.waitForEvent('download'), outsider.click('[data-test=share-download]')]);
    expect(download.suggestedFilename()).toBe('资质扫描件.pdf');
    expect(sha(readFileSync((await download.path())!))).toBe(sha(scan));
    // One download: the link is spent; its log shows the wrong password and the download.
    await outsider.reload();
    await outsider.locator('[data-test=share-password], [data-test=share-gone]').first().waitFor();
    await outsider.close();
    await w.page.reload();
    await w.page.click('[data-test=tab-sharing]');
    await w.page.click('[data-test=share-log]');
    const log = await w.page.locator('.access-log').innerText();
    expect(log).toContain('bad_password');
    expect(log).toContain('downloaded');
  });
});

describe('asking an outsider for files', () => {
  it('takes a file through the upload page, and the approval shows on both sides', async () => {
    await w.page.goto(`${w.t.url}/e/dossier/${dossier}`);
    await w.page.click('[data-test=tab-sharing]');
    await w.page.fill('[data-test=upload-form] input[name=maxFiles]', '2');
    await w.page.click('[data-test=upload-form] button[type=submit]');
    const url = await madeUrl();
    expect(url).toMatch(new RegExp(`^${w.t.url}/u/[A-Za-z0-9_-]{32}$`));

    const outsider = await w.browser.context.newPage();
    await outsider.goto(url);
    await outsider.locator('[data-test=upload-limits]').waitFor();
    expect(await outsider.locator('[data-test=upload-limits]').innerText()).toContain('2');
    await outsider.setInputFiles('[data-test=upload-form] input[type=file]', {
      name: '营业执照.pdf',
      mimeType: 'application/pdf',
      buffer: samplePdf('营业执照'),
    });
    await outsider.click('[data-test=upload-form] button[type=submit]');
    await outsider.locator('[data-sent="营业执照.pdf"]').waitFor();
    // A file whose bytes are not an allowed type is refused with the engine's words, and not listed.
    await outsider.setInputFiles('[data-test=upload-form] input[type=file]', {
      name: 'notes.exe',
      mimeType: 'application/pdf',
      buffer: Buffer.from('MZ not a pdf at all'),
    });
    await outsider.click('[data-test=upload-form] button[type=submit]');
    await outsider.locator('[data-test=upload-problem]').waitFor();
    expect(await outsider.locator('[data-sent]').count()).toBe(1);
    await outsider.screenshot({ path: 'tests/e2e/artefacts/s03-upload-page.png' });

    await w.page.reload();
    await w.page.click('[data-test=tab-sharing]');
    const item = w.page.locator('[data-submission="营业执照.pdf"]');
    await item.locator('[data-test=review-note]').fill('资质齐全，通过');
    await item.locator('[data-test=approve]').click();
    await expect.poll(() => item.locator('[data-test=submission-status]').innerText()).toBe('已通过');
    await w.shot('s04-review');
    const attachments = await w.t.request('GET', `/api/v1/dossier/${dossier}/attachments`);
    expect(attachments.body.data.map((a: { name: string }) => a.name)).toContain('营业执照.pdf');

    await outsider.reload();
    await outsider.locator('[data-sent="营业执照.pdf"]').waitFor();
    expect(await outsider.locator('[data-sent="营业执照.pdf"]').innerText()).toContain('已通过');
    expect(await outsider.locator('[data-sent="营业执照.pdf"]').innerText()).toContain('资质齐全，通过');

    // Revoked: the page says the link no longer works.
    await w.page.locator('[data-test=revoke-upload]').first().click();
    await expect.poll(() => w.page.locator('[data-test=revoke-upload]').count()).toBe(0);
    await outsider.reload();
    await outsider.locator('[data-test=upload-gone]').waitFor();
    await outsider.close();
    expect(w.browser.errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
