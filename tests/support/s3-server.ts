// A real S3-compatible server (s3rver, speaking S3 over HTTP) on a free loopback port, with one bucket, for the S3
// storage driver's tests: the driver talks to it exactly as to a bucket in the cloud.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** TESSERA_* settings that point an engine at this server. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'tessera-s3-'));
  const bucket = `tessera-${randomUUID().slice(0, 8)}`;
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    env: {
      TESSERA_STORAGE: 's3',
      TESSERA_S3_ENDPOINT: endpoint,
      TESSERA_S3_BUCKET: bucket,
      TESSERA_S3_REGION: 'us-east-1',
      // s3rver accepts these fixed development credentials.
      TESSERA_S3_ACCESS_KEY_ID: 'S3RVER',
      TESSERA_S3_SECRET_ACCESS_KEY: 'S3RVER',
      TESSERA_S3_PATH_STYLE: 'true',
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
