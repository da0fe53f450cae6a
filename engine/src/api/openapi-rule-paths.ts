// OpenAPI paths that come with rules as metadata and the recycle bin: explain (readers), restore (those who may
// delete) and the administrators' recompute. Called by openapi-document.ts per entity.
import type { EntityDef } from '../metadata/model.js';
import { envelope, problem, type Doc } from './openapi-parts.js';

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

export interface RulePathsView {
  readonly canDelete: boolean;
  readonly isAdmin: boolean;
  /** The entity has computed, rollup or score fields. */
  readonly hasDerived: boolean;
}

/** `P` is the entity's name in PascalCase, as the document's other operation ids use it; `record` its schema ref. */
export function rulePaths(e: EntityDef, P: string, record: Record<string, unknown>, view: RulePathsView): Doc {
  const paths: Doc = {
    [`/api/v1/${e.name}/{id}/explain`]: {
      parameters: [idParam],
      post: {
        tags: [e.name],
        summary: `Every rule's outcome for a ${e.label.en}: derived values with their inputs, score criteria, validation and field rules, numbering, assignment`,
        operationId: `explain${P}`,
        responses: {
          200: {
            description: 'The outcomes',
            content: envelope({
              type: 'object',
              properties: {
                derived: { type: 'array', items: { type: 'object' } },
                scores: { type: 'array', items: { type: 'object' } },
                validationRules: { type: 'array', items: { type: 'object' } },
                fieldRules: { type: 'array', items: { type: 'object' } },
                numbering: { type: 'array', items: { type: 'object' } },
              },
            }),
          },
          404: problem('No such record'),
        },
      },
    },
  };
  if (view.canDelete) {
    paths[`/api/v1/${e.name}/{id}/restore`] = {
      parameters: [idParam],
      post: {
        tags: [e.name],
        summary: `Restore a deleted ${e.label.en} (its references must name live records; its rules must hold)`,
        operationId: `restore${P}`,
        responses: {
          200: { description: 'The restored record', content: envelope(record) },
          404: problem('No such record'),
          409: problem('Not deleted, stale version, or a unique value taken meanwhile'),
          422: problem('A reference names a deleted record, or a rule does not hold'),
        },
      },
    };
  }
  if (view.isAdmin && view.hasDerived) {
    paths[`/api/admin/rules/${e.name}/recompute`] = {
      post: {
        tags: [e.name],
        summary: `Recompute the computed, rollup and score fields of every ${e.label.en}, then of everything reading them`,
        operationId: `recompute${P}`,
        responses: {
          200: {
            description: 'How many records were looked at and changed',
            content: envelope({
              type: 'object',
              properties: { records: { type: 'integer' }, changed: { type: 'integer' }, ms: { type: 'integer' } },
            }),
          },
          403: problem('Administrators only'),
        },
      },
    };
  }
  return paths;
}
