// The mails of the signing flow, sent through the notifications mail transport (plugins/email-channel): the
// invitation with the signer's link, the one-time code, a your-turn notice and reminders (which point back to the invitation, since
// the link's token is not kept). Plain text, in Chinese and English.
import type { MailTransport } from '../email-channel/mail-transport.js';
import { signerLink } from './signing-links.js';

export interface Recipient {
  readonly name: string;
  readonly email: string;
}

export function sendInvitation(mail: MailTransport, to: Recipient, title: string, token: string, publicUrl: string): Promise<void> {
  return mail.send({
    to: { name: to.name, address: to.email },
    subject: `请签署 / Please sign: ${title}`,
    text: `${to.name}，您好：\n请通过以下链接查看并签署《${title}》：\n${publicUrl}${signerLink(token)}\n\nPlease review and sign "${title}" at the link above.`,
    headers: { 'X-Tessera-Signing': 'invitation' },
  });
}

export function sendCode(mail: MailTransport, to: Recipient, title: string, code: string, minutes: number): Promise<void> {
  return mail.send({
    to: { name: to.name, address: to.email },
    subject: `签署验证码 / Signing code: ${code}`,
    text: `您签署《${title}》的验证码是 ${code}，${minutes} 分钟内有效，仅可使用一次。\nYour code to sign "${title}" is ${code}. It is valid for ${minutes} minutes and works once.`,
    headers: { 'X-Tessera-Signing': 'code' },
  });
}

export function sendReminder(mail: MailTransport, to: Recipient, title: string, expiresAt: string): Promise<void> {
  return mail.send({
    to: { name: to.name, address: to.email },
    subject: `提醒：请签署 / Reminder: please sign ${title}`,
    text: `《${title}》仍在等待您的签署，请使用邀请邮件中的链接，截止 ${expiresAt}。\n"${title}" is waiting for your signature; use the link in your invitation before ${expiresAt}.`,
    headers: { 'X-Tessera-Signing': 'reminder' },
  });
}

export function sendYourTurn(mail: MailTransport, to: Recipient, title: string, expiresAt: string): Promise<void> {
  return mail.send({
    to: { name: to.name, address: to.email },
    subject: `轮到您签署 / Your turn to sign: ${title}`,
    text: `前一位签署人已签署《${title}》，请使用邀请邮件中的链接签署，截止 ${expiresAt}。\nThe signer before you has signed "${title}"; use the link in your invitation before ${expiresAt}.`,
    headers: { 'X-Tessera-Signing': 'your-turn' },
  });
}
