// The signed contract: the rendered PDF's pages, the completion certificate's pages after them, then a PAdES
// signature (CAdES detached, by @signpdf with the instance certificate) over the whole file, so any change to a
// byte outside the signature breaks it.
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import { PDFDocument } from 'pdf-lib';
import type { InstanceCertificate } from './instance-certificate.js';

/** PAdES baseline: the signature is a detached CAdES (the value of @signpdf/utils' SUBFILTER_ETSI_CADES_DETACHED). */
const PADES_SUBFILTER = 'ETSI.CAdES.detached';
/** Room for the CMS signature: the certificate and signed attributes fit with a wide margin. */
const SIGNATURE_BYTES = 16_384;

export interface SealOptions {
  readonly reason: string;
  readonly location: string;
  readonly signingTime: Date;
}

export async function sealPdf(
  rendered: Uint8Array,
  certificatePage: Uint8Array,
  cert: InstanceCertificate,
  o: SealOptions,
): Promise<Buffer> {
  const doc = await PDFDocument.load(rendered);
  const page = await PDFDocument.load(certificatePage);
  for (const p of await doc.copyPages(page, page.getPageIndices())) doc.addPage(p);
  doc.setProducer('Tessera');
  doc.setModificationDate(o.signingTime);
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: o.reason,
    contactInfo: '',
    name: cert.subject,
    location: o.location,
    signingTime: o.signingTime,
    signatureLength: SIGNATURE_BYTES,
    subFilter: PADES_SUBFILTER,
    appName: 'Tessera',
  });
  const withPlaceholder = Buffer.from(await doc.save({ useObjectStreams: false }));
  return new SignPdf().sign(withPlaceholder, new P12Signer(cert.p12, { passphrase: cert.passphrase }), o.signingTime);
}
