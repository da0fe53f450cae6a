// Model -> OpenAPI 3.1 document: every entity's paths and schemas, the list parameters with the filter
// grammar, problem+json responses. Pure; built from the same schemas the validator uses, once per Model
// for administrators and once per caller's access for everyone else (who see only what they may use).
import type { JsonSchema } from '../metadata/field-kinds.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { hiddenFieldNames, type Access } from '../security/access.js';
import { withoutProperties } from '../forms/record-schemas.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { DEFAULT_LIMIT, MAX_INCLUDES, MAX_LIMIT, MAX_SORT_KEYS } from '../data/list-options.js';
import { MAX_BULK } from './entity.routes.js';

type Doc = Record<string, unknown>;

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
  return name.split('_').map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** The operator list comes from the registry, so plugin operators are documented as soon as they are registered. */
function filterDescription(operators: readonly string[]): string {
  return [
    `A URL-encoded JSON Logic expression. Operators: ${operators.map((o) => `\`${o}\``).join(', ')}.`,
    '`in` takes a list (`{"in":[{"var":"f"},[..]]}`), `between` is inclusive, and `some`/`none` go over hasMany and',
    'manyToMany relations (`{"some":[{"var":"contacts"},{...}]}`). `var` paths may go through belongsTo relations',
    '(`company.region`); money fields are `price.amount` and `price.currency`. Each field kind allows a subset of',
    'the operators (see `x-operators` on each property); anything else is a 400.',
  ].join(' ');
}

function listParameters(operators: readonly string[]): Doc[] {
  const q = (name: string, description: string, schema: JsonSchema) => ({ name, in: 'query', required: false, description, schema });
  return [
    q('filter', filterDescription(operators), { type: 'string' }),
    q('sort', `Comma-separated paths, '-' for descending, at most ${MAX_SORT_KEYS} (e.g. \`-amount,company.name\`).`, { type: 'string' }),
    q('limit', `Page size, 1 to ${MAX_LIMIT}.`, { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
    q('offset', 'Rows to skip (use `cursor` for deep paging).', { type: 'integer', minimum: 0, maximum: 100000, default: 0 }),
    q('cursor', 'Opaque keyset cursor from `meta.nextCursor` of the previous page (same sort).', { type: 'string' }),
    q('fields', 'Comma-separated fields to return (id and version always come).', { type: 'string' }),
    q('include', `Comma-separated relations to embed (belongsTo, hasMany, manyToMany), at most ${MAX_INCLUDES}.`, { type: 'string' }),
    q('total', "'exact' adds meta.total.", { type: 'string', enum: ['exact'] }),
  ];
}

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const ifMatch = { name: 'If-Match', in: 'header', required: false, description: 'The version you read, e.g. "3" (or send `version` in the body).', schema: { type: 'string' } };

/** What one caller may do; the document describes only that. */
export type OpenApiView = Pick<Access, 'can' | 'field'>;

const EVERYTHING: OpenApiView = { can: () => true, field: () => 'write' };

