// A signer's signature as the sign route accepts it: typed (their name as they type it) or drawn (a PNG from a
// signature pad, base64, checked to be a PNG and small). Refused with a 422 naming the field.
import { PluginRejection } from '../../engine/src/plugins/plugin-api.js';

export type SignatureInput = { readonly kind: 'typed'; readonly text: string } | { readonly kind: 'drawn'; readonly png: Buffer };

const MAX_PNG_BYTES = 256 * 1024;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const bad = (detail: string, pointer: string): never => {
  throw new PluginRejection(detail, pointer, 'esign.bad_signature');
};

export function parseSignBody(body: unknown): { code: string; signature: SignatureInput } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; signature?: unknown };
  if (typeof b.code !== 'string' || !/^\d{6}$/.test(b.code)) bad('code is the six digits mailed to you', '/code');
  const s = (typeof b.signature === 'object' && b.signature !== null ? b.signature : {}) as {
    kind?: unknown;
    text?: unknown;
    png?: unknown;
  };
  if (s.kind === 'typed') {
    if (typeof s.text !== 'string' || s.text.trim() === '' || s.text.length > 120)
      bad('a typed signature is 1 to 120 characters', '/signature/text');
    return { code: b.code as string, signature: { kind: 'typed', text: (s.text as string).trim() } };
  }
  if (s.kind === 'drawn') {
    const raw = typeof s.png === 'string' ? s.png.replace(/^data:image\/png;base64,/, '') : '';
    const png = Buffer.from(raw, 'base64');
    if (png.length === 0 || png.length > MAX_PNG_BYTES || !png.subarray(0, 8).equals(PNG_MAGIC))
      bad(`a drawn signature is a PNG image of at most ${MAX_PNG_BYTES / 1024} KB, base64`, '/signature/png');
    return { code: b.code as string, signature: { kind: 'drawn', png } };
  }
  return bad("signature.kind is 'typed' or 'drawn'", '/signature/kind');
}
