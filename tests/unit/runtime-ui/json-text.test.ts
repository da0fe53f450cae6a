// The JSON editor's text: a value shown indented, text read back as JSON, empty text as no value, and a parse
// error reported with the parser's reason instead of a value.
import { describe, expect, it } from 'vitest';
import { parseJsonText, showJson } from '../../../runtime-ui/src/record/json-text.js';

describe('the JSON text of a field', () => {
  it('shows a value indented and nothing for no value', () => {
    expect(showJson({ a: [1, 2] })).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(showJson(null)).toBe('');
    expect(showJson(undefined)).toBe('');
  });

  it('reads JSON back, and blank text as no value', () => {
    expect(parseJsonText(' {"admin": true} ')).toEqual({ ok: true, value: { admin: true } });
    expect(parseJsonText('0')).toEqual({ ok: true, value: 0 });
    expect(parseJsonText('  \n')).toEqual({ ok: true, value: null });
  });

  it("gives the parser's reason for text that is not JSON", () => {
    const parsed = parseJsonText('{"admin": tru}');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/JSON/);
  });
});
