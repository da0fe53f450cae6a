// Assertions shared by the API integration tests: RFC 9457 problem+json shape, and nothing internal leaking.
import { expect } from 'vitest';

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
}

export interface ExpectedFieldError {
  pointer: string;
  code?: string | RegExp;
}

/** Strings that must never reach a client: SQL text, driver messages, stack frames, file paths. */
const LEAKS: ReadonlyArray<[string, RegExp]> = [
  ['SQL text', /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s/],
  ['a PostgreSQL message', /syntax error|relation "|column "|violates .* constraint|invalid input syntax/i],
  ['a stack frame', /\n\s+at |\bat .*\(.*:\d+:\d+\)/],
  ['a file path', /node_modules|\/work\/|engine\/src|\.ts:\d+/],
];

/** The first kind of leak found in a response body, or undefined. */
export function findLeak(text: string): string | undefined {
  for (const [what, pattern] of LEAKS) if (pattern.test(text)) return `${what} (${pattern}) in ${text.slice(0, 300)}`;
  return undefined;
}

/** Checks a problem+json answer: content type, status, type/title/status/detail, and the field errors if given. */
export function expectProblem(res: ApiResponse, status: number, code?: string, errors?: readonly ExpectedFieldError[]): void {
  const where = `${res.status} ${String(JSON.stringify(res.body) ?? res.body).slice(0, 600)}`;
  expect(res.status, where).toBe(status);
  expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/problem\+json/);
  expect(typeof res.body, where).toBe('object');
  expect(res.body.status, where).toBe(status);
  expect(typeof res.body.type, where).toBe('string');
  expect(typeof res.body.title, where).toBe('string');
  expect(typeof res.body.detail, where).toBe('string');
  expect(res.body.detail.length, where).toBeGreaterThan(0);
  if (code !== undefined) {
    expect(res.body.type, where).toBe(`https://tessera.dev/problems/${code}`);
    expect(res.body.title, where).toBe(code);
  }
  if (res.body.errors !== undefined) {
    expect(Array.isArray(res.body.errors), where).toBe(true);
    for (const e of res.body.errors as unknown[]) {
      expect(e, where).toEqual(
        expect.objectContaining({ pointer: expect.any(String), code: expect.any(String), message: expect.any(String) }),
      );
    }
  }
  for (const want of errors ?? []) {
    const found = (res.body.errors ?? []).find(
      (e: { pointer: string; code: string }) =>
        e.pointer === want.pointer &&
        (want.code === undefined || (typeof want.code === 'string' ? e.code === want.code : want.code.test(e.code))),
    );
    expect(found, `no error ${JSON.stringify(want.pointer)} ${String(want.code ?? '')} in ${where}`).toBeDefined();
  }
  expect(findLeak(JSON.stringify(res.body))).toBeUndefined();
}
