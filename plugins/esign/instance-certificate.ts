// The certificate this installation signs PDFs with: the PKCS#12 file the config names (TESSERA_SIGNING_P12 and
// its passphrase), or, on the embedded default, a self-signed one generated on first use and kept under the data
// folder, so every restart signs with the same key. The scaled topology configures one, so that all processes agree.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import forge from 'node-forge';
import type { PluginSettings } from '../../engine/src/plugins/plugin-api.js';

export interface InstanceCertificate {
  readonly p12: Buffer;
  readonly passphrase: string;
  /** The certificate's subject common name, printed on the completion page. */
  readonly subject: string;
  /** SHA-256 of the certificate (DER), printed so a reader can match it. */
  readonly fingerprint: string;
}

/** A generated key is protected by the file's mode (0600); the passphrase only satisfies the format. */
const GENERATED_PASSPHRASE = 'tessera-instance-signing';
const GENERATED_FILE = join('signing', 'instance.p12');

function generateP12(): Buffer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: 'Tessera instance signing certificate' },
    { name: 'organizationName', value: 'Tessera' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], GENERATED_PASSPHRASE, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

function describe(p12: Buffer, passphrase: string): Pick<InstanceCertificate, 'subject' | 'fingerprint'> {
  const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary'))), passphrase);
  const certBag = forge.pki.oids.certBag as string;
  const bag = parsed.getBags({ bagType: certBag })[certBag]?.[0];
  if (!bag?.cert) throw new Error('the signing PKCS#12 file holds no certificate');
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes();
  const md = forge.md.sha256.create();
  md.update(der);
  return { subject: String(bag.cert.subject.getField('CN')?.value ?? ''), fingerprint: md.digest().toHex() };
}

/** Written to a temporary name first: two processes starting at once never read half a file. */
async function generatedCertificate(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, GENERATED_FILE);
  if (existsSync(file)) return readFile(file);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, generateP12(), { mode: 0o600 });
  await chmod(tmp, 0o600);
  // Another process may have won the race; its file is kept and read back.
  if (existsSync(file)) {
    await rm(tmp, { force: true });
    return readFile(file);
  }
  await rename(tmp, file);
  return readFile(file);
}

export async function loadInstanceCertificate(settings: PluginSettings): Promise<InstanceCertificate> {
  const configured = settings.signingP12;
  const p12 = configured ? await readFile(configured.path) : await generatedCertificate(settings.dataDir);
  const passphrase = configured ? configured.passphrase : GENERATED_PASSPHRASE;
  return { p12, passphrase, ...describe(p12, passphrase) };
}
