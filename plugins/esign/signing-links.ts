// Secrets of the signing links beyond the link token itself (made and hashed as every engine link's): the one-time
// codes mailed to signers, stored as an HMAC keyed by the signer's own token, so that a code's hash
// in the database cannot be tried against the million six-digit codes without the link it belongs to.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function codeHash(token: string, code: string): string {
  return createHmac('sha256', token).update(code, 'utf8').digest('hex');
}

export function codeMatches(token: string, code: string, stored: string): boolean {
  const given = Buffer.from(codeHash(token, code), 'hex');
  const kept = Buffer.from(stored, 'hex');
  return given.length === kept.length && timingSafeEqual(given, kept);
}

export function signerLink(token: string): string {
  return `/api/public/esign/sign/${token}`;
}

/** "w***@example.com": enough for a signer to recognise their address on a shared screen. */
export function maskEmail(email: string): string {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
}
