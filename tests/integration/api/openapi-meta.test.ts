// GET /api/openapi.json validates against the OpenAPI 3.1 schema and describes every entity; /api/docs serves
// the viewer; GET /api/meta gives every entity its JSON Schemas and a default uiSchema, in English or Chinese.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
let seed: ApiDemoSeed;
let doc: Record<string, any>;

const ENTITIES = ['app_user', 'org_unit', 'role', 'account', 'deal', 'tag'];

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
  seed = await seedApiDemo(t);
  const res = await t.request('GET', '/api/openapi.json');
  if (res.status !== 200) throw new Error(`openapi.json: ${res.status}`);
  doc = res.body;
});

afterAll(async () => {
  await t?.stop();
});

describe('GET /api/openapi.json', () => {
  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it('has the list, bulk and record paths of every entity, with unique operation ids', () => {
    for (const e of ENTITIES) {
      expect(Object.keys(doc.paths[`/api/v1/${e}`] ?? {}), e).toEqual(expect.arrayContaining(['get', 'post']));
      expect(Object.keys(doc.paths[`/api/v1/${e}/bulk`] ?? {}), e).toContain('post');
      expect(Object.keys(doc.paths[`/api/v1/${e}/{id}`] ?? {}), e).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    }
    const ids: string[] = [];
    for (const item of Object.values(doc.paths) as Array<Record<string, any>>) {
      for (const [method, op] of Object.entries(item)) if (method !== 'parameters') ids.push(op.operationId);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes the list parameters, the filter grammar and the limits', () => {
    const params = doc.paths['/api/v1/deal'].get.parameters as Array<{
      name: string;
      in: string;
      schema: Record<string, unknown>;
      description?: string;
    }>;
    expect(params.map((p) => p.name).sort()).toEqual(['cursor', 'fields', 'filter', 'include', 'limit', 'offset', 'sort', 'total']);
    expect(params.find((p) => p.name === 'limit')?.schema).toMatchObject({ minimum: 1, maximum: 500 });
    const filter = params.find((p) => p.name === 'filter')?.description ?? '';
    for (const op of [
      '==',
      '!=',
      '<',
      '<=',
      '>',
      '>=',
      'in',
      'between',
      'contains',
      'startsWith',
      'isNull',
      '!',
      'and',
      'or',
      'some',
      'none',
    ]) {
      expect(filter).toContain(`\`${op}\``);
    }
  });

  it('has read, create and update schemas for every entity; properties carry their operators', () => {
    const s = doc.components.schemas;
    for (const name of ['AppUser', 'OrgUnit', 'Role', 'Account', 'Deal', 'Tag']) {
      expect(s[name], name).toBeDefined();
      expect(s[`${name}Create`], name).toBeDefined();
      expect(s[`${name}Update`], name).toBeDefined();
    }
    expect(s.DealCreate.required).toEqual(expect.arrayContaining(['title', 'account']));
    expect(s.DealCreate.additionalProperties).toBe(false);
    for (const system of ['id', 'version', 'created_at', 'updated_at', 'deleted_at'])
      expect(s.DealCreate.properties).not.toHaveProperty(system);
    expect(s.Deal.properties.notes['x-operators']).toEqual(expect.arrayContaining(['==', 'contains', 'startsWith']));
    expect(s.Deal.properties.notes['x-operators']).not.toContain('<');
    expect(s.Deal.properties.extra['x-operators']).toEqual(['isNull']);
    // validation-only keywords of our own travel as x- extensions
    expect(JSON.stringify(s.DealCreate.properties.probability)).toContain('"x-decimalMax":"100"');
    expect(JSON.stringify(doc)).not.toMatch(/"decimalM(in|ax)"/);
  });

  // #18 part 8: the contract the schemas alone do not state, and the routes beyond the entity CRUD.
  it('documents export, history, auth and admin routes, with the publish body', () => {
    expect(doc.paths['/api/v1/deal/export'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'fields',
      'filter',
      'format',
      'include',
      'sort',
    ]);
    expect(Object.keys(doc.paths['/api/v1/deal/export'].get.responses['200'].content).sort()).toEqual(['application/json', 'text/csv']);
    expect(
      doc.paths['/api/v1/deal/{id}/history'].get.responses['200'].content['application/json'].schema.properties.data.items.properties,
    ).toHaveProperty('actor_name');
    for (const path of [
      '/api/auth/login',
      '/api/auth/logout',
      '/api/auth/me',
      '/api/auth/password',
      '/api/auth/tokens',
      '/api/auth/tokens/{id}',
      '/api/admin/users/{id}/password',
      '/api/admin/model/plan',
      '/api/admin/model/publish',
      '/api/admin/model/history',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.security).toEqual([{ bearer: [] }]);
    const publish = doc.paths['/api/admin/model/publish'].post.requestBody.content['application/json'].schema;
    expect(publish.properties).toEqual({
      allowDestructive: expect.objectContaining({ type: 'boolean' }),
      planHash: expect.objectContaining({ type: 'string' }),
    });
    expect(publish.required).toBeUndefined();
  });

  it('states the contract: decimals as strings, manyToMany ids, bulk shape, soft deletes, owner default, filter semantics', () => {
    const text = doc.info.description as string;
    for (const phrase of [
      'decimals',
      'as strings',
      'manyToMany field is an array of ids',
      '{ "data": [',
      'Deletes are soft',
      'unique indexes ignore',
      'owner field defaults to the caller',
      'restrict',
    ]) {
      expect(text, phrase).toContain(phrase);
    }
    expect(doc.paths['/api/v1/deal'].post.description).toContain('`owner` defaults to the caller');
    const filter = doc.paths['/api/v1/deal'].get.parameters.find((p: { name: string }) => p.name === 'filter').description as string;
    for (const phrase of [
      'SQL NULL',
      'IS DISTINCT FROM',
      'instants',
      'decimals compare exactly',
      '`contains` and `startsWith` ignore ASCII case',
      '{"==": [{"var": ...}, true]}',
    ]) {
      expect(filter, phrase).toContain(phrase);
    }
  });

  it('answers errors with problem+json and every $ref resolves', () => {
    const patch = doc.paths['/api/v1/deal/{id}'].patch.responses;
    for (const status of ['404', '409', '422', '428']) expect(Object.keys(patch[status].content)).toEqual(['application/problem+json']);
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail']));
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') refs.add(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(0);
    for (const ref of refs) {
      // Schemas, and the aggregate endpoints' shared parameters (#22).
      expect(ref).toMatch(/^#\/components\/(schemas|parameters)\//);
      const [, , kind = '', name = ''] = ref.split('/');
      expect(doc.components[kind][name], ref).toBeDefined();
    }
  });

  it('its schemas describe what the API really reads and accepts', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    // ajv-formats is CommonJS; under NodeNext its default import is the module object or the function.
    const addFormats =
      (addFormatsPlugin as unknown as { default?: (a: Ajv2020) => void }).default ?? (addFormatsPlugin as unknown as (a: Ajv2020) => void);
    addFormats(ajv);
    const input = {
      title: 'Described',
      code: 'DESC-1',
      quantity: 3,
      probability: '5.00',
      amount: { amount: '1.00', currency: 'EUR' },
      won: true,
      close_date: '2024-01-01',
      signed_at: '2024-01-01T00:00:00.000Z',
      stage: 'closed',
      channels: ['web'],
      contact_email: 'a@b.cn',
      contact_phone: '+86 1234',
      website: 'https://x.cn',
      extra: { a: 1 },
      account: seed.accounts.acme,
      tags: [seed.tags.hot],
      owner: seed.users.bob,
    };
    expect(ajv.validate(doc.components.schemas.DealCreate, input), JSON.stringify(ajv.errors)).toBe(true);
    const created = await t.request('POST', '/api/v1/deal', input);
    expect(created.status).toBe(201);
    expect(ajv.validate(doc.components.schemas.Deal, created.body.data), JSON.stringify(ajv.errors)).toBe(true);
    const withIncludes = await t.request('GET', `/api/v1/deal/${created.body.data.id}?include=account,tags,owner`);
    expect(ajv.validate(doc.components.schemas.Deal, withIncludes.body.data), JSON.stringify(ajv.errors)).toBe(true);
    const account = await t.request('GET', `/api/v1/account/${seed.accounts.acme}?include=deals,subsidiaries`);
    expect(ajv.validate(doc.components.schemas.Account, account.body.data), JSON.stringify(ajv.errors)).toBe(true);
    expect(ajv.validate(doc.components.schemas.DealUpdate, { quantity: null, title: 'x' }), JSON.stringify(ajv.errors)).toBe(true);
  });
});

describe('GET /api/docs', () => {
  it('serves the viewer page, its script, styles and init, without a token', async () => {
    const page = await t.request('GET', '/api/docs', undefined, { authorization: '' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('/api/docs/swagger-ui-bundle.js');
    const bundle = await fetch(`${t.url}/api/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const css = await fetch(`${t.url}/api/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const init = await t.request('GET', '/api/docs/docs-init.js');
    expect(init.status).toBe(200);
    expect(String(init.body)).toContain('/api/openapi.json');
  });

  it('serves nothing else from disk', async () => {
    for (const path of ['/api/docs/package.json', '/api/docs/..%2F..%2Fpackage.json', '/api/docs/index.html', '/api/docs/nope.js']) {
      const res = await t.request('GET', path);
      expect(res.status, path).toBe(404);
    }
  });
});

describe('GET /api/meta', () => {
  type EntityMeta = {
    name: string;
    label: string;
    fields: Array<{ name: string; kind: string; label: string; operators: string[] }>;
    jsonSchema: { read: any; create: any; update: any };
    uiSchema: Record<string, any>;
    relations: Array<{ name: string; kind: string; entity: string }>;
  };
  let en: Record<string, EntityMeta>;

  beforeAll(async () => {
    const res = await t.request('GET', '/api/meta');
    expect(res.status).toBe(200);
    expect(res.body.locale).toBe('en');
    en = Object.fromEntries((res.body.entities as EntityMeta[]).map((e) => [e.name, e]));
  });

  it('lists every entity with its JSON Schemas (read, create, update)', () => {
    expect(Object.keys(en).sort()).toEqual(expect.arrayContaining([...ENTITIES].sort()));
    for (const name of ENTITIES) {
      const s = en[name]!.jsonSchema;
      expect(s.read.type, name).toBe('object');
      expect(s.create.additionalProperties, name).toBe(false);
      expect(s.update.additionalProperties, name).toBe(false);
      expect(s.update.required ?? [], name).toEqual([]);
    }
    const deal = en.deal!;
    expect(deal.jsonSchema.create.required).toEqual(expect.arrayContaining(['title', 'account']));
    expect(
      deal.jsonSchema.create.properties.amount.properties ?? deal.jsonSchema.create.properties.amount.anyOf?.[0]?.properties,
    ).toHaveProperty('currency');
    expect(Object.keys(deal.jsonSchema.read.properties)).toEqual(expect.arrayContaining(['id', 'version', 'created_at', 'updated_at']));
  });

  it('gives a uiSchema with ui:order and widgets from the field kinds', () => {
    const ui = en.deal!.uiSchema;
    expect(ui['ui:order']).toEqual([...en.deal!.fields.map((f) => f.name), '*']);
    expect(ui['ui:order']).toEqual(expect.arrayContaining(['title', 'amount', 'tags', 'owner']));
    const widgets: Record<string, string> = {
      notes: 'textarea',
      quantity: 'updown',
      won: 'checkbox',
      close_date: 'date',
      signed_at: 'date-time',
      stage: 'select',
      channels: 'checkboxes',
      contact_email: 'email',
      website: 'uri',
      extra: 'textarea',
      account: 'relation',
      tags: 'relation',
      owner: 'user',
    };
    for (const [field, widget] of Object.entries(widgets)) expect(ui[field]?.['ui:widget'], field).toBe(widget);
    expect(ui.title['ui:title']).toBe('Title');
    expect(ui.stage['ui:enumNames']).toEqual(['Lead', 'Qualified', 'Proposal', 'Closed']);
    expect(ui.tags['ui:options']).toEqual({ target: 'tag', cardinality: 'manyToMany' });
  });

  it('lists each field kind and its operators, and the inverse relations', () => {
    const fields = Object.fromEntries(en.deal!.fields.map((f) => [f.name, f]));
    expect(fields.amount!.kind).toBe('currency');
    expect(fields.channels!.operators.sort()).toEqual(['contains', 'isNull']);
    expect(fields.won!.operators.sort()).toEqual(['!=', '==', 'isNull']);
    expect(en.account!.relations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'deals', kind: 'hasMany', entity: 'deal' }),
        expect.objectContaining({ name: 'subsidiaries', kind: 'hasMany', entity: 'account' }),
      ]),
    );
  });

  it('?locale=zh-CN gives Chinese labels, falling back to English', async () => {
    const res = await t.request('GET', '/api/meta?locale=zh-CN');
    expect(res.status).toBe(200);
    expect(res.body.locale).toBe('zh-CN');
    const zh = Object.fromEntries((res.body.entities as EntityMeta[]).map((e) => [e.name, e]));
    expect(zh.deal!.label).toBe('交易');
    expect(zh.account!.label).toBe('账户');
    expect(zh.app_user!.label).toBe('用户');
    expect(zh.account!.fields.find((f) => f.name === 'name')!.label).toBe('名称');
    expect(zh.account!.uiSchema.name['ui:title']).toBe('名称');
    expect(zh.app_user!.uiSchema.locale['ui:enumNames']).toEqual(['中文', '英文']);
    expect(zh.deal!.fields.find((f) => f.name === 'title')!.label).toBe('Title');
    expect(res.body.packs.find((p: { name: string }) => p.name === 'api_demo').label).toBe('接口示例');
  });

  it('follows Accept-Language when no locale is given; unknown locales fall back to English', async () => {
    const zh = await t.request('GET', '/api/meta', undefined, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.body.locale).toBe('zh-CN');
    const fr = await t.request('GET', '/api/meta?locale=fr');
    expect(fr.status).toBe(200);
    expect(fr.body.locale).toBe('en');
    expect(fr.body.entities.find((e: EntityMeta) => e.name === 'deal').label).toBe('Deal');
  });
});
