// The instance signing certificate: generated once under the data folder and the same on every later load (a restart
// signs with the same key); a configured PKCS#12 file is used as given, with its passphrase.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInstanceCertificate } from '../../../../plugins/esign/instance-certificate.js';

const dirs: string[] = [];
const settings = (dataDir: string, signingP12?: { path: string; passphrase: string }) => ({
  mailFrom: 'x@y',
  publicUrl: 'http://localhost',
  chromiumPath: '/usr/bin/chromium',
  dataDir,
  ...(signingP12 ? { signingP12 } : {}),
});
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-esign-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the instance signing certificate', () => {
  it('is generated once, kept private, and the same after a restart', async () => {
    const dir = await dataDir();
    const first = await loadInstanceCertificate(settings(dir));
    expect(first.subject).toBe('Tessera instance signing certificate');
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(dir, 'signing', 'instance.p12'))).mode & 0o077).toBe(0);
    const again = await loadInstanceCertificate(settings(dir));
    expect(again.fingerprint).toBe(first.fingerprint);
  }, 30_000);

  it('uses the configured PKCS#12 file and passphrase', async () => {
    const generatedIn = await dataDir();
    const made = await loadInstanceCertificate(settings(generatedIn));
    const path = join(generatedIn, 'signing', 'instance.p12');
    const configured = await loadInstanceCertificate(settings(await dataDir(), { path, passphrase: made.passphrase }));
    expect(configured.fingerprint).toBe(made.fingerprint);
    expect(configured.p12.equals(await readFile(path))).toBe(true);
    await expect(loadInstanceCertificate(settings(generatedIn, { path, passphrase: 'wrong' }))).rejects.toThrow();
  }, 30_000);
});
