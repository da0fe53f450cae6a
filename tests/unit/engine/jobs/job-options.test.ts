import { describe, expect, it } from 'vitest';
import { checkAddOptions, checkJobName, completedRetention, toJsonText } from '../../../../engine/src/jobs/job-options.js';

const invalid = (message: RegExp) =>
  expect.objectContaining({ code: 'jobs.invalid_options', status: 400, message: expect.stringMatching(message) });

describe('checkAddOptions', () => {
  it('fills in one attempt and no delay', () => {
    expect(checkAddOptions('sla:recalc', { jobKey: 'k' })).toEqual({ jobKey: 'k', attempts: 1, delayMs: 0 });
  });

  it('keeps what was given', () => {
    expect(
      checkAddOptions('sla:recalc', {
        jobKey: 'k',
        attempts: 3,
        delayMs: 10,
        timeoutMs: 500,
        backoff: { type: 'exponential', delayMs: 100 },
      }),
    ).toEqual({ jobKey: 'k', attempts: 3, delayMs: 10, timeoutMs: 500, backoff: { type: 'exponential', delayMs: 100 } });
  });

  it.each([
    [{ jobKey: '' }, /jobKey/],
    [{ jobKey: 'repeat:x' }, /repeat:/],
    [{ jobKey: 'k', attempts: 0 }, /attempts/],
    [{ jobKey: 'k', attempts: 1.5 }, /attempts/],
    [{ jobKey: 'k', delayMs: -1 }, /delayMs/],
    [{ jobKey: 'k', timeoutMs: 0 }, /timeoutMs/],
    [{ jobKey: 'k', backoff: { type: 'linear' as 'fixed', delayMs: 1 } }, /backoff.type/],
    [{ jobKey: 'k', backoff: { type: 'fixed' as const, delayMs: -5 } }, /backoff.delayMs/],
  ])('refuses %j', (options, message) => {
    expect(() => checkAddOptions('sla:recalc', options)).toThrow(invalid(message));
  });
});

describe('checkJobName', () => {
  it('takes area:action names and refuses spaces and empty names', () => {
    expect(() => checkJobName('outbox:relay')).not.toThrow();
    expect(() => checkJobName('has space')).toThrow(invalid(/Job name/));
    expect(() => checkJobName('')).toThrow(invalid(/Job name/));
  });
});

describe('toJsonText', () => {
  it('stores undefined as null and refuses what JSON cannot hold', () => {
    expect(toJsonText(undefined)).toBe('null');
    expect(toJsonText({ a: [1] })).toBe('{"a":[1]}');
    expect(() => toJsonText(10n)).toThrow(invalid(/JSON/));
    expect(() => toJsonText(() => 1)).toThrow(invalid(/JSON/));
  });
});

describe('completedRetention', () => {
  it('keeps completed jobs a day, at most 1000, unless told otherwise', () => {
    expect(completedRetention({})).toEqual({ ttlMs: 86_400_000, max: 1000 });
    expect(completedRetention({ completedTtlMs: 5, completedMax: 0 })).toEqual({ ttlMs: 5, max: 0 });
  });
});
