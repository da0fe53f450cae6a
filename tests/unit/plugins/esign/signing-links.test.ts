// Signing link secrets: a code's HMAC is keyed by its own link, so the same code under another link does not match,
// and a wrong code never does. (Link tokens are the engine's, tested with the engine's links.)
import { describe, expect, it } from 'vitest';
import { newLinkToken as newToken } from '../../../../engine/src/security/link-tokens.js';
import { codeHash, codeMatches, maskEmail, newCode } from '../../../../plugins/esign/signing-links.js';

describe('signing link secrets', () => {
  it('matches a code only under its own link', () => {
    const token = newToken();
    const code = newCode();
    expect(code).toMatch(/^\d{6}$/);
    const kept = codeHash(token, code);
    expect(codeMatches(token, code, kept)).toBe(true);
    expect(codeMatches(newToken(), code, kept)).toBe(false);
    expect(codeMatches(token, code === '000000' ? '000001' : '000000', kept)).toBe(false);
  });

  it('masks an address for display', () => {
    expect(maskEmail('wang@customer.test')).toBe('w***@customer.test');
  });
});
