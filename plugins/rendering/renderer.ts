// One record (or a batch) to file bytes: the merge data read, the Liquid layout (a render_template the caller
// chose, or the target's default) rendered in the template worker, then printed by Chromium for PDF; Word is the
// chosen template's Word file filled in the same worker, or the built-in layout when there is none; Excel is built
// from the same merge data. Holds the worker and the browser the process reuses.
import { PluginRejection, type PluginDb, type PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { DEFAULT_LAYOUTS } from './default-layouts.js';
import { renderDocx } from './docx-export.js';
import { fileNameFor } from './line-columns.js';
import { readMergeData, type MergeData, type RenderTarget } from './merge-data.js';
import { PdfPrinter } from './pdf-printer.js';
import type { RenderFormat } from './renditions.js';
import { TemplateRunner } from './template-runner.js';
import { readWordTemplate } from './word-templates.js';
import { renderXlsx } from './xlsx-export.js';

export interface Rendered {
  readonly bytes: Buffer;
  readonly fileName: string;
  readonly data: MergeData;
}

/** HTML beyond this would take Chromium minutes to lay out: a 200-page contract is well under 2 MB. */
const MAX_HTML_CHARS = 8_000_000;

/** Pages of a batch break between records; one Chromium print for all of them. */
const PAGE_BREAK = '<div style="page-break-after: always"></div>';

/** A document template as rendering reads it. */
interface TemplateRow extends Record<string, unknown> {
  readonly body: string;
  readonly target: string;
  readonly active: boolean;
  readonly word_template: unknown;
}

export class Renderer {
  readonly templates: TemplateRunner;
  readonly printer: PdfPrinter;

  constructor(
    chromiumPath: string,
    private readonly blobs: PluginHost['blobs'],
    templates = new TemplateRunner(),
  ) {
    this.templates = templates;
    this.printer = new PdfPrinter(chromiumPath);
  }

  async render(db: PluginDb, target: RenderTarget, id: string, format: RenderFormat, templateId?: string): Promise<Rendered> {
    const data = await readMergeData(db, target, id);
    const fileName = fileNameFor(target, data.record, format);
    if (format === 'docx') return { bytes: await this.word(db, target, templateId, data), fileName, data };
    if (format === 'xlsx') return { bytes: await renderXlsx(target, data), fileName, data };
    const layout = await this.layout(db, target, templateId);
    const html = checkSize(await this.templates.render(layout, data));
    return { bytes: await this.printer.print(html), fileName, data };
  }

  /** Several records of one target in one PDF, each starting on a new page. */
  async renderBatch(db: PluginDb, target: RenderTarget, ids: readonly string[], templateId?: string): Promise<Buffer> {
    const layout = await this.layout(db, target, templateId);
    const pages: string[] = [];
    for (const id of ids) pages.push(bodyOf(await this.templates.render(layout, await readMergeData(db, target, id))));
    checkSize(pages.join(''));
    return this.printer.print(
      `<!doctype html><html><head><meta charset="utf-8">${headOf(layout)}</head><body>${pages.join(PAGE_BREAK)}</body></html>`,
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.templates.close(), this.printer.close()]);
  }

  private async layout(db: PluginDb, target: RenderTarget, templateId: string | undefined): Promise<string> {
    if (templateId === undefined) return DEFAULT_LAYOUTS[target];
    return (await this.template(db, target, templateId)).body;
  }

  /** The template's Word file filled, or the built-in Word layout when no template (or one without a Word file) is chosen. */
  private async word(db: PluginDb, target: RenderTarget, templateId: string | undefined, data: MergeData): Promise<Buffer> {
    const file = templateId === undefined ? null : (await this.template(db, target, templateId)).word_template;
    if (file === null || file === undefined) return renderDocx(target, data);
    return this.templates.fillWord(await readWordTemplate(this.blobs, file), data);
  }

  private async template(db: PluginDb, target: RenderTarget, templateId: string): Promise<TemplateRow> {
    const [row] = await db.query<TemplateRow>(
      'SELECT body, target::text AS target, active, word_template FROM render_template WHERE id = $1 AND deleted_at IS NULL',
      [templateId],
    );
    if (!row) throw new PluginRejection('no such document template', '/template', 'rendering.no_template');
    if (row.target !== target)
      throw new PluginRejection(`this template is for ${row.target} records, not ${target}`, '/template', 'rendering.wrong_template');
    if (row.active !== true) throw new PluginRejection('this template is not in use', '/template', 'rendering.template_inactive');
    return row;
  }
}

function checkSize(html: string): string {
  if (html.length > MAX_HTML_CHARS)
    throw new PluginRejection(
      `the template made ${html.length} characters of HTML; at most ${MAX_HTML_CHARS} are printed`,
      '/template',
      'rendering.too_large',
    );
  return html;
}

/** The <body> of a rendered page (the whole page when it has none), for a batch's one document. */
function bodyOf(html: string): string {
  const m = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html);
  return m?.[1] ?? html;
}

/** A layout's <style> blocks: a batch keeps the look of its layout. */
function headOf(layout: string): string {
  return (layout.match(/<style[\s\S]*?<\/style>/gi) ?? []).join('');
}
