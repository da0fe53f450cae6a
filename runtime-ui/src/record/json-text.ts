// A JSON value as the record form's text editor shows it, and the text read back. Pure (unit-tested).

export const showJson = (value: unknown): string => (value === undefined || value === null ? '' : JSON.stringify(value, null, 2));

/** The text as a value: empty is no value; otherwise JSON, or the parser's complaint. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
