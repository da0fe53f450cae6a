// The OpenAPI description of GET /api/v1/<entity>/aggregate, for readers of the entity: the path per entity refers to
// parameters and a result schema described once in the components. Called by openapi-document.ts.
import { AGGREGATE_FUNCTIONS, GRANULARITIES } from '../data/aggregate-plan.js';
import type { Doc } from './openapi-parts.js';
import { envelope, problem, ref } from './openapi-parts.js';
import { DEFAULT_AGGREGATE_ROWS, MAX_AGGREGATE_ROWS, MAX_GROUPS, MAX_MEASURES } from './aggregate-query-params.js';

const param = (name: string, description: string, schema: Doc): Doc => ({ name, in: 'query', required: false, description, schema });
const paramRef = (name: string): Doc => ({ $ref: `#/components/parameters/${name}` });

/** Components the aggregate paths refer to; `filter` is the list's filter parameter. */
export function aggregateComponents(filter: Doc): { parameters: Record<string, Doc>; schemas: Record<string, Doc> } {
  return {
    parameters: {
      AggregateGroupBy: param(
        'groupBy',
        `Comma-separated paths as in filters (belongsTo hops allowed), at most ${MAX_GROUPS}; a date or time path may take a granularity: \`close_date:${GRANULARITIES.join('|')}\`.`,
        { type: 'string' },
      ),
      AggregateMeasures: param(
        'measures',
        `Comma-separated, at most ${MAX_MEASURES}: \`count\` or \`${AGGREGATE_FUNCTIONS.slice(1).join('|')}:<field>\` over the entity's own numeric or money fields (min and max also dates and times). Default \`count\`.`,
        { type: 'string' },
      ),
      AggregateFilter: filter,
      AggregateLimit: param('limit', `Groups returned, 1 to ${MAX_AGGREGATE_ROWS}; meta.truncated says whether more matched.`, {
        type: 'integer',
        minimum: 1,
        maximum: MAX_AGGREGATE_ROWS,
        default: DEFAULT_AGGREGATE_ROWS,
      }),
    },
    schemas: {
      AggregateMeta: {
        type: 'object',
        properties: {
          groupBy: {
            type: 'array',
            items: { type: 'string' },
            description: 'Group keys: the requested ones, then the currencies of money measures.',
          },
          measures: { type: 'array', items: { type: 'string' } },
          truncated: { type: 'boolean' },
        },
      },
      AggregateRow: {
        type: 'object',
        description: 'The group keys and measure keys as given (`stage`, `count`, `sum:amount`). Decimals are exact text, counts numbers.',
        additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      },
    },
  };
}

export function aggregatePaths(entity: string, pascalName: string): Doc {
  return {
    [`/api/v1/${entity}/aggregate`]: {
      get: {
        tags: [entity],
        summary: 'Counts, sums, averages, minima and maxima of the records you may read, grouped',
        description: [
          'One SQL statement over the records the list would return for the same filter (your record scope applies to the',
          'entity and to every related record a path goes through). Hidden fields and unknown paths are a 400. A money',
          'field is aggregated per currency: `<field>.currency` joins the groups by itself. Rows are ordered by the groups, nulls last.',
        ].join(' '),
        operationId: `aggregate${pascalName}`,
        parameters: ['AggregateGroupBy', 'AggregateMeasures', 'AggregateFilter', 'AggregateLimit'].map(paramRef),
        responses: {
          200: { description: 'One row per group', content: envelope({ type: 'array', items: ref('AggregateRow') }, ref('AggregateMeta')) },
          400: problem('Invalid query, unknown or hidden field'),
          403: problem('No read permission'),
        },
      },
    },
  };
}
