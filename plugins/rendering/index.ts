// Documents rendered from records: contracts, quotes, sales orders and invoices to PDF (Liquid layouts in a worker
// thread, printed by Chromium), Word (a template's .docx filled in the same worker, or a built-in layout) and Excel;
// invoices in batches to one PDF. Every rendered file is stored in the
// blob store and recorded as a render_document (hash, size, record, contract version, who, when), and downloaded
// with the caller's record access applied. Required by metadata/packs/documents; the esign plugin signs its PDFs.
import Router from '@koa/router';
import { PluginRejection, type PluginDb, type PluginHost, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { RENDER_TARGETS, type RenderTarget } from './merge-data.js';
import { Renderer } from './renderer.js';
import { CONTENT_TYPES, guardRenditions, storeRendition, type RenderFormat } from './renditions.js';
import { guardWordTemplates } from './word-templates.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A batch prints in one Chromium page: enough for a month's run of one customer group, not a whole ledger. */
const MAX_BATCH = 200;

const FORMATS: Readonly<Record<RenderTarget, readonly RenderFormat[]>> = {
  contract: ['pdf', 'docx', 'xlsx'],
  quote: ['pdf', 'xlsx'],
  sales_order: ['pdf', 'xlsx'],
  invoice: ['pdf'],
};

function registerRenderActions(host: PluginHost, renderer: Renderer): void {
  for (const target of RENDER_TARGETS) {
    host.action({
      entity: target,
      name: 'render',
      label: { en: 'Export (PDF, Word, Excel)', 'zh-CN': '导出（PDF、Word、Excel）' },
      input: {
        type: 'object',
        additionalProperties: false,
        properties: {
          format: { type: 'string', enum: [...FORMATS[target]], default: 'pdf' },
          template: { type: 'string', format: 'uuid' },
        },
      },
      async run({ id, input, db, records }) {
        const format = (input.format ?? 'pdf') as RenderFormat;
        const template = typeof input.template === 'string' ? input.template : undefined;
        const out = await renderer.render(db, target, id, format, template);
        const version = target === 'contract' ? Number(out.data.record.current_version ?? 0) : undefined;
        return storeRendition(host, records, out.bytes, {
          target,
          format,
          fileName: out.fileName,
          recordId: id,
          ...(target === 'contract' ? { contract: id, contractVersion: version } : {}),
          ...(template ? { template } : {}),
        });
      },
    });
  }
}

function registerRoutes(host: PluginHost, renderer: Renderer): void {
  const router = new Router();
  const db: PluginDb = { query: (sql, params) => host.work.query(sql, params) };
  // The file of a rendered document, streamed, for whoever may read the document and the record it was made from.
  router.get('/documents/:id/file', async (ctx) => {
    if (!UUID.test(ctx.params.id ?? '')) throw new PluginRejection('no such document', '', 'rendering.no_document', 404);
    const doc = await host.work.readAs(ctx.state, 'render_document', ctx.params.id as string);
    if (typeof doc.record_id === 'string') await host.work.readAs(ctx.state, String(doc.target), doc.record_id);
    ctx.set('Content-Type', CONTENT_TYPES[doc.format as RenderFormat]);
    ctx.set('Content-Disposition', `attachment; filename="${String(doc.file_name)}"`);
    ctx.set('X-Content-SHA256', String(doc.sha256));
    ctx.body = await host.blobs.open(String(doc.sha256));
  });
  // Invoices in a batch: one PDF, each invoice from a new page, every invoice read with the caller's access.
  router.post('/invoices/batch', async (ctx) => {
    const body = (ctx.request as { body?: { invoices?: unknown; template?: unknown } }).body ?? {};
    const ids = body.invoices;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_BATCH || !ids.every((i) => typeof i === 'string' && UUID.test(i)))
      throw new PluginRejection(`invoices is a list of 1 to ${MAX_BATCH} invoice ids`, '/invoices', 'rendering.bad_batch');
    const template = typeof body.template === 'string' ? body.template : undefined;
    if (body.template !== undefined && !(template && UUID.test(template)))
      throw new PluginRejection('template is a document template id', '/template', 'rendering.no_template');
    for (const id of ids as string[]) await host.work.readAs(ctx.state, 'invoice', id);
    const bytes = await renderer.renderBatch(db, 'invoice', ids as string[], template);
    const state = ctx.state as { actor?: { id?: string | null } };
    const stored = await host.work.transaction(({ records }) =>
      storeRendition(host, records, bytes, {
        target: 'invoice',
        format: 'pdf',
        fileName: `invoices-${new Date().toISOString().slice(0, 10)}-${ids.length}.pdf`,
        records: ids as string[],
        renderedBy: state.actor?.id ?? null,
        ...(template ? { template } : {}),
      }),
    );
    ctx.status = 201;
    ctx.body = { data: stored };
  });
  host.routes(router);
}

const plugin: TesseraPlugin = {
  name: 'rendering',
  version: '0.1.0',
  requires: ['contracts'],
  setup(host) {
    const renderer = new Renderer(host.settings.chromiumPath, host.blobs);
    host.onClose(() => renderer.close());
    guardRenditions(host);
    guardWordTemplates(host, (target) => RENDER_TARGETS.some((t) => t === target && FORMATS[t].includes('docx')));
    // Rendered files are kept by their record's hash, so blob garbage collection keeps them.
    host.blobKeys({ entity: 'render_document', fields: ['sha256'] });
    registerRenderActions(host, renderer);
    registerRoutes(host, renderer);
  },
};

export default plugin;
