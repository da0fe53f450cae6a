// Global search in the OpenAPI document (api/search.routes.ts).
import { envelope, problem, type Doc } from './openapi-parts.js';
import { SEARCH_LIMIT_MAX, SEARCH_TEXT_MAX } from './search.routes.js';

const GROUP = {
  type: 'object',
  required: ['entity', 'label', 'records'],
  properties: {
    entity: { type: 'string' },
    label: { type: 'string' },
    records: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title'],
        properties: { id: { type: 'string', format: 'uuid' }, title: { type: ['string', 'null'] } },
      },
    },
  },
};

export function searchPaths(): Doc {
  return {
    '/api/v1/search': {
      get: {
        tags: ['me'],
        summary: 'Find records of every entity you may read by their search fields (Chinese by characters, other words by prefix)',
        operationId: 'search',
        parameters: [
          { name: 'q', in: 'query', required: true, schema: { type: 'string', maxLength: SEARCH_TEXT_MAX } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: SEARCH_LIMIT_MAX, default: 5 } },
          { name: 'entities', in: 'query', required: false, description: 'Comma-separated entity names', schema: { type: 'string' } },
          { name: 'locale', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: {
          200: { description: 'Best matches first, per entity with any', content: envelope({ type: 'array', items: GROUP }) },
          400: problem('Text too long or a bad limit'),
          401: problem('Not signed in'),
        },
      },
    },
  };
}
