// A real engine on core + crm + contracts + documents for the documents tests, on the storage driver asked for
// (the local folder, or S3 through a real s3rver), with two users who may work on contract documents.
import { expect } from 'vitest';
import { startS3Server, type TestS3Server } from '../../support/s3-server.js';
import { startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';

export type Rec = Record<string, any>;

export interface DocumentsWorld {
  readonly t: TestEngine;
  readonly users: Record<'alice' | 'bob', { id: string; token: string }>;
  readonly contract: Rec;
  /** A raw (non-JSON) request: uploads and downloads. */
  send(path: string, init: RequestInit): Promise<TestResponse & { bytes: Buffer }>;
  upload(path: string, bytes: Uint8Array, token?: string, method?: string): Promise<TestResponse & { bytes: Buffer }>;
  stop(): Promise<void>;
}

export async function startDocumentsWorld(driver: string, env: Record<string, string> = {}): Promise<DocumentsWorld> {
  const s3: TestS3Server | undefined = driver === 's3' ? await startS3Server() : undefined;
  const t = await startTestEngine({
    packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts', 'metadata/packs/documents'],
    env: { ...(s3?.env ?? {}), ...env },
  });
  const users = {} as DocumentsWorld['users'];
  for (const name of ['alice', 'bob'] as const) {
    const u = await t.request('POST', '/api/v1/app_user', { username: name, display_name: name });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    await t.request('PUT', `/api/admin/users/${u.body.data.id}/password`, { password: `${name}-password-1` });
    users[name] = { id: u.body.data.id, token: '' };
  }
  const role = await t.request('POST', '/api/v1/role', {
    code: 'doc_editors',
    name: 'Document editors',
    members: [users.alice.id, users.bob.id],
    grants: {
      entities: {
        contract_document: { actions: ['read', 'create', 'update', 'check_out', 'check_in'], scope: 'all' },
        contract_document_version: { actions: ['read', 'create', 'update', 'delete'], scope: 'all' },
        contract: { actions: ['read', 'update'], scope: 'all' },
        customer: { actions: ['read'], scope: 'all' },
      },
    },
  });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  for (const name of ['alice', 'bob'] as const) users[name].token = await t.login(name, `${name}-password-1`);
  const customer = await t.request('POST', '/api/v1/customer', { name: '苏州精密制造' });
  const contract = await t.request('POST', '/api/v1/contract', { title: '设备采购合同', customer: customer.body.data.id });
  expect(contract.status, JSON.stringify(contract.body)).toBe(201);

  const send = async (path: string, init: RequestInit) => {
    const res = await fetch(t.url + path, init);
    const bytes = Buffer.from(await res.arrayBuffer());
    let body: unknown = undefined;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      // a file
    }
    return { status: res.status, body, headers: res.headers, bytes };
  };
  return {
    t,
    users,
    contract: contract.body.data,
    send,
    upload: (path, bytes, token = t.adminToken, method = 'PUT') =>
      send(path, { method, headers: token ? { authorization: `Bearer ${token}` } : {}, body: bytes }),
    async stop() {
      await t.stop();
      await s3?.stop();
    },
  };
}
