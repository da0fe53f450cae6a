// Public forms over HTTP (workflow/public-links.ts). Signed-in users issue links: POST
// /api/v1/<entity>/<id>/public-links/<form>. Whoever holds a link reads and submits its form without an account:
// GET and POST /api/public/forms/<token>, mounted before authentication.
import Router from '@koa/router';
import { EngineError } from '../shared/engine-error.js';
import { kindOf } from '../metadata/field-kinds.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { PublicLinks } from '../workflow/public-links.js';
import type { ApiState } from './api-state.js';
import { pickLocale } from './pick-locale.js';
import { parseRecordId } from './record-id.js';

const text = (label: Readonly<Record<string, string>> | undefined, locale: string) => (label ? (label[locale] ?? label.en) : undefined);

/** The routes that need no account: read a form, submit it. */
export function publicFormRoutes(links: PublicLinks, runtime: () => ModelRuntime): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/public/forms' });
  router.get('/:token', async (ctx) => {
    const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
    const opened = await links.open(ctx.params.token ?? '');
    const rt = runtime().entity(opened.entity);
    const def = opened.form.def;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      data: {
        entity: { name: opened.entity, label: text(rt.entity.label, locale) },
        title: opened.title,
        form: { name: def.name, label: text(def.label, locale), description: text(def.description, locale) ?? null },
        fields: def.fields.map((name) => {
          const field = rt.entity.fields.find((f) => f.name === name);
          if (!field) throw new EngineError('public_form.unknown_field', 500, `${opened.entity} has no field '${name}'`);
          return {
            name,
            label: text(field.label, locale),
            kind: field.kind,
            required: (def.required ?? []).includes(name),
            schema: kindOf(runtime().kinds, field).valueSchema(field),
            ...(field.values ? { options: field.values.map((v) => ({ value: v.value, label: text(v.label, locale) })) } : {}),
          };
        }),
        values: opened.values,
        expiresAt: opened.expiresAt,
      },
    };
  });
  router.post('/:token', async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    if (!ctx.is('application/json') || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new EngineError('request.invalid_body', 400, 'send the form as a JSON object of field values');
    }
    await links.submit(ctx.params.token ?? '', body as Record<string, unknown>, ctx.state.requestId);
    ctx.body = { data: { submitted: true } };
  });
  return router;
}

/** The route that issues links, for signed-in users who may update the record. */
export function publicLinkRoutes(links: PublicLinks): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1' });
  router.post('/:entity/:id/public-links/:form', async (ctx) => {
    const entity = ctx.params.entity ?? '';
    const id = parseRecordId(ctx.params.id, entity);
    const issued = await links.issue(ctx.state, entity, id, ctx.params.form ?? '');
    ctx.status = 201;
    // The runtime UI serves the form at this path.
    ctx.body = { data: { ...issued, path: `/f/${issued.token}` } };
  });
  return router;
}
