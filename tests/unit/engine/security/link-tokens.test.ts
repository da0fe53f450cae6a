// Link tokens: distinct, shaped so a path trick is refused before any lookup, kept only as a hash; link passwords
// are salted scrypt hashes that match only their own password.
import { describe, expect, it } from 'vitest';
import {
  checkLinkPassword,
  hashLinkPassword,
  hashLinkToken,
  isLinkTokenShaped,
  newLinkToken,
} from '../../../../engine/src/security/link-tokens.js';

describe('link tokens', () => {
  it('makes distinct, well-shaped tokens and hashes them', () => {
    const a = newLinkToken();
    expect(a).not.toBe(newLinkToken());
    expect(isLinkTokenShaped(a)).toBe(true);
    expect(isLinkTokenShaped('../../etc/passwd')).toBe(false);
    expect(isLinkTokenShaped(`${a}x`)).toBe(false);
    expect(hashLinkToken(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashLinkToken(a)).toBe(hashLinkToken(a));
  });

  it('checks a link password against its salted hash only', async () => {
    const kept = await hashLinkPassword('开门 sesame');
    expect(kept).not.toBe(await hashLinkPassword('开门 sesame'));
    expect(await checkLinkPassword('开门 sesame', kept)).toBe(true);
    expect(await checkLinkPassword('开门 Sesame', kept)).toBe(false);
    expect(await checkLinkPassword('x', 'bcrypt$a$b')).toBe(false);
  });
});
