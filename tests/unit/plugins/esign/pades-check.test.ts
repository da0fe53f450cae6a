// The verify action's PAdES recheck on PDFs sealed exactly as completion seals them (signed-pdf.ts): a sealed PDF
// passes and names its certificate; a changed byte in the signed part, bytes appended after it, a changed signature
// value, a PDF sealed by another certificate than the one recorded, and an unsigned PDF each fail with their reason.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInstanceCertificate, type InstanceCertificate } from '../../../../plugins/esign/instance-certificate.js';
import { checkPades } from '../../../../plugins/esign/pades-check.js';
import { sealPdf } from '../../../../plugins/esign/signed-pdf.js';

const dirs: string[] = [];
let ours: InstanceCertificate;
let theirs: InstanceCertificate;
let rendered: Uint8Array;
let sealed: Buffer;

async function certificate(): Promise<InstanceCertificate> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-pades-'));
  dirs.push(dataDir);
  return loadInstanceCertificate({ mailFrom: 'x@y', publicUrl: 'http://localhost', chromiumPath: '/usr/bin/chromium', dataDir });
}

async function onePagePdf(text: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([300, 200]);
  page.drawText(text, { x: 20, y: 100, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save();
}

const seal = (cert: InstanceCertificate) =>
  sealPdf(rendered, rendered, cert, { reason: 'Signed: test', location: 'Tessera', signingTime: new Date('2027-03-01T08:00:00Z') });

beforeAll(async () => {
  [ours, theirs] = await Promise.all([certificate(), certificate()]);
  rendered = await onePagePdf('Purchase contract 2027-001');
  sealed = await seal(ours);
}, 60_000);

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function flipAfter(pdf: Buffer, marker: string, offset: number): Buffer {
  const copy = Buffer.from(pdf);
  const at = copy.indexOf(marker) + offset;
  expect(at).toBeGreaterThan(offset - 1);
  copy[at] = copy[at] === 0x41 ? 0x42 : 0x41;
  return copy;
}

describe('the PAdES recheck', () => {
  it('passes a sealed PDF and names the certificate that sealed it', () => {
    const check = checkPades(sealed, ours.fingerprint);
    expect(check).toEqual({
      intact: true,
      signer: 'Tessera instance signing certificate',
      certificateSha256: ours.fingerprint,
      signedBytesSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The signed bytes are the whole file but the signature value itself.
    if (!check.intact) throw new Error('unreachable');
    expect(check.signedBytesSha256).not.toBe(createHash('sha256').update(sealed).digest('hex'));
  });

  it('reports a byte changed in the signed part', () => {
    const check = checkPades(flipAfter(sealed, '/Producer', 12), ours.fingerprint);
    expect(check).toMatchObject({ intact: false, reason: expect.stringContaining('changed after signing') });
  });

  it('reports bytes appended after the signed part (an incremental update)', () => {
    const check = checkPades(Buffer.concat([sealed, Buffer.from('\n% appended\n')]), ours.fingerprint);
    expect(check).toMatchObject({ intact: false, reason: '12 byte(s) were added after the signed part of the file' });
  });

  it('reports a changed signature value', () => {
    // The RSA signature is the CMS's last large value; a digit near the end of the hex changes it, not the DER's shape.
    const copy = Buffer.from(sealed);
    const contents = copy.indexOf('/Contents <') + '/Contents <'.length;
    const end = copy.indexOf('>', contents);
    const hex = copy
      .subarray(contents, end)
      .toString('latin1')
      .replace(/(00)+$/, '');
    const at = contents + hex.length - 4;
    copy[at] = copy[at] === 0x30 ? 0x31 : 0x30;
    const check = checkPades(copy, ours.fingerprint);
    expect(check).toMatchObject({
      intact: false,
      reason: 'the signature does not verify with the key of the certificate it names (Tessera instance signing certificate)',
    });
  });

  it('reports a PDF sealed by another certificate than the one recorded', async () => {
    const other = await seal(theirs);
    expect(checkPades(other).intact).toBe(true);
    expect(checkPades(other, ours.fingerprint)).toMatchObject({
      intact: false,
      certificateSha256: theirs.fingerprint,
      reason: `the PDF was sealed by certificate ${theirs.fingerprint}, not ${ours.fingerprint} as recorded`,
    });
  });

  it('reports a PDF that carries no signature', () => {
    expect(checkPades(Buffer.from(rendered))).toEqual({ intact: false, reason: 'the PDF carries no signature (no /ByteRange)' });
  });
});
