// The email-channel plugin (#20 part 5) against a real SMTP server (the smtp-server package on loopback, never a mock
// transport): a reminder's notification arrives as a mail with the rendered subject and body; a user without an email
// address is skipped visibly; with the server down the delivery is retried with backoff and ends failed with its
// error, shown to administrators both as a delivery and as a dead job.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

let t: TestEngine;
let smtp: SMTPServer;
let port: number;
const mails: Mail[] = [];
const ids: Record<string, string> = {};

function startSmtp(): Promise<void> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  return new Promise((resolve) => smtp.listen(port, '127.0.0.1', () => resolve()));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function deliveryOf(notificationTitle: string, state: string) {
  return until(`a ${state} delivery of '${notificationTitle}'`, async () => {
    const res = await t.request('GET', `/api/admin/notifications/deliveries?state=${state}`);
    return res.body.data.find((d: any) => d.title === notificationTitle && d.state === state);
  });
}

async function customer(name: string, owner: string): Promise<string> {
  const res = await t.request('POST', '/api/v1/customer', { name, owner: ids[owner], renewal_on: '2031-05-01' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id;
}

beforeAll(async () => {
  port = 0;
  await startSmtp();
  port = (smtp.server.address() as AddressInfo).port;
  t = await startTestEngine({
    packs: ['metadata/packs/core', 'tests/fixtures/packs/reminder-demo'],
    env: {
      TESSERA_SMTP_URL: `smtp://127.0.0.1:${port}`,
      TESSERA_MAIL_FROM: 'crm@tessera.test',
      TESSERA_JOB_ATTEMPTS: '3',
      TESSERA_JOB_BACKOFF_MS: '50',
    },
  });
  for (const [username, email] of [
    ['mailer', 'mailer@example.test'],
    ['nomail', undefined],
  ] as const) {
    const res = await t.request('POST', '/api/v1/app_user', {
      username,
      display_name: `User ${username}`,
      locale: 'en',
      ...(email ? { email } : {}),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[username] = res.body.data.id;
  }
  // Reminded only of records they may read: their own customers.
  const role = await t.request('POST', '/api/v1/role', {
    code: 'account_owner',
    name: 'Account owner',
    members: [ids.mailer, ids.nomail],
    grants: { entities: { customer: { actions: ['read'], scope: 'own' } } },
  });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
});

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((r) => smtp.close(() => r()));
});

describe('the email channel', () => {
  it('sends the rendered notification as a mail and marks the delivery sent', async () => {
    await customer('Cyberdyne', 'mailer');
    await customer('Tyrell', 'nomail');
    const result = await t.engine.reminders.scan('customer.renewal', new Date('2031-04-02T08:00:00Z'));
    expect(result.notified).toBe(2);
    const mail = await until('the mail', async () => mails.find((m) => m.to.includes('mailer@example.test')));
    expect(mail.from).toBe('crm@tessera.test');
    expect(mail.raw).toMatch(/^Subject: Renewal due\r?$/m);
    expect(mail.raw).toContain('Cyberdyne renews on 2031-05-01');
    expect(mail.raw).toMatch(/^To: User mailer <mailer@example.test>\r?$/m);
    const sent = await deliveryOf('Renewal due', 'sent');
    expect(sent).toMatchObject({ channel: 'email', userId: ids.mailer, attempts: 1, error: null });
  });

  it('skips a user without an email address, saying why', async () => {
    const skipped = await deliveryOf('Renewal due', 'skipped');
    expect(skipped).toMatchObject({ channel: 'email', userId: ids.nomail, error: 'user nomail has no email address' });
    expect(mails.filter((m) => m.raw.includes('Tyrell'))).toEqual([]);
  });

  it('retries a delivery while the SMTP server is down, then shows it failed with its error', async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    await customer('Soylent', 'mailer');
    await t.engine.reminders.scan('customer.renewal', new Date('2031-04-03T08:00:00Z'));
    const failed = await deliveryOf('Renewal due', 'failed');
    expect(failed).toMatchObject({ channel: 'email', userId: ids.mailer, attempts: 3 });
    expect(failed.error).toMatch(/ECONNREFUSED|connect/i);
    const dead = await until('the dead job', async () => {
      const res = await t.request('GET', '/api/admin/jobs?state=dead');
      return res.body.data.find((j: any) => j.name === 'notify:deliver' && j.data.notification === failed.notificationId);
    });
    expect(dead).toMatchObject({ failures: 3, maxAttempts: 3, error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    // The notification itself is in the inbox all the same.
    const inbox = await t.request('GET', '/api/admin/notifications/deliveries?state=sent');
    expect(inbox.body.data).toHaveLength(1);
    await startSmtp();
  });
});
