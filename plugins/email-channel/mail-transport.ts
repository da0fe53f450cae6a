// The one way Tessera sends mail: nodemailer on the SMTP server the engine's config names (TESSERA_SMTP_URL, sender
// TESSERA_MAIL_FROM). The email channel delivers notifications with it; the esign plugin sends signers' one-time
// codes with it (signers have no user account, so they are not notification recipients).
import nodemailer from 'nodemailer';
import type { PluginSettings } from '../../engine/src/plugins/plugin-api.js';

/** An unreachable server must fail the attempt soon, not hold a worker for nodemailer's default two minutes. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface Mail {
  readonly to: { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface MailTransport {
  /** Whether an SMTP server is configured at all. */
  readonly isConfigured: boolean;
  /** Sends one mail; throws when no server is configured or the server refuses it. */
  send(mail: Mail): Promise<void>;
}

export function createMailTransport(settings: PluginSettings): MailTransport {
  const { smtpUrl, mailFrom } = settings;
  // One transport for the process: it opens a connection per mail and holds no state between them.
  const transport =
    smtpUrl === undefined
      ? undefined
      : nodemailer.createTransport({
          url: smtpUrl,
          connectionTimeout: CONNECT_TIMEOUT_MS,
          greetingTimeout: CONNECT_TIMEOUT_MS,
          socketTimeout: CONNECT_TIMEOUT_MS,
        });
  return {
    isConfigured: transport !== undefined,
    async send(mail) {
      if (!transport) throw new Error('no SMTP server is configured (TESSERA_SMTP_URL)');
      await transport.sendMail({ from: mailFrom, to: mail.to, subject: mail.subject, text: mail.text, headers: { ...mail.headers } });
    },
  };
}
