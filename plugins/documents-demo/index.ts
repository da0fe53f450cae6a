// The documents pack's demo access (issue #25): documents are rendered, uploaded and signed by people, so the demo
// writes only one record of its own — a contract template with a Word file (demo-word-template.ts), so a newcomer
// sees a Word template to render with — but the CRM demo roles get the repository and signing records at the scope
// they have over contracts, and the actions that render and send for signature, so a fresh `npm start` can do both
// as a rep. Required by metadata/packs/documents; runs after the contracts demo (its Model order).
import type { PluginHost, SeedContext, SeedOutcome, TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { ROLE_GRANTS, type EntityGrant } from '../contracts-demo/roles.js';
import { DEFAULT_LAYOUTS } from '../rendering/default-layouts.js';
import { CONTENT_TYPES } from '../rendering/renditions.js';
import { MAX_WORD_TEMPLATE_BYTES } from '../rendering/word-templates.js';
import { demoWordTemplate } from './demo-word-template.js';

/** Controlled by a contract the role reaches (owned, or through their parent record). */
const SCOPED = ['contract_document', 'contract_document_version', 'signing_request', 'signing_signer', 'signing_event'];
/** Read whatever the scope: the templates. */
const REFERENCE = ['render_template'];
/**
 * Rendered files are owned by whoever rendered them: read at the role's scope (their own, their team's, ...), and
 * created by whoever may work records (the rendering plugin refuses any write that is not its own, so the grant opens
 * no other way in).
 */
const RENDERED = 'render_document';
const ACTIONS: Record<string, readonly string[]> = {
  contract_document: ['check_out', 'check_in'],
  contract: ['render', 'request_signatures'],
  quote: ['render'],
  sales_order: ['render'],
  invoice: ['render'],
  signing_request: ['verify'],
};

/** A fixed id: the one demo template is the same record in every seeded database. */
const DEMO_TEMPLATE_ID = '019ae000-0000-7000-8000-00000000d0c1';

/** The demo's contract template: the built-in layout for PDF, the demo Word file for Word. */
async function seedWordTemplate(ctx: SeedContext, blobs: PluginHost['blobs']): Promise<number> {
  let blob: { sha256: string; size: number };
  try {
    blob = await blobs.put(demoWordTemplate(), { maxBytes: MAX_WORD_TEMPLATE_BYTES });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'storage.unavailable') throw err;
    // `tessera seed` sets plugins up without the engine's file storage (the engine's first start has it).
    ctx.log.warn(
      "the demo Word template is left out: `tessera seed` opens no file storage. Upload a .docx as a contract template's word_template to try Word templates",
    );
    return 0;
  }
  const file = { sha256: blob.sha256, name: 'standard-contract.docx', size: blob.size, contentType: CONTENT_TYPES.docx };
  return ctx.db.execute(
    `INSERT INTO render_template (id, name, target, body, active, word_template) VALUES ($1, $2, 'contract', $3, true, $4::jsonb)
     ON CONFLICT (id) DO NOTHING`,
    [DEMO_TEMPLATE_ID, '标准合同（PDF 与 Word）Standard contract', DEFAULT_LAYOUTS.contract, JSON.stringify(file)],
  );
}

async function grantDocuments(ctx: SeedContext): Promise<Readonly<Record<string, number>>> {
  let roles = 0;
  for (const r of ROLE_GRANTS) {
    const [row] = await ctx.db.query<{ grants: { entities?: Record<string, EntityGrant> } }>(
      `SELECT grants FROM role WHERE code = $1 AND deleted_at IS NULL`,
      [r.code],
    );
    if (!row) continue;
    const entities = { ...(row.grants.entities ?? {}) };
    const writes = r.actions.includes('update');
    for (const e of SCOPED) entities[e] = { actions: [...r.actions, ...(writes ? (ACTIONS[e] ?? []) : [])], scope: r.scope };
    for (const e of REFERENCE) entities[e] = { actions: ['read'], scope: 'all' };
    entities[RENDERED] = { actions: ['read', ...(writes ? ['create'] : [])], scope: r.scope };
    // The pack's actions on records the role already works: added to what it has there.
    for (const [e, actions] of Object.entries(ACTIONS)) {
      const current = entities[e];
      if (current && writes && !SCOPED.includes(e)) entities[e] = { ...current, actions: [...new Set([...current.actions, ...actions])] };
    }
    await ctx.db.execute(`UPDATE role SET grants = $2 WHERE code = $1 AND deleted_at IS NULL`, [
      r.code,
      JSON.stringify({ ...row.grants, entities }),
    ]);
    roles++;
  }
  if (roles === 0)
    throw new Error('the documents demo access extends the CRM demo roles: run `tessera seed crm` and `tessera seed contracts` first');
  return { role: roles };
}

const plugin: TesseraPlugin = {
  name: 'documents-demo',
  version: '0.1.0',
  setup(host) {
    host.seeder({
      pack: 'documents',
      sizes: ['small', 'large'],
      run: async (ctx): Promise<SeedOutcome> => {
        const counts = await grantDocuments(ctx);
        return { counts: { ...counts, render_template: await seedWordTemplate(ctx, host.blobs) }, logins: [] };
      },
    });
  },
};

export default plugin;
