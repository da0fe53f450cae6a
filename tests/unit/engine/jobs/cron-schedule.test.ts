import { describe, expect, it } from 'vitest';
import { nextCronTime } from '../../../../engine/src/shared/cron.js';
import { validateCron } from '../../../../engine/src/jobs/cron-schedule.js';

describe('validateCron', () => {
  it('accepts 5 fields, and 6 with seconds first', () => {
    expect(() => validateCron('0 9 * * 1-5')).not.toThrow();
    expect(() => validateCron('*/10 * * * * *')).not.toThrow();
  });

  it.each([
    ['* * *', /5 fields, or 6/],
    ['* * * * * * *', /has 7/],
    ['@daily', /has 1/],
    ['', /has 1/],
    ['61 * * * *', /not valid/],
    ['0 0 30 2 *', /not valid/],
    ['a b c d e', /not valid/],
  ])('refuses %j with jobs.invalid_cron', (cron, message) => {
    expect(() => validateCron(cron)).toThrow(
      expect.objectContaining({ code: 'jobs.invalid_cron', status: 400, message: expect.stringMatching(message) }),
    );
  });

  it('refuses an unknown time zone', () => {
    expect(() => validateCron('0 9 * * *', 'Mars/Olympus')).toThrow(expect.objectContaining({ code: 'jobs.invalid_cron' }));
  });
});

describe('nextCronTime', () => {
  const from = Date.parse('2026-12-06T08:59:30.000Z');

  it('gives the first tick strictly after the given time, read in UTC by default', () => {
    expect(new Date(nextCronTime('0 9 * * *', 'UTC', from)).toISOString()).toBe('2026-12-06T09:00:00.000Z');
    expect(new Date(nextCronTime('*/1 * * * * *', 'UTC', from)).toISOString()).toBe('2026-12-06T08:59:31.000Z');
    expect(nextCronTime('0 9 * * *', 'UTC', Date.parse('2026-12-06T09:00:00.000Z'))).toBe(Date.parse('2026-12-07T09:00:00.000Z'));
  });

  it('reads the cron in the given time zone', () => {
    expect(new Date(nextCronTime('0 9 * * *', 'Asia/Shanghai', from)).toISOString()).toBe('2026-12-07T01:00:00.000Z');
  });
});
