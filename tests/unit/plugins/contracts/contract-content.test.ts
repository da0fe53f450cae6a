// The canonical serialisation and SHA-256 of a contract version (plugins/contracts/contract-content.ts).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalError, canonicalJson, contentHash, type ContractContent } from '../../../../plugins/contracts/contract-content.js';

const content: ContractContent = {
  contract: { title: '智能产线', end_date: '2027-12-31', renewal_notice_days: 30, notify_customer_on_renewal: false, contact: null },
  lines: [
    { id: '0b', quantity: '2.000', unit_price: '100.00', line_total: '200.00' },
    { id: '0a', quantity: '1.000', unit_price: '5.50', line_total: '5.50' },
  ],
};

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps nulls, drops undefined and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: null, c: ['x', true] }, e: undefined })).toBe('{"a":{"c":["x",true],"d":null},"b":1}');
  });

  it('refuses numbers that are not integers, so decimals travel only as strings', () => {
    expect(() => canonicalJson({ lines: [{ price: 0.1 }] })).toThrow(CanonicalError);
    expect(() => canonicalJson({ lines: [{ price: 0.1 }] })).toThrow('/lines/0/price');
    expect(canonicalJson({ price: '0.10' })).toBe('{"price":"0.10"}');
  });
});

describe('contentHash', () => {
  it('is the SHA-256 of the canonical text, lines in id order', () => {
    const text =
      '{"contract":{"contact":null,"end_date":"2027-12-31","notify_customer_on_renewal":false,"renewal_notice_days":30,"title":"智能产线"},' +
      '"lines":[{"id":"0a","line_total":"5.50","quantity":"1.000","unit_price":"5.50"},{"id":"0b","line_total":"200.00","quantity":"2.000","unit_price":"100.00"}]}';
    expect(contentHash(content)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('does not depend on key or line order, and changes with any value', () => {
    const reordered: ContractContent = {
      lines: [...content.lines].reverse().map((l) => Object.fromEntries(Object.entries(l).reverse()) as typeof l),
      contract: Object.fromEntries(Object.entries(content.contract).reverse()),
    };
    expect(contentHash(reordered)).toBe(contentHash(content));
    const changed = { ...content, lines: [content.lines[0]!, { ...content.lines[1]!, unit_price: '5.51' }] };
    expect(contentHash(changed)).not.toBe(contentHash(content));
    // "5.5" and "5.50" are different texts: the column's scale fixes the text, so the hash reads it as given.
    const rescaled = { ...content, lines: [content.lines[0]!, { ...content.lines[1]!, unit_price: '5.5' }] };
    expect(contentHash(rescaled)).not.toBe(contentHash(content));
  });
});
