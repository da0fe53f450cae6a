// Model -> OpenAPI 3.1 document: every entity's paths and schemas, the list parameters with the filter
// grammar, problem+json responses. Pure; built from the same schemas the validator uses, once per Model
// for administrators and once per caller's access for everyone else (who see only what they may use).
import type { JsonSchema } from '../metadata/field-kinds.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { filterOperators } from './filter-operators.js';
import { hiddenFieldNames, type Access } from '../security/access.js';
import { withoutProperties } from '../forms/record-schemas.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { DEFAULT_LIMIT, MAX_INCLUDES, MAX_LIMIT, MAX_SORT_KEYS } from '../data/list-options.js';
import { MAX_BULK } from './entity.routes.js';
import { MAX_EXPORT_ROWS } from './export-records.js';
import { importPaths } from './openapi-import-paths.js';
import { publicFormPaths, publicLinkPaths } from './openapi-public-form-paths.js';
import { filePaths } from './openapi-file-paths.js';
import { API_DESCRIPTION, FILTER_SEMANTICS } from './openapi-contract.js';
import { envelope, json, problem, ref, type Doc } from './openapi-parts.js';
import { SYSTEM_SCHEMAS, systemPaths } from './openapi-system-paths.js';
import { assignmentPaths } from './openapi-assignment-paths.js';
import { rulePaths } from './openapi-rule-paths.js';
import { aggregateComponents, aggregatePaths } from './openapi-aggregate-paths.js';
import { overviewPaths } from './openapi-overview-paths.js';
import { NOTIFICATION_SCHEMAS, notificationPaths } from './openapi-notification-paths.js';
import { LIST_TOOL_SCHEMAS, batchPath, savedViewPaths } from './openapi-list-tool-paths.js';
import { searchPaths } from './openapi-search-paths.js';
import { approvalPaths, myApprovalPaths } from './openapi-approval-paths.js';

/** Validation-only keywords (ours and ajv-formats') become x- extensions, which OpenAPI allows. */
function forOpenApi(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forOpenApi);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    const key = ['decimalMin', 'decimalMax', 'formatMinimum', 'formatMaximum'].includes(k) ? `x-${k}` : k;
    out[key] = forOpenApi(v);
  }
  return out;
}

function pascal(name: string): string {
  return name
    .split('_')
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}

/** The operator list comes from the registry, so plugin operators are documented as soon as they are registered. */
function filterDescription(operators: readonly string[]): string {
  return [
    `A URL-encoded JSON Logic expression. Operators: ${operators.map((o) => `\`${o}\``).join(', ')}.`,
    '`in` takes a list (`{"in":[{"var":"f"},[..]]}`), `between` is inclusive, and `some`/`none` go over hasMany and',
    'manyToMany relations (`{"some":[{"var":"contacts"},{...}]}`). `var` paths may go through belongsTo relations',
    '(`company.region`); money fields are `price.amount` and `price.currency`. Each field kind allows a subset of',
    'the operators (see `x-operators` on each property: a list, or for a field with parts one list per part path); anything else is a 400.',
    FILTER_SEMANTICS,
  ].join(' ');
}

function listParameters(operators: readonly string[]): Doc[] {
  const q = (name: string, description: string, schema: JsonSchema) => ({ name, in: 'query', required: false, description, schema });
  return [
    q('filter', filterDescription(operators), { type: 'string' }),
    q('sort', `Comma-separated paths, '-' for descending, at most ${MAX_SORT_KEYS} (e.g. \`-created_at,company.name\`).`, {
      type: 'string',
    }),
    q('limit', `Page size, 1 to ${MAX_LIMIT}.`, { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
    q('offset', 'Rows to skip (use `cursor` for deep paging).', { type: 'integer', minimum: 0, maximum: 100000, default: 0 }),
    q('cursor', 'Opaque keyset cursor from `meta.nextCursor` of the previous page (same sort).', { type: 'string' }),
    q('fields', 'Comma-separated fields to return (the id always comes; version, created_at and updated_at only when listed).', {
      type: 'string',
    }),
    q('include', `Comma-separated relations to embed (belongsTo, hasMany, manyToMany), at most ${MAX_INCLUDES}.`, { type: 'string' }),
    q(
      'total',
      "'exact' adds meta.total; 'capped' counts up to the server's cap (TESSERA_COUNT_CAP) and sets meta.totalCapped when more rows match.",
      {
        type: 'string',
        enum: ['exact', 'capped'],
      },
    ),
  ];
}

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The version you read, e.g. "3" (or send `version` in the body).',
  schema: { type: 'string' },
};

