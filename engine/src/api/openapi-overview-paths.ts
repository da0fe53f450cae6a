// The OpenAPI description of GET /api/v1/<entity>/{id}/overviews/<name> (record overviews, overview.schema.json),
// for readers of the entity. Called by openapi-document.ts.
import type { OverviewDef } from '../metadata/ui-model.js';
import type { Doc } from './openapi-parts.js';
import { envelope, problem } from './openapi-parts.js';

const SECTION: Doc = {
  type: 'object',
  required: ['entity', 'records', 'count', 'totals'],
  properties: {
    entity: { type: 'string' },
    records: { type: 'array', items: { type: 'object', additionalProperties: true } },
    count: { type: 'integer', description: 'Every matching record you may read (records holds the first `limit`).' },
    totals: { type: 'object', additionalProperties: { type: ['string', 'null'] }, description: 'Exact decimal sums, by field.' },
  },
};

export function overviewPaths(overview: OverviewDef, idParam: Doc, pascalName: string, readable: (entity: string) => boolean): Doc {
  const sections = overview.sections.filter((s) => readable(s.entity));
  return {
    [`/api/v1/${overview.entity}/{id}/overviews/${overview.name}`]: {
      parameters: [idParam],
      get: {
        tags: [overview.entity],
        summary: `${overview.label.en}: the record and the records about it, in one read`,
        description: 'Each section is listed and summed in your record scope; a section of an entity you may not read is left out.',
        operationId: `overview${pascalName}${overview.name.replace(/(^|_)([a-z])/g, (_m, _u: string, c: string) => c.toUpperCase())}`,
        responses: {
          200: {
            description: 'The record and its sections',
            content: envelope({
              type: 'object',
              properties: {
                record: { type: 'object', additionalProperties: true },
                sections: { type: 'object', properties: Object.fromEntries(sections.map((s) => [s.name, SECTION])) },
              },
            }),
          },
          403: problem('No read permission'),
          404: problem('No such record, or outside your scope'),
        },
      },
    },
  };
}
