// The signer's side, public (the link's token is the key): see the request and the document, ask for a one-time
// code by e-mail, sign with the code and a typed or drawn signature. A wrong code counts against the signer (five
// and the code is spent), a used or superseded code is refused, and every step is an event of the chain. The last
// signature completes the request (completion.ts).
import Router from '@koa/router';
import { PluginRejection, type PluginHost } from '../../engine/src/plugins/plugin-api.js';
import type { MailTransport } from '../email-channel/mail-transport.js';
import { completeSigning, type CompletionDeps } from './completion.js';
import { parseSignBody } from './signature-input.js';
import { checkMayAct, checkOpen, signerAtLink } from './signer-access.js';
import { appendEvent } from './signing-events.js';
import { codeHash, codeMatches, maskEmail, newCode } from './signing-links.js';
import { sendCode, sendYourTurn } from './signing-mails.js';
import { signingPage } from './signing-page.js';
import { asEsign } from './trusted-writes.js';

const CODE_MINUTES = 10;
export const MAX_CODES = 5;
export const MAX_WRONG_CODES = 5;

export function signerRoutes(host: PluginHost, mail: MailTransport, completion: CompletionDeps): Router {
  const router = new Router();
  const work = host.work;
  const token = (ctx: { params: Record<string, string | undefined> }): string => ctx.params.token ?? '';

  router.get('/sign/:token', async (ctx) => {
    // A browser opening the invitation gets the signing page; the page (and any client) reads the JSON.
    if (ctx.accepts('json', 'html') === 'html') {
      const page = signingPage();
      ctx.set('Content-Security-Policy', page.csp);
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = page.html;
      return;
    }
    const at = await signerAtLink({ query: work.query }, token(ctx));
    const signers = await work.query<{ position: number; name: string; status: string }>(
      `SELECT position, name, status::text AS status FROM signing_signer WHERE request_id = $1 AND deleted_at IS NULL ORDER BY position`,
      [at.request.id],
    );
    ctx.body = {
      data: {
        title: at.request.title,
        status: at.request.status,
        expires_at: at.request.expires_at,
        document_sha256: at.request.document_sha256,
        signing_order: at.request.signing_order,
        you: { name: at.signer.name, email: maskEmail(at.signer.email), position: at.signer.position, status: at.signer.status },
        signers,
      },
    };
  });

  // The exact bytes the request fixed: what the signer reads is what they sign.
  router.get('/sign/:token/document', async (ctx) => {
    const at = await signerAtLink({ query: work.query }, token(ctx));
    if (at.request.status !== 'completed') checkOpen(at);
    ctx.set('Content-Type', 'application/pdf');
    ctx.set('X-Content-SHA256', at.request.document_sha256);
    ctx.body = await host.blobs.open(at.request.document_sha256);
  });

  router.get('/sign/:token/signed', async (ctx) => {
    const at = await signerAtLink({ query: work.query }, token(ctx));
    if (at.request.status !== 'completed' || !at.request.signed_sha256)
      throw new PluginRejection('the document is signed once every signer has signed', '', 'esign.not_completed', 409);
    ctx.set('Content-Type', 'application/pdf');
    ctx.set('X-Content-SHA256', at.request.signed_sha256);
    ctx.body = await host.blobs.open(at.request.signed_sha256);
  });

  router.post('/sign/:token/code', async (ctx) => {
    if (!mail.isConfigured) throw new PluginRejection('this installation sends no mail (TESSERA_SMTP_URL)', '', 'esign.no_mail', 503);
    const sent = await work.transaction(async ({ db, records }) => {
      const at = await signerAtLink(db, token(ctx), true);
      await checkMayAct(db, at);
      if (at.signer.codes_sent >= MAX_CODES)
        throw new PluginRejection(`no more than ${MAX_CODES} codes are sent for one signature`, '', 'esign.too_many_codes', 429);
      const code = newCode();
      const expiresAt = new Date(Date.now() + CODE_MINUTES * 60_000).toISOString();
      await asEsign(() =>
        records.update('signing_signer', at.signer.id, {
          code_hash: codeHash(token(ctx), code),
          code_expires_at: expiresAt,
          code_attempts: 0,
          codes_sent: at.signer.codes_sent + 1,
        }),
      );
      await appendEvent(db, records, at.request.id, {
        kind: 'code_sent',
        actor: at.signer.email,
        detail: { position: at.signer.position },
      });
      try {
        await sendCode(mail, at.signer, at.request.title, code, CODE_MINUTES);
      } catch (err) {
        throw new PluginRejection(`the code could not be mailed: ${String(err)}`, '', 'esign.mail_failed', 503);
      }
      return { sent_to: maskEmail(at.signer.email), expires_at: expiresAt };
    });
    ctx.status = 202;
    ctx.body = { data: sent };
  });

  router.post('/sign/:token', async (ctx) => {
    const { code, signature } = parseSignBody((ctx.request as { body?: unknown }).body);
    const ip = ctx.ip;
    // A wrong code is counted in a transaction that commits, then refused; a right one signs.
    const outcome = await work.transaction(async ({ db, records }) => {
      const at = await signerAtLink(db, token(ctx), true);
      await checkMayAct(db, at);
      const s = at.signer;
      if (!s.code_hash) throw new PluginRejection('ask for a code first; each code works once', '/code', 'esign.no_code');
      if (s.code_lapsed) throw new PluginRejection('this code has expired; ask for a new one', '/code', 'esign.code_expired');
      if (s.code_attempts >= MAX_WRONG_CODES)
        throw new PluginRejection('too many wrong codes; ask for a new one', '/code', 'esign.too_many_attempts', 429);
      if (!codeMatches(token(ctx), code, s.code_hash)) {
        const attempts = s.code_attempts + 1;
        await asEsign(() =>
          records.update(
            'signing_signer',
            s.id,
            attempts >= MAX_WRONG_CODES ? { code_attempts: attempts, code_hash: null } : { code_attempts: attempts },
          ),
        );
        await appendEvent(db, records, at.request.id, { kind: 'wrong_code', actor: s.email, detail: { position: s.position, attempts } });
        return { wrong: true as const, left: MAX_WRONG_CODES - attempts };
      }
      const drawn = signature.kind === 'drawn' ? await host.blobs.put(signature.png, { maxBytes: 256 * 1024 }) : undefined;
      const signedAt = new Date().toISOString();
      await asEsign(() =>
        records.update('signing_signer', s.id, {
          status: 'signed',
          signed_at: signedAt,
          signature_kind: signature.kind,
          ...(signature.kind === 'typed' ? { signature_text: signature.text } : { signature_sha256: drawn?.sha256 }),
          code_hash: null,
          code_expires_at: null,
        }),
      );
      await appendEvent(db, records, at.request.id, {
        kind: 'signed',
        actor: s.email,
        detail: {
          position: s.position,
          name: s.name,
          email_confirmed: true,
          signature_kind: signature.kind,
          ...(signature.kind === 'typed' ? { signature_text: signature.text } : { signature_sha256: drawn?.sha256 ?? '' }),
          document_sha256: at.request.document_sha256,
          ip,
        },
      });
      const [left] = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM signing_signer WHERE request_id = $1 AND status <> 'signed' AND deleted_at IS NULL`,
        [at.request.id],
      );
      const completed = Number(left?.n ?? 0) === 0;
      const signedSha256 = completed ? await completeSigning(completion, db, records, at.request) : null;
      const [next] =
        !completed && at.request.signing_order === 'sequential'
          ? await db.query<{ name: string; email: string }>(
              `SELECT name, email FROM signing_signer WHERE request_id = $1 AND status = 'waiting' AND deleted_at IS NULL
                ORDER BY position LIMIT 1`,
              [at.request.id],
            )
          : [];
      return {
        wrong: false as const,
        completed,
        signed_sha256: signedSha256,
        next,
        title: at.request.title,
        expires: at.request.expires_at,
      };
    });
    if (outcome.wrong)
      throw new PluginRejection(
        outcome.left > 0 ? `wrong code; ${outcome.left} tries left` : 'wrong code; ask for a new one',
        '/code',
        'esign.wrong_code',
      );
    // In order, the next signer hears it is their turn once this signature is committed. A mail that fails is
    // logged; the reminder sweep (remind_every_days) reaches them anyway, and their invitation link works.
    if (outcome.next && mail.isConfigured) {
      await sendYourTurn(mail, outcome.next, outcome.title, new Date(outcome.expires).toISOString()).catch((err: unknown) =>
        host.log.warn({ err, title: outcome.title }, 'esign: the your-turn mail could not be sent'),
      );
    }
    ctx.body = { data: { signed: true, completed: outcome.completed, signed_sha256: outcome.signed_sha256 } };
  });
  return router;
}