export function buildOpenApiDocument(runtime: ModelRuntime, actions: ReadonlyMap<string, ActionDef>, version: number, view: OpenApiView = EVERYTHING): Doc {
  const schemas: Record<string, unknown> = {
    Problem: {
      type: 'object',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', format: 'uri' }, title: { type: 'string' }, status: { type: 'integer' },
        detail: { type: 'string' }, requestId: { type: 'string' },
        errors: { type: 'array', items: { type: 'object', required: ['pointer', 'code', 'message'], properties: { pointer: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
    ListMeta: {
      type: 'object',
      properties: { limit: { type: 'integer' }, offset: { type: 'integer' }, nextCursor: { type: ['string', 'null'] }, total: { type: 'integer' } },
    },
  };
  const paths: Record<string, unknown> = {};
  const operatorNames = runtime.operators.list().map((o) => o.name);
  for (const rt of runtime.entities.values()) {
    const e = rt.entity;
    const may = { read: view.can(e.name, 'read'), create: view.can(e.name, 'create'), update: view.can(e.name, 'update'), delete: view.can(e.name, 'delete') };
    if (!may.read) continue;
    const P = pascal(e.name);
    const hidden = hiddenFieldNames(e, view);
    const unwritable = new Set(e.fields.filter((f) => view.field(e.name, f.name) !== 'write').map((f) => f.name));
    const read = forOpenApi(withoutProperties(rt.schemas.read, hidden)) as Record<string, unknown>;
    const props = read.properties as Record<string, Record<string, unknown>>;
    for (const f of e.fields) {
      const prop = props[f.name];
      if (prop) prop['x-operators'] = [...runtime.operatorsFor(f.kind)];
    }
    schemas[P] = read;
    if (may.create) schemas[`${P}Create`] = forOpenApi(withoutProperties(rt.schemas.create, unwritable));
    if (may.update) schemas[`${P}Update`] = forOpenApi(withoutProperties(rt.schemas.update, unwritable));
    const one = json({ type: 'object', properties: { data: ref(P), meta: { type: 'object' } } });
    const tag = [e.name];
    const errors = { 400: problem('Invalid request'), 404: problem('No such record'), 422: problem('Validation failed') };
    paths[`/api/v1/${e.name}`] = {
      get: { tags: tag, summary: `List ${e.pluralLabel.en}`, operationId: `list${P}`, parameters: listParameters(operatorNames),
        responses: { 200: { description: 'A page of records', content: json({ type: 'object', properties: { data: { type: 'array', items: ref(P) }, meta: ref('ListMeta') } }) }, 400: problem('Invalid query') } },
      ...(may.create ? { post: { tags: tag, summary: `Create a ${e.label.en}`, operationId: `create${P}`, requestBody: { required: true, content: json(ref(`${P}Create`)) },
        responses: { 201: { description: 'Created', content: one }, ...errors, 409: problem('Duplicate value') } } } : {}),
    };
    if (may.create) {
      paths[`/api/v1/${e.name}/bulk`] = {
        post: { tags: tag, summary: `Create up to ${MAX_BULK} ${e.pluralLabel.en} (all or nothing)`, operationId: `bulkCreate${P}`,
          requestBody: { required: true, content: json({ type: 'object', required: ['data'], properties: { data: { type: 'array', minItems: 1, maxItems: MAX_BULK, items: ref(`${P}Create`) } } }) },
          responses: { 201: { description: 'Created', content: json({ type: 'object', properties: { data: { type: 'array', items: ref(P) }, meta: { type: 'object' } } }) }, ...errors } },
      };
    }
    paths[`/api/v1/${e.name}/{id}`] = {
      parameters: [idParam],
      get: { tags: tag, summary: `Get a ${e.label.en}`, operationId: `get${P}`,
        parameters: listParameters(operatorNames).filter((p) => p.name === 'fields' || p.name === 'include'),
        responses: { 200: { description: 'The record', content: one }, ...errors } },
      ...(may.update ? { patch: { tags: tag, summary: `Update a ${e.label.en}`, operationId: `update${P}`, parameters: [ifMatch],
        requestBody: { required: true, content: json(ref(`${P}Update`)) },
        responses: { 200: { description: 'Updated', content: one }, ...errors, 409: problem('Stale version or duplicate value'), 428: problem('Version missing') } } } : {}),
      ...(may.delete ? { delete: { tags: tag, summary: `Delete a ${e.label.en} (soft)`, operationId: `delete${P}`, parameters: [ifMatch],
        responses: { 200: { description: 'Deleted', content: json({ type: 'object' }) }, 404: problem('No such record'), 409: problem('Stale version') } } } : {}),
    };
  }
  for (const action of actions.values()) {
    if (!runtime.entities.has(action.entity) || !view.can(action.entity, 'read') || !view.can(action.entity, action.name)) continue;
    paths[`/api/v1/${action.entity}/{id}/actions/${action.name}`] = {
      parameters: [idParam],
      post: { tags: [action.entity], summary: action.label?.en ?? action.name, operationId: `${action.name}${pascal(action.entity)}`,
        requestBody: { required: true, content: json(forOpenApi(action.input) as JsonSchema) },
        responses: { 200: { description: 'The action result', content: json({ type: 'object' }) }, 404: problem('No such record'), 422: problem('Invalid input') } },
    };
  }
  paths['/api/health'] = { get: { tags: ['system'], summary: 'Database and Model status', operationId: 'health', responses: { 200: { description: 'Healthy', content: json({ type: 'object' }) }, 503: { description: 'Database unreachable', content: json({ type: 'object' }) } } } };
  paths['/api/meta'] = { get: { tags: ['system'], summary: 'The compiled Model for the UIs', operationId: 'meta', parameters: [{ name: 'locale', in: 'query', required: false, schema: { type: 'string' } }], responses: { 200: { description: 'The Model', content: json({ type: 'object' }) } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Tessera API', version: `model-${version}`, description: `Generated from model ${runtime.model.hash.slice(0, 12)} (${runtime.model.packs.map((p) => `${p.name}@${p.version}`).join(', ')}).` },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: { schemas },
  };
}
