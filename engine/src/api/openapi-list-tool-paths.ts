// The list tools' routes in the OpenAPI document: an entity's batch changes (api/batch-records.ts) and every user's
// saved views (api/saved-view.routes.ts).
import { MAX_BATCH } from './batch-records.js';
import { envelope, json, problem, ref, type Doc } from './openapi-parts.js';

export const LIST_TOOL_SCHEMAS: Doc = {
  BatchOutcome: {
    type: 'object',
    required: ['id', 'ok'],
    properties: {
      id: { type: 'string' },
      ok: { type: 'boolean' },
      version: { type: ['integer', 'null'], description: 'The record version after an update (absent when refused)' },
      status: { type: 'integer', description: 'When refused: the status a single write would have answered' },
      code: { type: 'string' },
      detail: { type: 'string' },
      errors: { type: 'array', items: { type: 'object' } },
    },
  },
  SavedView: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      entity: { type: 'string' },
      name: { type: 'string', maxLength: 80 },
      columns: { type: 'array', items: { type: 'string' } },
      sort: { type: 'array', items: { type: 'string' } },
      filter: { description: 'JSON Logic as the list API takes it, or null' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
};

/** `POST /api/v1/<entity>/batch`, for a caller who may update or delete the entity's records. */
export function batchPath(entity: string, pascal: string, pluralLabel: string, may: { update: boolean; delete: boolean }): Doc {
  return {
    post: {
      tags: [entity],
      summary: `Update or delete up to ${MAX_BATCH} ${pluralLabel}, each on its own`,
      description:
        'Each record goes through the write pipeline in its own transaction, at the version it has now: one refusal (its rules, state machine, scope) leaves the others done. The answer holds every record’s outcome.',
      operationId: `batch${pascal}`,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['ids', 'action'],
          properties: {
            ids: { type: 'array', minItems: 1, maxItems: MAX_BATCH, uniqueItems: true, items: { type: 'string', format: 'uuid' } },
            action: { enum: [...(may.update ? ['update'] : []), ...(may.delete ? ['delete'] : [])] },
            ...(may.update ? { changes: ref(`${pascal}Update`) } : {}),
          },
        }),
      },
      responses: {
        200: { description: 'Each record’s outcome', content: envelope({ type: 'array', items: ref('BatchOutcome') }) },
        422: problem('Invalid request'),
      },
    },
  };
}

export function savedViewPaths(): Doc {
  return {
    '/api/v1/me/views': {
      get: {
        tags: ['me'],
        summary: 'Your saved list views (of one entity with ?entity=)',
        operationId: 'listSavedViews',
        parameters: [{ name: 'entity', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { 200: { description: 'Saved views', content: envelope({ type: 'array', items: ref('SavedView') }) } },
      },
      post: {
        tags: ['me'],
        summary: 'Save a list view (columns, sort, filter) for yourself',
        operationId: 'createSavedView',
        requestBody: { required: true, content: json(ref('SavedView')) },
        responses: {
          201: { description: 'Saved', content: envelope(ref('SavedView')) },
          409: problem('You already have a view of this name'),
          422: problem('Unknown entity, field or filter'),
        },
      },
    },
    '/api/v1/me/views/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      delete: {
        tags: ['me'],
        summary: 'Delete one of your saved views',
        operationId: 'deleteSavedView',
        responses: { 204: { description: 'Deleted' }, 404: problem('Not a view of yours') },
      },
    },
  };
}
