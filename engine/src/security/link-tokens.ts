// Tokens of links that stand in for an account (public forms, share links, upload links): 192 random bits, sent
// once to the issuer and kept only as their SHA-256, so a copy of the database opens nothing. Optional link
// passwords are kept as scrypt hashes (salted, memory-hard) and compared in constant time.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 24;
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((TOKEN_BYTES * 4) / 3)}}$`);

export function newLinkToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether a string could be a token at all: a path segment that cannot is refused before any lookup. */
export function isLinkTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const KEY_BYTES = 32;

function scryptKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N: 16384, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$<salt>$<key>`, base64url. */
export async function hashLinkPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await scryptKey(password, salt)).toString('base64url')}`;
}

export async function checkLinkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptKey(password, Buffer.from(salt, 'base64url'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
