// The Word file a document template may carry (render_template.word_template, uploaded through the engine's file
// route): kept sensible when it is written — a .docx, within the size cap, on a template for records that export
// to Word — and read back, under the same cap, for the renderer to fill in the template worker.
import type { PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { PluginRejection } from '../../engine/src/plugins/plugin-api.js';
import { CONTENT_TYPES } from './renditions.js';

/** A Word template is text and styles (and perhaps a logo): 5 MB is generous, and bounds what the worker unpacks. */
export const MAX_WORD_TEMPLATE_BYTES = 5 * 1024 * 1024;

/** A stored file as a `file` field holds it. */
export interface WordTemplateRef {
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
}

const isRef = (v: unknown): v is WordTemplateRef =>
  v !== null &&
  typeof v === 'object' &&
  typeof (v as WordTemplateRef).sha256 === 'string' &&
  typeof (v as WordTemplateRef).size === 'number';

/** Refuses a Word file that is not a .docx, is too large, or sits on a template whose records have no Word export. */
export function guardWordTemplates(host: PluginHost, hasWordOutput: (target: string) => boolean): void {
  const check = ({ changes, before }: { changes: Record<string, unknown>; before?: Record<string, unknown> }): void => {
    const file = 'word_template' in changes ? changes.word_template : before?.word_template;
    if (file === null || file === undefined) return;
    if (!isRef(file)) throw new PluginRejection('word_template is a stored file', '/word_template', 'rendering.bad_word_template');
    if (file.contentType !== CONTENT_TYPES.docx)
      throw new PluginRejection(
        `a Word template is a .docx file, not ${file.contentType}`,
        '/word_template',
        'rendering.bad_word_template',
      );
    if (file.size > MAX_WORD_TEMPLATE_BYTES)
      throw new PluginRejection(
        `a Word template is at most ${MAX_WORD_TEMPLATE_BYTES} bytes; this one is ${file.size}`,
        '/word_template',
        'rendering.template_too_large',
      );
    const target = String(changes.target ?? before?.target ?? '');
    if (!hasWordOutput(target))
      throw new PluginRejection(
        `${target} records do not export to Word, so their templates take no Word file`,
        '/word_template',
        'rendering.no_word_output',
      );
  };
  host.before('record.beforeCreate', check, { entities: ['render_template'] });
  host.before('record.beforeUpdate', check, { entities: ['render_template'] });
}

/** The template file's bytes, read whole (it is small, and the worker needs all of it). */
export async function readWordTemplate(blobs: PluginHost['blobs'], file: unknown): Promise<Buffer> {
  if (!isRef(file)) throw new PluginRejection('the Word template file is not readable', '/template', 'rendering.template_failed');
  if (file.size > MAX_WORD_TEMPLATE_BYTES)
    throw new PluginRejection(
      `a Word template is at most ${MAX_WORD_TEMPLATE_BYTES} bytes; this one is ${file.size}`,
      '/template',
      'rendering.template_too_large',
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await blobs.open(file.sha256)) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_WORD_TEMPLATE_BYTES)
      throw new PluginRejection(`a Word template is at most ${MAX_WORD_TEMPLATE_BYTES} bytes`, '/template', 'rendering.template_too_large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
