import { describe, expect, it } from 'vitest';
import { searchQuery, searchTerms } from '../../../../engine/src/search/search-terms.js';

describe('searchTerms', () => {
  it('gives Chinese runs their characters and pairs, other words whole and lower-cased', () => {
    expect(searchTerms('华为技术 Huawei-Tech 2026')).toEqual(['华', '为', '技', '术', '华为', '为技', '技术', 'huawei', 'tech', '2026']);
  });

  it('folds full-width forms (NFKC) and drops punctuation', () => {
    expect(searchTerms('ＡＢＣ１２３，“合同”')).toEqual(['abc123', '合', '同', '合同']);
  });

  it('has nothing for text without letters or digits', () => {
    expect(searchTerms(' -—,。 ')).toEqual([]);
  });
});

describe('searchQuery', () => {
  it('asks for every pair of a Chinese run, a single character as itself, and other words by prefix', () => {
    expect(searchQuery('技术有限')).toBe("'技术' & '术有' & '有限'");
    expect(searchQuery('华')).toBe("'华'");
    expect(searchQuery('Hua 20')).toBe("'hua':* & '20':*");
  });

  it('quotes what tsquery would read as syntax, so user text never becomes an operator', () => {
    expect(searchQuery("o'neil")).toBe("'o':* & 'neil':*");
    expect(searchQuery('a & b | !c')).toBe("'a':* & 'b':* & 'c':*");
  });

  it('is undefined when the text has nothing to find by', () => {
    expect(searchQuery('  !!  ')).toBeUndefined();
  });
});
