// The worker thread templates run in (started by template-runner.ts): a template never runs on the engine's event
// loop, so one that takes too long is stopped by terminating this thread. Two kinds of job:
// - Liquid (PDF layouts): Liquid itself executes no code; here it also reads no files (an empty in-memory template
//   map for include/render/layout), sees only its own data's own properties, escapes every output as HTML, and stops
//   at parse, render-time and memory limits.
// - Word (.docx templates): filled by word-fill.ts (docxtemplater's default parser: own properties by name, no code).
import { parentPort } from 'node:worker_threads';
import { Liquid } from 'liquidjs';
import { fillWordTemplate, WordTemplateError } from './word-fill.js';

export type TemplateJob =
  | {
      readonly id: number;
      readonly kind: 'liquid';
      readonly template: string;
      readonly data: Record<string, unknown>;
      readonly renderLimitMs: number;
    }
  | { readonly id: number; readonly kind: 'word'; readonly template: Uint8Array; readonly data: Record<string, unknown> };

export type TemplateAnswer =
  | { readonly id: number; readonly html: string }
  | { readonly id: number; readonly docx: Uint8Array }
  | { readonly id: number; readonly error: string; readonly kind: 'template' | 'limit' };

const LIMIT_ERRORS = new Set(['RenderLimitError', 'MemoryLimitError', 'ParseLimitError']);

function engineFor(renderLimitMs: number): Liquid {
  return new Liquid({
    templates: {},
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    outputEscape: 'escape',
    parseLimit: 2_000_000,
    renderLimit: renderLimitMs,
    memoryLimit: 64_000_000,
  });
}

function liquidFailure(id: number, err: unknown): TemplateAnswer {
  const e = err as { name?: string; message?: string; originalError?: { name?: string } };
  const isLimit = LIMIT_ERRORS.has(e.name ?? '') || LIMIT_ERRORS.has(e.originalError?.name ?? '') || /limit exceeded/.test(e.message ?? '');
  return { id, error: String(e.message ?? err), kind: isLimit ? 'limit' : 'template' };
}

function fillWord(id: number, template: Uint8Array, data: Record<string, unknown>): TemplateAnswer {
  try {
    return { id, docx: fillWordTemplate(template, data) };
  } catch (err) {
    // Anything else docxtemplater or pizzip throws is about the file too (they read nothing but it).
    return { id, error: err instanceof WordTemplateError ? err.message : String((err as Error).message ?? err), kind: 'template' };
  }
}

const port = parentPort;
if (port) {
  port.on('message', (job: TemplateJob) => {
    if (job.kind === 'word') {
      port.postMessage(fillWord(job.id, job.template, job.data));
      return;
    }
    void engineFor(job.renderLimitMs)
      .parseAndRender(job.template, job.data)
      .then(
        (html: string) => port.postMessage({ id: job.id, html } satisfies TemplateAnswer),
        (err: unknown) => port.postMessage(liquidFailure(job.id, err)),
      );
  });
}
