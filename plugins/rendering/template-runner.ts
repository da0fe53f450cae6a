// Runs templates (Liquid layouts and Word files) in one long-lived worker thread (template-worker.ts) with a memory
// cap, one at a time: a render that outlives its timeout has the thread terminated (a fresh one starts for the next
// render) and is a 422, as are a template error, a variable its data does not have and a hit limit. Nothing is
// stored for a failed render.
import { Worker } from 'node:worker_threads';
import { PluginRejection } from '../../engine/src/plugins/plugin-api.js';
import type { TemplateAnswer, TemplateJob } from './template-worker.js';

/** A job as callers give it; the runner numbers it. */
type Job = Omit<Extract<TemplateJob, { kind: 'liquid' }>, 'id'> | Omit<Extract<TemplateJob, { kind: 'word' }>, 'id'>;
type Done = Exclude<TemplateAnswer, { error: string }>;

export interface TemplateRunnerOptions {
  /** The whole render, wall clock, including a thread start. */
  readonly timeoutMs: number;
  /** Liquid's own render-time limit (below the timeout, so most runaway templates end with a clear reason). */
  readonly renderLimitMs: number;
  readonly maxHeapMb: number;
}

const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => {
  tsx.register();
  return import(${JSON.stringify(new URL('./template-worker.ts', import.meta.url).href)});
})`;

export const DEFAULT_RUNNER_OPTIONS: TemplateRunnerOptions = { timeoutMs: 10_000, renderLimitMs: 3_000, maxHeapMb: 128 };

export class TemplateRunner {
  private worker: Worker | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TemplateRunnerOptions = DEFAULT_RUNNER_OPTIONS) {}

  /** The HTML the Liquid `template` makes of `data`; renders queue behind each other. */
  async render(template: string, data: Record<string, unknown>): Promise<string> {
    const done = await this.enqueue({ kind: 'liquid', template, data, renderLimitMs: this.options.renderLimitMs });
    if (!('html' in done)) throw new Error('the template worker answered a Liquid render with no HTML');
    return done.html;
  }

  /** The .docx the Word `template` makes of `data` (word-fill.ts), in the same queue and under the same limits. */
  async fillWord(template: Uint8Array, data: Record<string, unknown>): Promise<Buffer> {
    const done = await this.enqueue({ kind: 'word', template, data });
    if (!('docx' in done)) throw new Error('the template worker answered a Word fill with no document');
    return Buffer.from(done.docx.buffer, done.docx.byteOffset, done.docx.byteLength);
  }

  private enqueue(job: Job): Promise<Done> {
    const run = this.queue.then(() => this.runNow(job));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private thread(): Worker {
    if (!this.worker) {
      // The worker is TypeScript like the rest of the plugin: its thread registers tsx's loader, then imports it
      // (a worker's execArgv loader does not apply to its own entry file on Node 20).
      const worker = new Worker(WORKER_BOOT, {
        eval: true,
        resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb },
      });
      worker.unref();
      worker.on('error', () => undefined);
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = undefined;
      });
      this.worker = worker;
    }
    return this.worker;
  }

  private runNow(job: Job): Promise<Done> {
    const worker = this.thread();
    const id = this.nextId++;
    const what = job.kind === 'word' ? 'the Word template' : 'the template';
    return new Promise<Done>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      const onMessage = (answer: TemplateAnswer): void => {
        if (answer.id !== id) return;
        done();
        if (!('error' in answer)) resolve(answer);
        else
          reject(
            new PluginRejection(
              answer.kind === 'limit' ? `${what} went past a rendering limit: ${answer.error}` : `${what} cannot render: ${answer.error}`,
              '/template',
              answer.kind === 'limit' ? 'rendering.limit' : 'rendering.template_failed',
            ),
          );
      };
      const onExit = (): void => {
        done();
        reject(new PluginRejection(`${what} ran out of memory while rendering`, '/template', 'rendering.limit'));
      };
      const timer = setTimeout(() => {
        done();
        void this.close();
        reject(new PluginRejection(`${what} did not finish within ${this.options.timeoutMs} ms`, '/template', 'rendering.timeout'));
      }, this.options.timeoutMs);
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ ...job, id } satisfies TemplateJob);
    });
  }
}
