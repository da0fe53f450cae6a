// The behaviour both job queue drivers must share, as one suite each driver's test file runs; so they stay
// interchangeable (the in-process queue stands in for Bull when there is no Redis).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobQueue, JobRun } from '../../engine/src/jobs/job-queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = (check: () => void | Promise<void>, timeout = 5000) => vi.waitFor(check, { timeout, interval: 20 });

export function describeJobQueue(driver: string, createQueue: () => JobQueue): void {
  describe(`job queue (${driver})`, () => {
    const opened: JobQueue[] = [];
    const makeQueue = (): JobQueue => {
      const queue = createQueue();
      opened.push(queue);
      return queue;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
    });

    it('runs a job added before its handler, with its data, and keeps it as completed', async () => {
      const queue = makeQueue();
      await queue.add('test:run', { a: 1, b: ['x'] }, { jobKey: 'k1' });
      expect((await queue.list('waiting', 10)).map((j) => j.key)).toEqual(['k1']);
      const runs: JobRun[] = [];
      queue.process('test:run', { concurrency: 1 }, async (job) => {
        runs.push(job);
      });
      await until(async () => expect((await queue.list('completed', 10)).map((j) => j.key)).toEqual(['k1']));
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ key: 'k1', name: 'test:run', data: { a: 1, b: ['x'] }, attempt: 1 });
      const [done] = await queue.list('completed', 10);
      expect(done).toMatchObject({ name: 'test:run', state: 'completed', failures: 0, maxAttempts: 1 });
      expect(done?.finishedAt).toBeGreaterThanOrEqual(done?.createdAt ?? Infinity);
    });

    it('respects a delay', async () => {
      const queue = makeQueue();
      let ranAt = 0;
      queue.process('test:delay', { concurrency: 1 }, async () => {
        ranAt = Date.now();
      });
      const addedAt = Date.now();
      await queue.add('test:delay', null, { jobKey: 'd1', delayMs: 300 });
      expect((await queue.list('delayed', 10)).map((j) => j.key)).toEqual(['d1']);
      await until(() => expect(ranAt).toBeGreaterThan(0));
      expect(ranAt - addedAt).toBeGreaterThanOrEqual(290);
    });

    it('retries with a fixed backoff, shows the job as failed meanwhile, then dead with the last error', async () => {
      const queue = makeQueue();
      const attempts: { attempt: number; at: number }[] = [];
      queue.process('test:fail', { concurrency: 1 }, async (job) => {
        attempts.push({ attempt: job.attempt, at: Date.now() });
        throw new Error(`boom ${job.attempt}`);
      });
      await queue.add('test:fail', { n: 1 }, { jobKey: 'f1', attempts: 3, backoff: { type: 'fixed', delayMs: 150 } });
      await until(async () => expect(await queue.list('failed', 10)).toMatchObject([{ key: 'f1', failures: 1, error: 'boom 1' }]));
      await until(async () =>
        expect(await queue.list('dead', 10)).toMatchObject([{ key: 'f1', state: 'dead', failures: 3, maxAttempts: 3, error: 'boom 3' }]),
      );
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(140);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(140);
      expect(await queue.list('failed', 10)).toEqual([]);
    });

    it('waits (2^n - 1) x delay after the n-th failure with an exponential backoff', async () => {
      const queue = makeQueue();
      const times: number[] = [];
      queue.process('test:exp', { concurrency: 1 }, async () => {
        times.push(Date.now());
        throw new Error('again');
      });
      await queue.add('test:exp', null, { jobKey: 'e1', attempts: 3, backoff: { type: 'exponential', delayMs: 60 } });
      await until(async () => expect(await queue.list('dead', 10)).toHaveLength(1));
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(55);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(175);
    });

    it('runs a key once, however often it is added, also after it completed', async () => {
      const queue = makeQueue();
      let runs = 0;
      queue.process('test:once', { concurrency: 2 }, async () => {
        runs += 1;
        await sleep(30);
      });
      await Promise.all([queue.add('test:once', { v: 1 }, { jobKey: 'same' }), queue.add('test:once', { v: 2 }, { jobKey: 'same' })]);
      await queue.add('test:once', { v: 3 }, { jobKey: 'same' });
      await until(async () => expect(await queue.list('completed', 10)).toHaveLength(1));
      await queue.add('test:once', { v: 4 }, { jobKey: 'same' });
      await sleep(150);
      expect(runs).toBe(1);
    });

    it('honours the concurrency of a job name', async () => {
      const queue = makeQueue();
      let current = 0;
      let highest = 0;
      let done = 0;
      queue.process('test:conc', { concurrency: 2 }, async () => {
        current += 1;
        highest = Math.max(highest, current);
        await sleep(80);
        current -= 1;
        done += 1;
      });
      for (let i = 0; i < 6; i++) await queue.add('test:conc', { i }, { jobKey: `c${i}` });
      await until(() => expect(done).toBe(6));
      expect(highest).toBe(2);
    });

    it('fails an attempt that runs past its timeout and aborts its signal', async () => {
      const queue = makeQueue();
      let aborted = false;
      queue.process('test:slow', { concurrency: 1 }, async (job) => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          job.signal.addEventListener('abort', () => {
            aborted = true;
            clearTimeout(timer);
            resolve();
          });
        });
      });
      await queue.add('test:slow', null, { jobKey: 't1', timeoutMs: 100 });
      await until(async () => expect(await queue.list('dead', 10)).toMatchObject([{ key: 't1', failures: 1 }]));
      const [dead] = await queue.list('dead', 10);
      expect(dead?.error).toMatch(/timed out/);
      expect(aborted).toBe(true);
    });

    it('repeats on a cron (seconds field) until unrepeated, and refuses a bad cron', async () => {
      const queue = makeQueue();
      const fired: JobRun[] = [];
      queue.process('test:cron', { concurrency: 1 }, async (job) => {
        fired.push(job);
      });
      await expect(queue.repeat('test:cron', '* * *', {})).rejects.toMatchObject({ code: 'jobs.invalid_cron', status: 400 });
      await expect(queue.repeat('test:cron', '61 * * * *', {})).rejects.toMatchObject({ code: 'jobs.invalid_cron' });
      await queue.repeat('test:cron', '*/1 * * * * *', { tick: true });
      await queue.repeat('test:cron', '*/1 * * * * *', { tick: 'ignored: same name and cron' });
      await until(() => expect(fired.length).toBeGreaterThanOrEqual(2), 5000);
      await queue.unrepeat('test:cron', '*/1 * * * * *');
      const count = fired.length;
      expect(new Set(fired.map((j) => j.key)).size).toBe(count);
      expect(fired.every((j) => (j.data as { tick: unknown }).tick === true)).toBe(true);
      await sleep(1200);
      // One tick may have been taken already while unrepeat ran; no more after that.
      expect(fired.length).toBeLessThanOrEqual(count + 1);
    });

    it('retries a dead job with a fresh set of attempts', async () => {
      const queue = makeQueue();
      const seen: number[] = [];
      let broken = true;
      queue.process('test:retry', { concurrency: 1 }, async (job) => {
        seen.push(job.attempt);
        if (broken) throw new Error('down');
      });
      await queue.add('test:retry', null, { jobKey: 'r1', attempts: 2 });
      await until(async () => expect(await queue.list('dead', 10)).toMatchObject([{ key: 'r1', failures: 2 }]));
      broken = false;
      await queue.retry('r1');
      await until(async () => expect(await queue.list('completed', 10)).toMatchObject([{ key: 'r1' }]));
      expect(seen).toEqual([1, 2, 1]);
      expect(await queue.list('dead', 10)).toEqual([]);
      await expect(queue.retry('r1')).rejects.toMatchObject({ code: 'jobs.not_retryable', status: 409 });
      await expect(queue.retry('nope')).rejects.toMatchObject({ code: 'jobs.not_found', status: 404 });
    });

    it('retry runs a delayed job now', async () => {
      const queue = makeQueue();
      let ran = false;
      queue.process('test:promote', { concurrency: 1 }, async () => {
        ran = true;
      });
      await queue.add('test:promote', null, { jobKey: 'p1', delayMs: 60_000 });
      await queue.retry('p1');
      await until(() => expect(ran).toBe(true));
    });

    it('discards waiting, delayed and dead jobs, which frees their key', async () => {
      const queue = makeQueue();
      await queue.add('test:discard', null, { jobKey: 'x1', delayMs: 60_000 });
      await queue.add('test:discard', null, { jobKey: 'x2' });
      await queue.discard('x1');
      await queue.discard('x2');
      expect(await queue.list('delayed', 10)).toEqual([]);
      expect(await queue.list('waiting', 10)).toEqual([]);
      await queue.add('test:discard', { again: true }, { jobKey: 'x1', delayMs: 60_000 });
      expect(await queue.list('delayed', 10)).toMatchObject([{ key: 'x1', data: { again: true } }]);

      queue.process('test:dead', { concurrency: 1 }, async () => {
        throw new Error('no');
      });
      await queue.add('test:dead', null, { jobKey: 'x3' });
      await until(async () => expect(await queue.list('dead', 10)).toHaveLength(1));
      await queue.discard('x3');
      expect(await queue.list('dead', 10)).toEqual([]);
      await expect(queue.discard('x3')).rejects.toMatchObject({ code: 'jobs.not_found' });
    });

    it('refuses to discard a running job', async () => {
      const queue = makeQueue();
      let release = () => {};
      queue.process('test:busy', { concurrency: 1 }, () => new Promise<void>((resolve) => (release = resolve)));
      await queue.add('test:busy', null, { jobKey: 'b1' });
      await until(async () => expect(await queue.list('active', 10)).toMatchObject([{ key: 'b1', state: 'active' }]));
      await expect(queue.discard('b1')).rejects.toMatchObject({ code: 'jobs.job_active', status: 409 });
      release();
    });

    it('close waits for running handlers, then refuses new jobs', async () => {
      const queue = makeQueue();
      let started = false;
      let finished = false;
      queue.process('test:close', { concurrency: 1 }, async () => {
        started = true;
        await sleep(300);
        finished = true;
      });
      await queue.add('test:close', null, { jobKey: 'z1' });
      await until(() => expect(started).toBe(true));
      await queue.close();
      expect(finished).toBe(true);
      await expect(queue.add('test:close', null, { jobKey: 'z2' })).rejects.toMatchObject({ code: 'jobs.queue_closed' });
    });

    it('rejects bad options at add', async () => {
      const queue = makeQueue();
      await expect(queue.add('test:bad', null, { jobKey: '' })).rejects.toMatchObject({ code: 'jobs.invalid_options' });
      await expect(queue.add('test:bad', null, { jobKey: 'k', attempts: 0 })).rejects.toMatchObject({ code: 'jobs.invalid_options' });
      await expect(queue.add('bad name', null, { jobKey: 'k' })).rejects.toMatchObject({ code: 'jobs.invalid_options' });
      expect(() => queue.process('test:bad', { concurrency: 0 }, async () => {})).toThrow(/concurrency/);
    });
  });
}
