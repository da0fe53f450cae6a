// OpenAPI paths of an entity's spreadsheet import (served by import-records.ts): the import itself and its template.
// Called by openapi-document.ts for callers who may create the entity's records.
import type { EntityDef } from '../metadata/model.js';
import { MAX_IMPORT_ROWS } from './import-records.js';
import { envelope, problem, type Doc } from './openapi-parts.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const formatParam = (dflt?: string) => ({
  name: 'format',
  in: 'query',
  required: false,
  schema: { type: 'string', enum: ['csv', 'xlsx'], ...(dflt ? { default: dflt } : {}) },
});

/** `P` is the entity's name in PascalCase, as the document's other operation ids use it. */
export function importPaths(e: EntityDef, P: string): Doc {
  return {
    [`/api/v1/${e.name}/import`]: {
      post: {
        tags: [e.name],
        summary: `Import ${e.pluralLabel.en} from a spreadsheet (up to ${MAX_IMPORT_ROWS} rows, all or nothing)`,
        description:
          'The first row names fields (by name or label); references may be written as the target record’s title or a unique text field. ' +
          'CSV may be UTF-8 or GBK. Problems are reported by row (the sheet’s line) and field: /rows/<line>/<field>.',
        operationId: `import${P}`,
        parameters: [formatParam(), { name: 'dryRun', in: 'query', required: false, schema: { type: 'boolean', default: false } }],
        requestBody: {
          required: true,
          content: { 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', format: 'binary' } } },
        },
        responses: {
          200: {
            description: 'Checked (dryRun): nothing written',
            content: envelope({ type: 'object', properties: { rows: { type: 'integer' } } }),
          },
          201: {
            description: 'Imported',
            content: envelope({
              type: 'object',
              properties: {
                rows: { type: 'integer' },
                imported: { type: 'integer' },
                ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
              },
            }),
          },
          400: problem('Unreadable file'),
          403: problem('No create permission'),
          413: problem('File too large or too many rows'),
          415: problem('Neither CSV nor XLSX'),
          422: problem('Problems in the file; nothing imported'),
        },
      },
    },
    [`/api/v1/${e.name}/import-template`]: {
      get: {
        tags: [e.name],
        summary: `The header row of a ${e.label.en} import, in the caller's language, with each column's hint (XLSX)`,
        operationId: `importTemplate${P}`,
        parameters: [
          formatParam('xlsx'),
          { name: 'locale', in: 'query', required: false, schema: { type: 'string', enum: ['en', 'zh-CN'] } },
        ],
        responses: {
          200: {
            description: 'The template',
            content: { 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', format: 'binary' } } },
          },
          403: problem('No create permission'),
        },
      },
    },
  };
}
