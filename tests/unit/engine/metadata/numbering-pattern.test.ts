// Numbering patterns: what parses, what each malformed pattern is reported as, and how parts are written.
import { describe, expect, it } from 'vitest';
import { dateParts, formatSequence, isKnownTimeZone, parseNumberingPattern } from '../../../../engine/src/metadata/numbering-pattern.js';

const rules = (pattern: string) => parseNumberingPattern(pattern).problems.map((p) => p.rule);

describe('parseNumberingPattern', () => {
  it('reads literals, date parts, the sequence and field paths', () => {
    expect(parseNumberingPattern('CT-{YYYY}-{seq:5}')).toEqual({
      tokens: [
        { kind: 'literal', text: 'CT-' },
        { kind: 'date', part: 'YYYY' },
        { kind: 'literal', text: '-' },
        { kind: 'seq', width: 5 },
      ],
      problems: [],
    });
    expect(parseNumberingPattern('{branch.code}-{seq:6}').tokens).toEqual([
      { kind: 'field', path: ['branch', 'code'] },
      { kind: 'literal', text: '-' },
      { kind: 'seq', width: 6 },
    ]);
    expect(parseNumberingPattern('{seq}').tokens).toEqual([{ kind: 'seq', width: 1 }]);
    expect(rules('{YY}{MM}{DD}-{region}-{seq:3}')).toEqual([]);
  });

  it.each([
    ['CT-{YYYY}', 'numbering.missing_seq'],
    ['{seq}-{seq:2}', 'numbering.duplicate_seq'],
    ['{seq:0}', 'numbering.invalid_width'],
    ['{seq:19}', 'numbering.invalid_width'],
    ['{seq:x}', 'numbering.unknown_token'],
    ['{YYYYY}-{seq}', 'numbering.unknown_token'],
    ['{Branch}-{seq}', 'numbering.unknown_token'],
    ['CT-{YYYY-{seq}', 'numbering.malformed_pattern'],
    ['CT-{YYYY}}-{seq}', 'numbering.malformed_pattern'],
    ['CT-{}-{seq}', 'numbering.malformed_pattern'],
    ['{seq}{', 'numbering.malformed_pattern'],
    ['{MM}-{seq}', 'numbering.ambiguous_period'],
    ['{YYYY}{DD}-{seq}', 'numbering.ambiguous_period'],
  ])('%s is %s', (pattern, rule) => {
    expect(rules(pattern)).toContain(rule);
  });
});

describe('formatSequence', () => {
  it('pads to the width and grows beyond it rather than cutting', () => {
    expect(formatSequence('7', 5)).toBe('00007');
    expect(formatSequence(123456n, 5)).toBe('123456');
    expect(formatSequence('42', 1)).toBe('42');
  });
});

describe('dateParts', () => {
  it('reads the date on the wall clock of the time zone', () => {
    const at = new Date('2026-12-31T20:00:00Z');
    expect(dateParts(at, 'UTC')).toEqual({ YYYY: '2026', YY: '26', MM: '12', DD: '31' });
    // Already 1 January 2027 in Shanghai (UTC+8): a new year's sequence.
    expect(dateParts(at, 'Asia/Shanghai')).toEqual({ YYYY: '2027', YY: '27', MM: '01', DD: '01' });
  });

  it('knows real time zones only', () => {
    expect(isKnownTimeZone('Europe/Paris')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});
