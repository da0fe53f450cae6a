import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../engine/src/config/config.js';

describe('loadConfig: job settings', () => {
  it('runs jobs in every process by default, with 5 attempts, a 1 s backoff, a 30 s lock and the tessera Redis prefix', () => {
    const config = loadConfig({}, '/app');
    expect(config).toMatchObject({ runJobs: true, jobAttempts: 5, jobBackoffMs: 1000, jobLockMs: 30_000, redisPrefix: 'tessera' });
  });

  it('makes an HTTP-only process only where Redis lets other processes run the jobs', () => {
    expect(loadConfig({ TESSERA_RUN_JOBS: 'false', REDIS_URL: 'redis://127.0.0.1:6379' }, '/app').runJobs).toBe(false);
    expect(() => loadConfig({ TESSERA_RUN_JOBS: 'false' }, '/app')).toThrow(/needs REDIS_URL/);
    expect(() => loadConfig({ TESSERA_RUN_JOBS: 'no' }, '/app')).toThrow(/TESSERA_RUN_JOBS must be true or false/);
    expect(() => loadConfig({ TESSERA_JOB_ATTEMPTS: '0' }, '/app')).toThrow(/TESSERA_JOB_ATTEMPTS must be a positive whole number/);
  });
});

describe('loadConfig: documents settings', () => {
  it("prints with Debian's Chromium, mails links at localhost and generates the signing certificate by default", () => {
    const config = loadConfig({ PORT: '8080' }, '/app');
    expect(config).toMatchObject({ chromiumPath: '/usr/bin/chromium', publicUrl: 'http://localhost:8080' });
    expect(config.signingP12).toBeUndefined();
  });

  it('takes a Chromium, a public address and a signing certificate from the environment', () => {
    const config = loadConfig(
      {
        TESSERA_CHROMIUM: '/opt/chrome/chrome',
        TESSERA_PUBLIC_URL: 'https://crm.example.com/',
        TESSERA_SIGNING_P12: 'secrets/instance.p12',
        TESSERA_SIGNING_P12_PASSWORD: 'pw',
      },
      '/app',
    );
    expect(config).toMatchObject({
      chromiumPath: '/opt/chrome/chrome',
      publicUrl: 'https://crm.example.com',
      signingP12: { path: '/app/secrets/instance.p12', passphrase: 'pw' },
    });
  });
});

describe('file storage settings (#25)', () => {
  it('stores in the local folder by default and in S3 when asked, reading every S3 setting', () => {
    expect(loadConfig({}, '/srv').storage).toEqual({ driver: 'local' });
    const s3 = loadConfig(
      {
        TESSERA_STORAGE: 's3',
        TESSERA_S3_BUCKET: 'contracts',
        TESSERA_S3_ENDPOINT: 'http://minio:9000',
        TESSERA_S3_ACCESS_KEY_ID: 'key',
        TESSERA_S3_SECRET_ACCESS_KEY: 'secret',
        TESSERA_S3_REGION: 'cn-north-1',
      },
      '/srv',
    ).storage;
    expect(s3).toEqual({
      driver: 's3',
      bucket: 'contracts',
      endpoint: 'http://minio:9000',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      region: 'cn-north-1',
      forcePathStyle: true,
    });
    expect(loadConfig({ TESSERA_STORAGE: 's3', TESSERA_S3_BUCKET: 'b' }, '/srv').storage).toMatchObject({
      region: 'us-east-1',
      forcePathStyle: false,
    });
    expect(() => loadConfig({ TESSERA_STORAGE: 's3' }, '/srv')).toThrow('TESSERA_S3_BUCKET');
    expect(() => loadConfig({ TESSERA_STORAGE: 'ftp' }, '/srv')).toThrow('local or s3');
  });

  it('reads the accepted file types as a list', () => {
    expect(loadConfig({}, '/srv').fileTypes).toContain('application/pdf');
    expect(loadConfig({ TESSERA_FILE_TYPES: 'application/pdf, IMAGE/PNG' }, '/srv').fileTypes).toEqual(['application/pdf', 'image/png']);
  });
});
