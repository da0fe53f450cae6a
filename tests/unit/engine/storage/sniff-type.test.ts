// The type of an upload comes from its bytes; a name or declared type that says otherwise is refused (415), as is
// a type the installation does not accept; names with path tricks are refused (400).
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILE_TYPES } from '../../../../engine/src/config/config.js';
import { checkFileName, extensionOf } from '../../../../engine/src/storage/file-name.js';
import { sniffType } from '../../../../engine/src/storage/sniff-type.js';
import { samplePdf, samplePng } from '../../../support/sample-files.js';

const sniff = (bytes: Buffer, name: string, declared?: string) => sniffType(bytes, name, declared, DEFAULT_FILE_TYPES);

describe('sniffType', () => {
  it('reads the type from the bytes', async () => {
    expect(await sniff(samplePdf(), 'a.pdf')).toBe('application/pdf');
    expect(await sniff(samplePng(), 'logo.png', 'image/png')).toBe('image/png');
    expect(await sniff(samplePng(), 'logo', 'application/octet-stream')).toBe('image/png');
    expect(await sniff(Buffer.from('名称,金额\n甲,1.00\n'), 'amounts.csv', 'text/csv; charset=utf-8')).toBe('text/csv');
    expect(await sniff(Buffer.from('plain words'), 'README', 'text/plain')).toBe('text/plain');
  });

  it('refuses a name or declared type that lies about the bytes', async () => {
    await expect(sniff(Buffer.from('<html><script>x()</script></html>'), 'invoice.pdf')).rejects.toMatchObject({
      code: 'file.type_mismatch',
      status: 415,
    });
    await expect(sniff(samplePdf(), 'photo.jpg')).rejects.toMatchObject({ code: 'file.type_mismatch' });
    await expect(sniff(samplePng(), 'x.png', 'application/pdf')).rejects.toMatchObject({ code: 'file.type_mismatch' });
    await expect(sniff(samplePdf(), 'notes.txt')).rejects.toMatchObject({ code: 'file.type_mismatch' });
  });

  it('refuses types the installation does not accept', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0)]);
    await expect(sniff(exe, 'tool')).rejects.toMatchObject({ status: 415 });
    await expect(sniff(Buffer.from([0, 1, 2, 3, 255, 254]), 'blob.bin')).rejects.toMatchObject({ code: 'file.type_refused' });
    await expect(sniffType(samplePng(), 'a.png', undefined, ['application/pdf'])).rejects.toMatchObject({ code: 'file.type_refused' });
  });
});

describe('checkFileName', () => {
  it('keeps ordinary names, in NFC', () => {
    expect(checkFileName('  合同 v2 (final).pdf ')).toBe('合同 v2 (final).pdf');
    expect(checkFileName('e\u0301.txt')).toBe('\u00e9.txt');
    expect(extensionOf('a.b.PDF')).toBe('pdf');
    expect(extensionOf('README')).toBe('');
  });

  it.each([
    '../x.pdf',
    '..\\x.pdf',
    '/etc/passwd',
    'a/b',
    '.',
    '..',
    '.env',
    'a\u0000b',
    'line\nbreak',
    'con:1',
    'x'.repeat(256),
    '',
    undefined,
  ])('refuses %j', (name) => {
    expect(() => checkFileName(name)).toThrow(expect.objectContaining({ code: 'file.bad_name', status: 400 }));
  });
});