/** What one caller may do; the document describes only that. */
export type OpenApiView = Pick<Access, 'can' | 'field' | 'isAdmin'>;

const EVERYTHING: OpenApiView = { can: () => true, field: () => 'write', isAdmin: true };

const AUDIT_ENTRY: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Pass as `before` for the next page.' },
    action: { type: 'string', description: 'create, update, delete or action:<name>' },
    actor_id: { type: ['string', 'null'], format: 'uuid' },
    actor_name: { type: 'string', description: 'Shown to every reader of the record, whether or not they may read that user.' },
    request_id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    changes: {
      type: 'object',
      description: 'field -> { before, after }; values of fields hidden from the reader are "***".',
      additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    },
  },
};

export function buildOpenApiDocument(
  runtime: ModelRuntime,
  actions: ReadonlyMap<string, ActionDef>,
  version: number,
  view: OpenApiView = EVERYTHING,
): Doc {
  const schemas: Record<string, unknown> = {
    Problem: {
      type: 'object',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        requestId: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['pointer', 'code', 'message'],
            properties: { pointer: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    ListMeta: {
      type: 'object',
      properties: {
        limit: { type: 'integer' },
        offset: { type: 'integer' },
        nextCursor: { type: ['string', 'null'] },
        total: { type: 'integer' },
        totalCapped: { type: 'boolean', description: 'with total=capped: more rows match than meta.total' },
      },
    },
    AuditEntry: AUDIT_ENTRY,
    ...SYSTEM_SCHEMAS,
    ...NOTIFICATION_SCHEMAS,
    ...LIST_TOOL_SCHEMAS,
  };
  const paths: Record<string, unknown> = {};
  // The same parameters for every entity: built once per document.
  const listParams = listParameters(runtime.operators.list().map((o) => o.name));
  for (const rt of runtime.entities.values()) {
    const e = rt.entity;
    const may = {
      read: view.can(e.name, 'read'),
      create: view.can(e.name, 'create'),
      update: view.can(e.name, 'update'),
      delete: view.can(e.name, 'delete'),
      export: view.can(e.name, 'export'),
    };
    if (!may.read) continue;
    const P = pascal(e.name);
    const hidden = hiddenFieldNames(e, view);
    const unwritable = new Set(e.fields.filter((f) => view.field(e.name, f.name) !== 'write').map((f) => f.name));
    const read = forOpenApi(withoutProperties(rt.schemas.read, hidden)) as Record<string, unknown>;
    const props = read.properties as Record<string, Record<string, unknown>>;
    for (const f of e.fields) {
      const prop = props[f.name];
      if (prop) prop['x-operators'] = filterOperators(f, runtime);
    }
    schemas[P] = read;
    if (may.create) schemas[`${P}Create`] = forOpenApi(withoutProperties(rt.schemas.create, unwritable));
    if (may.update) schemas[`${P}Update`] = forOpenApi(withoutProperties(rt.schemas.update, unwritable));
    const one = json({ type: 'object', properties: { data: ref(P), meta: { type: 'object' } } });
    const tag = [e.name];
    const errors = { 400: problem('Invalid request'), 404: problem('No such record'), 422: problem('Validation failed') };
    paths[`/api/v1/${e.name}`] = {
      get: {
        tags: tag,
        summary: `List ${e.pluralLabel.en}`,
        operationId: `list${P}`,
        parameters: listParams,
        responses: {
          200: {
            description: 'A page of records',
            content: json({ type: 'object', properties: { data: { type: 'array', items: ref(P) }, meta: ref('ListMeta') } }),
          },
          400: problem('Invalid query'),
        },
      },
      ...(may.create
        ? {
            post: {
              tags: tag,
              summary: `Create a ${e.label.en}`,
              operationId: `create${P}`,
              requestBody: { required: true, content: json(ref(`${P}Create`)) },
              ...(e.ownership?.ownerField ? { description: `\`${e.ownership.ownerField}\` defaults to the caller.` } : {}),
              responses: { 201: { description: 'Created', content: one }, ...errors, 409: problem('Duplicate value') },
            },
          }
        : {}),
    };
    if (may.create) {
      paths[`/api/v1/${e.name}/bulk`] = {
        post: {
          tags: tag,
          summary: `Create up to ${MAX_BULK} ${e.pluralLabel.en} (all or nothing)`,
          operationId: `bulkCreate${P}`,
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['data'],
              properties: { data: { type: 'array', minItems: 1, maxItems: MAX_BULK, items: ref(`${P}Create`) } },
            }),
          },
          responses: {
            201: {
              description: 'Created',
              content: json({ type: 'object', properties: { data: { type: 'array', items: ref(P) }, meta: { type: 'object' } } }),
            },
            ...errors,
          },
        },
      };
    }
    if (may.update || may.delete) paths[`/api/v1/${e.name}/batch`] = batchPath(e.name, P, e.pluralLabel.en, may);
    paths[`/api/v1/${e.name}/{id}`] = {
      parameters: [idParam],
      get: {
        tags: tag,
        summary: `Get a ${e.label.en}`,
        operationId: `get${P}`,
        parameters: listParams.filter((p) => p.name === 'fields' || p.name === 'include'),
        responses: { 200: { description: 'The record', content: one }, ...errors },
      },
      ...(may.update
        ? {
            patch: {
              tags: tag,
              summary: `Update a ${e.label.en}`,
              operationId: `update${P}`,
              parameters: [ifMatch],
              description: 'Only the fields sent change. An empty body (or only `version`) changes nothing and answers the current record.',
              requestBody: { required: true, content: json(ref(`${P}Update`)) },
              responses: {
                200: { description: 'Updated', content: one },
                ...errors,
                409: problem('Stale version or duplicate value'),
                428: problem('Version missing'),
              },
            },
          }
        : {}),
      ...(may.delete
        ? {
            delete: {
              tags: tag,
              summary: `Delete a ${e.label.en} (soft)`,
              operationId: `delete${P}`,
              parameters: [ifMatch],
              description:
                'Sets deleted_at. References to it follow their onDelete: restrict refuses (409 record.referenced), cascade soft-deletes the referencing records, setNull clears them.',
              responses: {
                200: {
                  description: 'Deleted',
                  content: json({
                    type: 'object',
                    properties: { id: { type: 'string', format: 'uuid' }, version: { type: 'integer' }, deleted: { const: true } },
                  }),
                },
                404: problem('No such record'),
                409: problem('Stale version, or still referenced (with `references: [{ entity, field, count }]`)'),
              },
            },
          }
        : {}),
    };
    paths[`/api/v1/${e.name}/{id}/history`] = {
      parameters: [idParam],
      get: {
        tags: tag,
        summary: `The audit trail of a ${e.label.en}, newest first`,
        operationId: `history${P}`,
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
          {
            name: 'before',
            in: 'query',
            required: false,
            description: 'An audit entry id: the entries before it.',
            schema: { type: 'string', pattern: '^\\d{1,18}$' },
          },
        ],
        responses: {
          200: {
            description: 'Audit entries',
            content: envelope(
              { type: 'array', items: AUDIT_ENTRY },
              { type: 'object', properties: { limit: { type: 'integer' }, nextBefore: { type: ['string', 'null'] } } },
            ),
          },
          400: problem('Invalid query'),
          404: problem('No such record'),
        },
      },
    };
    if (may.create) Object.assign(paths, importPaths(e, P));
    if (may.update) Object.assign(paths, publicLinkPaths(e, P));
    if (may.export) {
      paths[`/api/v1/${e.name}/export`] = {
        get: {
          tags: tag,
          summary: `Export ${e.pluralLabel.en} (up to ${MAX_EXPORT_ROWS} rows; X-Export-Truncated says whether more matched)`,
          operationId: `export${P}`,
          parameters: [
            { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['csv', 'json'], default: 'csv' } },
            ...listParams.filter((p) => ['filter', 'sort', 'fields', 'include'].includes(String(p.name))),
          ],
          responses: {
            200: {
              description: 'The rows',
              headers: { 'X-Export-Truncated': { schema: { type: 'string', enum: ['true', 'false'] } } },
              content: {
                'text/csv': { schema: { type: 'string' } },
                ...json({
                  type: 'object',
                  properties: {
                    data: { type: 'array', items: ref(P) },
                    meta: { type: 'object', properties: { count: { type: 'integer' }, truncated: { type: 'boolean' } } },
                  },
                }),
              },
            },
            400: problem('Invalid query'),
            403: problem('No export permission'),
          },
        },
      };
    }
  }
  for (const { entity: e } of runtime.entities.values()) {
    if (!view.can(e.name, 'read')) continue;
    Object.assign(paths, assignmentPaths(e, pascal(e.name), { isAdmin: view.isAdmin, canUpdate: view.can(e.name, 'update') }));
    const hasDerived = runtime.entity(e.name).rules.derived.size > 0;
    Object.assign(
      paths,
      rulePaths(e, pascal(e.name), ref(pascal(e.name)), { canDelete: view.can(e.name, 'delete'), isAdmin: view.isAdmin, hasDerived }),
      approvalPaths(e, pascal(e.name)),
      aggregatePaths(e.name, pascal(e.name)),
    );
  }
  for (const overview of runtime.model.ui?.overviews ?? []) {
    if (!view.can(overview.entity, 'read')) continue;
    Object.assign(
      paths,
      overviewPaths(overview, idParam, pascal(overview.entity), (entity) => view.can(entity, 'read')),
    );
  }
  for (const action of actions.values()) {
    if (!runtime.entities.has(action.entity) || !view.can(action.entity, 'read') || !view.can(action.entity, action.name)) continue;
    paths[`/api/v1/${action.entity}/{id}/actions/${action.name}`] = {
      parameters: [idParam],
      post: {
        tags: [action.entity],
        summary: action.label?.en ?? action.name,
        operationId: `${action.name}${pascal(action.entity)}`,
        requestBody: { required: true, content: json(forOpenApi(action.input) as JsonSchema) },
        responses: {
          200: { description: 'The action result', content: json({ type: 'object' }) },
          404: problem('No such record'),
          422: problem('Invalid input'),
        },
      },
    };
  }
  const aggregates = aggregateComponents(listParams.find((p) => p.name === 'filter') ?? {});
  Object.assign(paths, systemPaths(view.isAdmin), publicFormPaths(), filePaths());
  Object.assign(paths, notificationPaths(view.isAdmin), savedViewPaths(), searchPaths());
  // The inbox and delegations are served always; they are documented where the Model has something to approve.
  if (runtime.model.entities.some((e) => e.approvalFlows?.length)) Object.assign(paths, myApprovalPaths());
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera API',
      version: `model-${version}`,
      description: `Generated from model ${runtime.model.hash.slice(0, 12)} (${runtime.model.packs.map((p) => `${p.name}@${p.version}`).join(', ')}).\n\n${API_DESCRIPTION}`,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    // Every route needs a bearer token (a session token from login, or an API token) unless it says otherwise.
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: { ...schemas, ...aggregates.schemas },
      parameters: aggregates.parameters,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
