// Download names per RFC 6266: an ASCII fallback that cannot break the header, and the exact name as UTF-8 in
// filename* (RFC 8187).
import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../../../engine/src/api/send-file.js';

describe('contentDisposition', () => {
  it('sends the UTF-8 name in filename* and a safe ASCII fallback', () => {
    expect(contentDisposition('合同.pdf')).toBe(`attachment; filename="__.pdf"; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf`);
    expect(contentDisposition('a "quoted"\\name (1).pdf')).toBe(
      `attachment; filename="a _quoted__name (1).pdf"; filename*=UTF-8''a%20%22quoted%22%5Cname%20%281%29.pdf`,
    );
    expect(contentDisposition("it's.txt", true)).toBe(`inline; filename="it's.txt"; filename*=UTF-8''it%27s.txt`);
  });
});
