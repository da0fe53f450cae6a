// The email notification channel: sends each notification as a plain-text mail through the SMTP server the engine's
// config names (TESSERA_SMTP_URL, sender TESSERA_MAIL_FROM), handed in through the plugin host. A user without an
// email address is skipped with that reason; an SMTP failure fails the attempt, and the engine retries it.
import type { TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { createMailTransport } from './mail-transport.js';

const plugin: TesseraPlugin = {
  name: 'email-channel',
  version: '1.0.0',
  setup(host) {
    const mail = createMailTransport(host.settings);
    host.channel({
      name: 'email',
      async deliver({ message, recipient }) {
        if (!recipient.email) return { skipped: `user ${recipient.username} has no email address` };
        await mail.send({
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
