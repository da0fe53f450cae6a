// Checks a signed PDF's CMS (PKCS#7) signature the way a reader does, with node-forge: the signed ranges (ByteRange)
// hashed and compared with the messageDigest signed attribute, and the signature over the signed attributes verified
// with the signer certificate's public key. Returns the certificate's subject.
import { createHash } from 'node:crypto';
import forge from 'node-forge';

export interface PdfSignature {
  readonly subject: string;
  readonly subFilter: string;
  readonly coversWholeFile: boolean;
  readonly digestMatches: boolean;
  readonly signatureValid: boolean;
}

export function checkPdfSignature(pdf: Buffer): PdfSignature {
  const text = pdf.toString('latin1');
  const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  if (!range) throw new Error('the PDF has no ByteRange');
  const [a, b, c, d] = range.slice(1).map(Number) as [number, number, number, number];
  const signedBytes = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
  // The signature is padded with zero bytes to the space reserved for it; its DER header says where it ends (a
  // signature whose own last byte is zero — one in 256 — was cut short when the padding was stripped as text).
  const padded = Buffer.from(pdf.subarray(a + b + 1, c - 1).toString('latin1'), 'hex');
  const lengthBytes = (padded[1] ?? 0) & 0x80 ? (padded[1] ?? 0) & 0x7f : 0;
  const length = lengthBytes ? padded.subarray(2, 2 + lengthBytes).reduce((n, byte) => n * 256 + byte, 0) : (padded[1] ?? 0);
  const der = padded.subarray(0, 2 + lengthBytes + length);
  const p7 = forge.pkcs7.messageFromAsn1(
    forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))),
  ) as forge.pkcs7.PkcsSignedData & {
    rawCapture: { authenticatedAttributes: forge.asn1.Asn1[]; signature: string };
  };
  const cert = p7.certificates[0];
  if (!cert) throw new Error('the signature carries no certificate');
  const attrs = p7.rawCapture.authenticatedAttributes;
  let messageDigest = '';
  for (const attr of attrs) {
    const [oid, values] = attr.value as forge.asn1.Asn1[];
    if (forge.asn1.derToOid(oid?.value as string) === forge.pki.oids.messageDigest)
      messageDigest = forge.util.bytesToHex(((values?.value as forge.asn1.Asn1[])[0]?.value as string) ?? '');
  }
  const digestMatches = messageDigest === createHash('sha256').update(signedBytes).digest('hex');
  const set = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attrs);
  const md = forge.md.sha256.create();
  md.update(forge.asn1.toDer(set).getBytes());
  const signatureValid = (cert.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), p7.rawCapture.signature);
  const subFilter = /\/SubFilter\s*\/([A-Za-z.]+)/.exec(text)?.[1] ?? '';
  return {
    subject: String(cert.subject.getField('CN')?.value ?? ''),
    subFilter,
    coversWholeFile: a === 0 && c + d === pdf.length,
    digestMatches,
    signatureValid,
  };
}
