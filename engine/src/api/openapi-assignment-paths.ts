// OpenAPI paths of an entity with assignment rules (served by assignment.routes.ts): release and claim, the
// assignment history, and the administrators' pool return. Called by openapi-document.ts for readers of the entity.
import type { EntityDef } from '../metadata/model.js';
import { envelope, json, problem, type Doc } from './openapi-parts.js';

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const userRef = {
  type: ['object', 'null'],
  properties: { id: { type: 'string', format: 'uuid' }, username: { type: ['string', 'null'] } },
};

/** `P` is the entity's name in PascalCase, as the document's other operation ids use it. */
export function assignmentPaths(e: EntityDef, P: string, view: { isAdmin: boolean; canUpdate: boolean }): Doc {
  const a = e.assignment;
  if (!a) return {};
  const owner = a.ownerField;
  const poolAnswer = envelope({
    type: 'object',
    properties: { id: { type: 'string', format: 'uuid' }, version: { type: 'integer' }, [owner]: { type: ['string', 'null'] } },
  });
  const paths: Doc = {
    [`/api/v1/${e.name}/{id}/actions/release`]: {
      parameters: [idParam],
      post: {
        tags: [e.name],
        summary: `Release a ${e.label.en} to the public pool (its owner, or anyone who may update it)`,
        operationId: `release${P}`,
        responses: {
          200: { description: 'Released', content: poolAnswer },
          403: problem('Neither the owner nor allowed to update it'),
          404: problem('No such record'),
          409: problem('Already in the pool (assignment.already_in_pool)'),
        },
      },
    },
    [`/api/v1/${e.name}/{id}/assignments`]: {
      parameters: [idParam],
      get: {
        tags: [e.name],
        summary: `Every change of the ${e.label.en}'s ${owner}, newest first, with its reason`,
        operationId: `assignments${P}`,
        responses: {
          200: {
            description: 'Assignment changes',
            content: envelope({
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  at: { type: 'string', format: 'date-time' },
                  reason: { enum: ['rule', 'no_match', 'cap_full', 'manual', 'release', 'claim', 'pool_return'] },
                  from: userRef,
                  to: userRef,
                  rule: { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
                  actor: { type: 'object', properties: { id: { type: ['string', 'null'] }, name: { type: 'string' } } },
                  requestId: { type: 'string' },
                },
              },
            }),
          },
          404: problem('No such record'),
        },
      },
    },
  };
  if (view.canUpdate) {
    paths[`/api/v1/${e.name}/{id}/actions/claim`] = {
      parameters: [idParam],
      post: {
        tags: [e.name],
        summary: `Claim a ${e.label.en} from the public pool`,
        operationId: `claim${P}`,
        responses: {
          200: { description: 'Claimed', content: poolAnswer },
          404: problem('No such record'),
          409: problem('Not in the pool (assignment.not_in_pool), or the caller is at the cap (assignment.cap_reached)'),
        },
      },
    };
  }
  if (view.isAdmin && a.pool.returnAfterDays !== undefined) {
    paths[`/api/admin/assignment/${e.name}/pool-return`] = {
      post: {
        tags: [e.name],
        summary: `Return ${e.pluralLabel.en} without activity for ${a.pool.returnAfterDays} days to the pool`,
        operationId: `poolReturn${P}`,
        responses: {
          200: {
            description: 'How many records went back',
            content: json({
              type: 'object',
              properties: { data: { type: 'object', properties: { entity: {}, returned: { type: 'integer' } } } },
            }),
          },
          403: problem('Administrators only'),
        },
      },
    };
  }
  return paths;
}
