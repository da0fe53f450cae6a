// OpenAPI paths of public forms (served by public-form.routes.ts): issuing a link to a record's form, for callers who
// may update the entity, and reading and submitting a form by its link, which needs no token. Called by
// openapi-document.ts.
import type { EntityDef } from '../metadata/model.js';
import { envelope, json, problem, type Doc } from './openapi-parts.js';

const tokenParam = { name: 'token', in: 'path', required: true, schema: { type: 'string' } };

/** `P` is the entity's name in PascalCase, as the document's other operation ids use it. */
export function publicLinkPaths(e: EntityDef, P: string): Doc {
  const forms = (e.publicForms ?? []).map((f) => f.name);
  if (forms.length === 0) return {};
  return {
    [`/api/v1/${e.name}/{id}/public-links/{form}`]: {
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        { name: 'form', in: 'path', required: true, schema: { type: 'string', enum: forms } },
      ],
      post: {
        tags: [e.name],
        summary: `A link to one of the ${e.label.en}'s public forms, for someone without an account (the token is shown once)`,
        operationId: `issuePublicLink${P}`,
        responses: {
          201: {
            description: 'Issued',
            content: envelope({
              type: 'object',
              properties: { token: { type: 'string' }, path: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
            }),
          },
          403: problem('May not update the record'),
          404: problem('No such record or form'),
          409: problem('The form does not apply to the record now (public_form.not_now)'),
        },
      },
    },
  };
}

export function publicFormPaths(): Doc {
  const gone = problem('No such link, or expired, or used (public_form.link_invalid)');
  return {
    '/api/public/forms/{token}': {
      parameters: [tokenParam],
      get: {
        tags: ['public forms'],
        summary: 'The form a link opens: the record’s title, the fields asked for and their values now (no token needed)',
        operationId: 'openPublicForm',
        security: [],
        parameters: [{ name: 'locale', in: 'query', required: false, schema: { type: 'string', enum: ['en', 'zh-CN'] } }],
        responses: { 200: { description: 'The form', content: envelope({ type: 'object' }) }, 404: gone },
      },
      post: {
        tags: ['public forms'],
        summary: 'Submit the form: its fields are written to the record, as the user who issued the link (no token needed)',
        operationId: 'submitPublicForm',
        security: [],
        requestBody: { required: true, content: json({ type: 'object' }) },
        responses: {
          200: { description: 'Submitted', content: envelope({ type: 'object', properties: { submitted: { type: 'boolean' } } }) },
          404: gone,
          422: problem('Invalid values'),
        },
      },
    },
  };
}
