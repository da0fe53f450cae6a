// The email notification channel: sends each notification as a plain-text mail through the SMTP server the engine's
// config names (TESSERA_SMTP_URL, sender TESSERA_MAIL_FROM), handed in through the plugin host. A user without an
// email address is skipped with that reason; an SMTP failure fails the attempt, and the engine retries it.
import nodemailer from 'nodemailer';
import type { TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';

/** An unreachable server must fail the attempt soon, not hold a worker for nodemailer's default two minutes. */
const CONNECT_TIMEOUT_MS = 10_000;

const plugin: TesseraPlugin = {
  name: 'email-channel',
  version: '1.0.0',
  setup(host) {
    const { smtpUrl, mailFrom } = host.settings;
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
    host.channel({
      name: 'email',
      async deliver({ message, recipient }) {
        if (!recipient.email) return { skipped: `user ${recipient.username} has no email address` };
        if (!transport) throw new Error('no SMTP server is configured (TESSERA_SMTP_URL)');
        await transport.sendMail({
          from: mailFrom,
          to: { name: recipient.displayName, address: recipient.email },
          subject: message.title,
          text: message.body,
          headers: { 'X-Tessera-Notification': message.id },
        });
      },
    });
  },
};

export default plugin;
