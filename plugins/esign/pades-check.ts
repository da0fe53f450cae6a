// Rechecks a sealed PDF's PAdES signature as a PDF reader does, for the verify action: the one signature's ByteRange
// covers the whole file but its /Contents; the CMS there (read with node-forge) carries the signer's certificate;
// the SHA-256 of the signed byte ranges equals the messageDigest it signed; and the signature over its signed
// attributes verifies with that certificate's key (node:crypto). Pure: bytes in, the first failure as a sentence out.
import { createHash, verify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/** What signed-pdf.ts seals with: a detached CAdES signature (PAdES baseline). */
export const PADES_SUBFILTER = 'ETSI.CAdES.detached';

export interface PadesSigner {
  /** The signer certificate's common name. */
  readonly signer: string;
  /** SHA-256 of the signer certificate (DER), as the completion event records it. */
  readonly certificateSha256: string;
}

export type PadesCheck =
  | (PadesSigner & { readonly intact: true; readonly signedBytesSha256: string })
  | (Partial<PadesSigner> & { readonly intact: false; readonly reason: string });

/** Digest algorithms a CMS signer may name, by OID, as node:crypto calls them. */
const DIGESTS: Readonly<Record<string, string>> = {
  [forge.pki.oids.sha256 as string]: 'sha256',
  [forge.pki.oids.sha384 as string]: 'sha384',
  [forge.pki.oids.sha512 as string]: 'sha512',
};

interface SignerCapture {
  readonly authenticatedAttributes?: forge.asn1.Asn1[];
  readonly signature?: string;
  readonly serial?: string;
  readonly digestAlgorithm?: string;
  readonly certificates?: { readonly value: forge.asn1.Asn1[] };
}

class Broken extends Error {}
const broken = (reason: string): never => {
  throw new Broken(reason);
};

/** The /Contents hex holds the DER padded with zeros; the DER's own length says where it ends. */
function derOf(hex: string): Buffer {
  const bytes = Buffer.from(hex, 'hex');
  if (bytes[0] !== 0x30 || bytes.length < 2) broken('the signature value is not a CMS structure');
  const first = bytes[1] ?? 0;
  const lengthBytes = first & 0x80 ? first & 0x7f : 0;
  let length = lengthBytes ? 0 : first;
  for (let i = 0; i < lengthBytes; i += 1) length = length * 256 + (bytes[2 + i] ?? 0);
  const total = 2 + lengthBytes + length;
  if (lengthBytes > 4 || total > bytes.length) broken('the signature value is cut short');
  return bytes.subarray(0, total);
}

function signedRanges(pdf: Buffer): { signed: Buffer; der: Buffer } {
  const text = pdf.toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  if (ranges.length === 0) broken('the PDF carries no signature (no /ByteRange)');
  if (ranges.length > 1) broken(`the PDF carries ${ranges.length} signatures; a sealed contract carries one`);
  const [a, b, c, d] = (ranges[0] ?? []).slice(1).map(Number) as [number, number, number, number];
  if (a !== 0 || b <= 0 || c <= a + b) broken('the signature’s ByteRange is malformed');
  if (c + d !== pdf.length) {
    broken(
      c + d < pdf.length
        ? `${pdf.length - c - d} byte(s) were added after the signed part of the file`
        : 'the file is shorter than the part its signature covers',
    );
  }
  const contents = text.slice(a + b, c);
  if (!/^<[0-9A-Fa-f]*>$/.test(contents)) broken('the signature’s /Contents is not where its ByteRange says');
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.]+)/.exec(text)?.[1];
  if (subFilter !== PADES_SUBFILTER) broken(`the signature is not PAdES (SubFilter ${subFilter ?? 'missing'})`);
  return { signed: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]), der: derOf(contents.slice(1, -1)) };
}

function readCms(der: Buffer): SignerCapture {
  try {
    const message = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
    return (message as unknown as { rawCapture: SignerCapture }).rawCapture;
  } catch {
    return broken('the signature value is not a readable CMS signature');
  }
}

function signerCertificate(cms: SignerCapture): X509Certificate {
  const serial = forge.util
    .bytesToHex(cms.serial ?? '')
    .replace(/^0+/, '')
    .toUpperCase();
  for (const asn of cms.certificates?.value ?? []) {
    const cert = new X509Certificate(Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary'));
    if (cert.serialNumber.replace(/^0+/, '').toUpperCase() === serial) return cert;
  }
  return broken('the signature does not carry the certificate that signed it');
}

function attribute(attrs: readonly forge.asn1.Asn1[], oid: string): string | undefined {
  for (const attr of attrs) {
    const [type, values] = attr.value as forge.asn1.Asn1[];
    if (type && forge.asn1.derToOid(type.value as string) === oid)
      return (((values?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value as string | undefined) ?? '') || undefined;
  }
  return undefined;
}

function describeSigner(cert: X509Certificate): PadesSigner {
  return {
    signer: /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject,
    certificateSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

/**
 * Checks `pdf`'s PAdES signature; with `expectedCertificateSha256`, also that this certificate made it (a PDF
 * re-sealed by anyone else's key verifies on its own, so the caller pins the certificate it recorded).
 */
export function checkPades(pdf: Buffer, expectedCertificateSha256?: string): PadesCheck {
  let signer: PadesSigner | undefined;
  try {
    const { signed, der } = signedRanges(pdf);
    const cms = readCms(der);
    const attrs = cms.authenticatedAttributes;
    if (!attrs?.length || cms.signature === undefined) return broken('the signature has no signed attributes (not PAdES)');
    const digest = DIGESTS[forge.asn1.derToOid(cms.digestAlgorithm ?? '')];
    if (!digest) return broken('the signature uses a digest algorithm this check does not know');
    const cert = signerCertificate(cms);
    signer = describeSigner(cert);
    const signedDigest = attribute(attrs, forge.pki.oids.messageDigest as string);
    if (signedDigest === undefined) broken('the signature signed no message digest');
    const actual = createHash(digest).update(signed).digest('hex');
    if (forge.util.bytesToHex(signedDigest ?? '') !== actual)
      broken('the signed bytes were changed after signing: their hash no longer matches the one the signature holds');
    // The signature covers the DER of the signed attributes as a SET (RFC 5652 §5.4), not their [0] tagging.
    const set = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attrs);
    const setDer = Buffer.from(forge.asn1.toDer(set).getBytes(), 'binary');
    let valid = false;
    try {
      valid = verify(digest, setDer, cert.publicKey, Buffer.from(cms.signature, 'binary'));
    } catch {
      valid = false;
    }
    if (!valid) broken(`the signature does not verify with the key of the certificate it names (${signer.signer})`);
    if (expectedCertificateSha256 !== undefined && signer.certificateSha256 !== expectedCertificateSha256)
      broken(`the PDF was sealed by certificate ${signer.certificateSha256}, not ${expectedCertificateSha256} as recorded`);
    return { intact: true, ...signer, signedBytesSha256: createHash('sha256').update(signed).digest('hex') };
  } catch (err) {
    // The bytes are untrusted: whatever they make the parsers throw is a broken signature, not a fault of ours.
    const reason = err instanceof Broken ? err.message : `the signature could not be read (${(err as Error).message})`;
    return { intact: false, reason, ...(signer ?? {}) };
  }
}
