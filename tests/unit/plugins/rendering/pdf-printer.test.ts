// The PDF printer without its Chromium: a 503 naming the setting, not a crash; with it, a page prints to a PDF.
import { afterAll, describe, expect, it } from 'vitest';
import { PdfPrinter } from '../../../../plugins/rendering/pdf-printer.js';

const printer = new PdfPrinter('/usr/bin/chromium');

afterAll(async () => {
  await printer.close();
});

describe('the PDF printer', () => {
  it('answers 503 when the configured Chromium is not there', async () => {
    await expect(new PdfPrinter('/nonexistent/chromium').print('<p>x</p>')).rejects.toMatchObject({
      status: 503,
      code: 'rendering.no_chromium',
      detail: expect.stringContaining('TESSERA_CHROMIUM'),
    });
  });

  it('answers 503 when the configured binary is not a Chromium that starts', async () => {
    await expect(new PdfPrinter('/bin/false').print('<p>x</p>')).rejects.toMatchObject({ status: 503, code: 'rendering.no_chromium' });
  }, 30_000);

  it('prints HTML to a PDF and loads nothing from the network', async () => {
    const pdf = await printer.print('<html><body><p>合同</p><img src="http://127.0.0.1:9/x.png"></body></html>');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  }, 30_000);
});
