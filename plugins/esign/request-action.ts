// The request_signatures action on an approved contract: picks the rendered PDF of the version in force (or the one
// named), fixes its SHA-256 on a new signing request, adds the signers with a fresh link each (only the token's hash
// kept), records the first event of the chain, mails the invitations and moves the contract to signing through its
// state machine (send_for_signing). The links are returned once, to the requester.
import { hashLinkToken, newLinkToken, PluginRejection, type PluginHost } from '../../engine/src/plugins/plugin-api.js';
import type { MailTransport } from '../email-channel/mail-transport.js';
import { appendEvent } from './signing-events.js';
import { signerLink } from './signing-links.js';
import { sendInvitation } from './signing-mails.js';
import { asEsign } from './trusted-writes.js';

const DAY_MS = 24 * 3600 * 1000;

interface DocumentRow extends Record<string, unknown> {
  id: string;
  sha256: string;
  contract_version: number | null;
  file_name: string;
}

function reject(detail: string, pointer: string, code: string): never {
  throw new PluginRejection(detail, pointer, code);
}

export function registerRequestAction(host: PluginHost, mail: MailTransport): void {
  host.action({
    entity: 'contract',
    name: 'request_signatures',
    label: { en: 'Send for e-signature', 'zh-CN': '发起电子签署' },
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['signers'],
      properties: {
        document: {
          type: 'string',
          format: 'uuid',
          description: 'A rendered PDF of this contract; by default its latest of the version in force.',
        },
        title: { type: 'string', minLength: 1, maxLength: 200 },
        signing_order: { type: 'string', enum: ['sequential', 'parallel'], default: 'sequential' },
        expires_in_days: { type: 'integer', minimum: 1, maximum: 90, default: 14 },
        remind_every_days: { type: 'integer', minimum: 1, maximum: 30 },
        signers: {
          type: 'array',
          minItems: 1,
          maxItems: 10,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'email'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 120 },
              email: { type: 'string', format: 'email', maxLength: 254 },
            },
          },
        },
      },
    },
    async run({ id, record, input, db, records, actor }) {
      if (record.status !== 'approved')
        reject(`a ${String(record.status)} contract is not sent for signing; it must be approved`, '/status', 'esign.not_approved');
      const version = Number(record.current_version ?? 0);
      const [doc] = await db.query<DocumentRow>(
        `SELECT id::text, sha256, contract_version, file_name FROM render_document
          WHERE contract_id = $1 AND format = 'pdf' AND deleted_at IS NULL ${input.document ? 'AND id = $2' : ''}
          ORDER BY rendered_at DESC, id DESC LIMIT 1`,
        input.document ? [id, input.document] : [id],
      );
      if (!doc) reject('render this contract to PDF first (its render action)', '/document', 'esign.no_document');
      if (doc.contract_version !== version)
        reject(
          `this PDF shows version ${String(doc.contract_version)}; version ${version} is in force`,
          '/document',
          'esign.stale_document',
        );
      const emails = (input.signers as Array<{ email: string }>).map((s) => s.email.toLowerCase());
      if (new Set(emails).size !== emails.length) reject('each signer signs once', '/signers', 'esign.duplicate_signer');

      const title = typeof input.title === 'string' ? input.title : String(record.title ?? doc.file_name);
      const order = (input.signing_order ?? 'sequential') as string;
      const expiresAt = new Date(Date.now() + Number(input.expires_in_days ?? 14) * DAY_MS).toISOString();
      const request = await asEsign(() =>
        records.create('signing_request', {
          title,
          contract: id,
          document: doc.id,
          document_sha256: doc.sha256,
          signing_order: order,
          status: 'open',
          expires_at: expiresAt,
          ...(input.remind_every_days ? { remind_every_days: input.remind_every_days } : {}),
        }),
      );
      const signers = input.signers as Array<{ name: string; email: string }>;
      const links: Array<{ position: number; name: string; email: string; link: string; token: string }> = [];
      for (const [i, s] of signers.entries()) {
        const token = newLinkToken();
        await asEsign(() =>
          records.create('signing_signer', {
            request: request.id,
            position: i + 1,
            name: s.name,
            email: s.email.toLowerCase(),
            status: 'waiting',
            token_hash: hashLinkToken(token),
          }),
        );
        links.push({ position: i + 1, name: s.name, email: s.email.toLowerCase(), token, link: signerLink(token) });
      }
      await appendEvent(db, records, request.id, {
        kind: 'requested',
        actor: actor.username,
        detail: {
          contract: id,
          contract_version: version,
          document: doc.id,
          document_sha256: doc.sha256,
          signing_order: order,
          expires_at: expiresAt,
          signers: links.map(({ position, name, email }) => ({ position, name, email })),
        },
      });
      await records.update('contract', id, { status: 'signing' });
      // Last, so a refused write sends nothing; a mail that fails undoes the request (the links would be lost).
      if (mail.isConfigured) {
        for (const l of links) {
          try {
            await sendInvitation(mail, l, title, l.token, host.settings.publicUrl);
          } catch (err) {
            throw new PluginRejection(
              `the invitation to ${l.email} could not be sent: ${String(err)}`,
              '/signers',
              'esign.mail_failed',
              503,
            );
          }
        }
      }
      return {
        request: request.id,
        document: doc.id,
        document_sha256: doc.sha256,
        expires_at: expiresAt,
        signers: links.map(({ position, name, email, link }) => ({ position, name, email, link })),
      };
    },
  });
}
