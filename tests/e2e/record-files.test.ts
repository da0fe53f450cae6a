// Files in the runtime UI end to end, in Chromium against a real engine with a pack whose entity has a `file` field
// (tests/fixtures/packs/files-demo) and a small upload limit: upload, download, replace and remove a record's file
// from its form; the server's refusals (too large, a type it does not take) shown under the field; and the
// attachments every record has, added, downloaded and removed from the record page.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, samplePng } from '../support/sample-files.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-engine.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

const LIMIT = 64 * 1024;
let w: UiWorld;
let dossier = '';

beforeAll(async () => {
  w = await startUiWorld({
    packs: ['metadata/packs/core', 'tests/fixtures/packs/files-demo'],
    seed: [],
    env: { TESSERA_FILE_LIMIT: String(LIMIT) },
  });
  await w.signIn('admin', TEST_ADMIN_PASSWORD);
  const made = await w.t.request('POST', '/api/v1/dossier', { title: '供货合同扫描件' });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  dossier = made.body.data.id;
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

const stored = async () => (await w.t.request('GET', `/api/v1/dossier/${dossier}`)).body.data;
const choose = (selector: string, name: string, mimeType: string, buffer: Buffer) =>
  w.page.setInputFiles(selector, { name, mimeType, buffer });

describe('a file field in the record form', () => {
  const box = () => w.page.locator('.cell[data-field=scan]');
  const fieldError = () => w.page.locator('[data-test=file-error-scan]');

  it('uploads a file, shows its name and size, and downloads it', async () => {
    await w.page.goto(`${w.t.url}/e/dossier/${dossier}`);
    await expect.poll(() => box().innerText()).toContain('尚无文件。');
    const pdf = samplePdf('扫描件');
    await choose('.cell[data-field=scan] input[type=file]', '合同扫描.pdf', 'application/pdf', pdf);
    await expect.poll(() => w.page.locator('[data-test=file-scan] .file-name').innerText()).toBe('合同扫描.pdf');
    expect(await w.page.locator('[data-test=file-scan] .file-meta').innerText()).toBe(`${pdf.length} B · application/pdf`);
    expect((await stored()).scan).toMatchObject({ name: '合同扫描.pdf', size: pdf.length, contentType: 'application/pdf' });
    await w.shot('g01-file-uploaded');
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('[data-test=file-scan] .file-name')]);
    expect(download.suggestedFilename()).toBe('合同扫描.pdf');
    expect(readFileSync(await download.path()).equals(pdf)).toBe(true);
  });

  it("shows the server's refusals under the field and keeps the file it has", async () => {
    await choose(
      '.cell[data-field=scan] input[type=file]',
      'huge.pdf',
      'application/pdf',
      Buffer.concat([samplePdf(), Buffer.alloc(LIMIT)]),
    );
    await expect.poll(() => fieldError().innerText()).toBe('文件太大，无法上传。');
    await w.shot('g02-file-too-large');
    // Text that calls itself a PDF: the type sniffed from the bytes does not match.
    await choose('.cell[data-field=scan] input[type=file]', 'notes.pdf', 'application/pdf', Buffer.from('just some text'));
    await expect.poll(() => fieldError().innerText()).toBe('不接受这种类型的文件（或文件名与内容不符）。');
    expect((await stored()).scan.name).toBe('合同扫描.pdf');
  });

  it('replaces the file, still saves the form (no conflict with the upload), and removes the file', async () => {
    await choose('.cell[data-field=scan] input[type=file]', 'photo.png', 'image/png', samplePng());
    await expect.poll(() => w.page.locator('[data-test=file-scan] .file-name').innerText()).toBe('photo.png');
    expect(await fieldError().count()).toBe(0);
    await w.page.fill('#root_title', '供货合同扫描件（已更新）');
    await w.page.click('[data-test=save]');
    await expect.poll(() => w.page.locator('[data-test=banner]').innerText()).toBe('已保存。');
    expect(await stored()).toMatchObject({ title: '供货合同扫描件（已更新）', scan: { name: 'photo.png', contentType: 'image/png' } });
    await box().locator('button', { hasText: '移除' }).click();
    await expect.poll(() => box().innerText()).toContain('尚无文件。');
    expect((await stored()).scan).toBeNull();
  });
});

describe('attachments on the record page', () => {
  const panel = () => w.page.locator('[data-test=attachments]');

  it('adds, downloads and removes attachments, and shows a refused upload', async () => {
    await expect.poll(() => panel().innerText()).toContain('暂无附件。');
    const pdf = samplePdf('附件');
    await choose('[data-test=attachment-input]', '报价单.pdf', 'application/pdf', pdf);
    await expect.poll(() => panel().locator('.attachment-list li').count()).toBe(1);
    expect(await panel().locator('.file-name').innerText()).toBe('报价单.pdf');
    const listed = (await w.t.request('GET', `/api/v1/dossier/${dossier}/attachments`)).body.data;
    expect(listed.map((a: any) => a.name)).toEqual(['报价单.pdf']);
    const [download] = await Promise.all([w.page.waitForEvent('download'), panel().locator('.file-name').click()]);
    expect(download.suggestedFilename()).toBe('报价单.pdf');
    expect(readFileSync(await download.path()).equals(pdf)).toBe(true);
    await choose('[data-test=attachment-input]', 'huge.pdf', 'application/pdf', Buffer.concat([samplePdf(), Buffer.alloc(LIMIT)]));
    await expect.poll(() => w.page.locator('[data-test=attachment-error]').innerText()).toBe('文件太大，无法上传。');
    await w.shot('g03-attachments');
    await panel().locator('.attachment-list button', { hasText: '移除' }).click();
    await expect.poll(() => panel().innerText()).toContain('暂无附件。');
    expect((await w.t.request('GET', `/api/v1/dossier/${dossier}/attachments`)).body.data).toEqual([]);
    expect(
      w.browser.errors.filter((e) => !/status of 41[35]/.test(e)),
      w.browser.errors.join('\n'),
    ).toEqual([]);
  });
});
