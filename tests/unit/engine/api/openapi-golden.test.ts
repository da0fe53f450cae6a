// buildOpenApiDocument(runtime, actions, version) is pure: golden documents for the fixture packs (as an
// administrator sees them, no plugin actions), each a valid OpenAPI 3.1 document. A change to a golden file is a
// change to the published API contract: review it as one.
import { homedir, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../../engine/src/api/openapi-document.js';
import { buildModelRuntime, type ModelRuntime } from '../../../../engine/src/data/entity-runtime.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { kindOperators } from '../../../../engine/src/rules/kind-operators.js';
import { buildAccess } from '../../../../engine/src/security/build-access.js';
import { resolveCoreSchema } from '../../../../engine/src/security/core-schema.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const CORE = 'metadata/packs/core';
const FIXTURES = 'tests/fixtures/packs';

/** Golden name -> pack folders (core first; security-demo requires api-demo). */
const PACKS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['api-demo', [CORE, `${FIXTURES}/api-demo`]],
  ['sales', [CORE, `${FIXTURES}/sales`]],
  ['security-demo', [CORE, `${FIXTURES}/api-demo`, `${FIXTURES}/security-demo`]],
];

function runtimeOf(dirs: readonly string[]): ModelRuntime {
  const model = loadModel(
    dirs.map((d) => resolve(d)),
    { kinds: BUILTIN_RULES.kinds },
  );
  return buildModelRuntime(model, BUILTIN_RULES.kinds, BUILTIN_RULES.operators);
}

const render = (doc: unknown) => JSON.stringify(doc, null, 2) + '\n';
const documentOf = (dirs: readonly string[]) => buildOpenApiDocument(runtimeOf(dirs), new Map(), 1);

describe.each(PACKS)('OpenAPI document of %s', (name, dirs) => {
  const doc = documentOf(dirs);
  const text = render(doc);

  it('matches the golden file', async () => {
    await expect(text).toMatchFileSnapshot(`__golden__/${name}.openapi.json`);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(text));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds nothing of the machine it was built on, and the same packs give the same text', () => {
    for (const local of [process.cwd(), resolve(CORE), tmpdir(), homedir()]) expect(text).not.toContain(local);
    expect(render(documentOf(dirs))).toBe(text);
  });

  it('has unique operation ids', () => {
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((item) =>
      Object.entries(item)
        .filter(([k]) => k !== 'parameters')
        .map(([, op]) => op.operationId),
    );
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('OpenAPI document for a caller who is not an administrator', () => {
  it('leaves out what the caller may not do or see', () => {
    const runtime = runtimeOf(PACKS[2]?.[1] ?? []);
    const allowed = kindOperators(BUILTIN_RULES);
    const access = buildAccess(
      {
        id: '00000000-0000-4000-8000-000000000001',
        username: 'bob',
        displayName: 'Bob',
        active: true,
        orgUnitId: null,
        managerId: null,
        subordinateIds: [],
        orgUnitIds: [],
        roles: [
          {
            code: 'viewer',
            grants: {
              entities: { contract: { actions: ['read', 'update'], scope: 'all', fields: { revenue: 'hidden', margin: 'readOnly' } } },
            },
          },
        ],
      },
      {
        model: runtime.model,
        core: resolveCoreSchema(runtime.model),
        kinds: BUILTIN_RULES.kinds,
        operators: BUILTIN_RULES.operators,
        operatorsFor: (k) => allowed.get(k) ?? [],
      },
    );
    const doc = buildOpenApiDocument(runtime, new Map(), 1, access) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    // The caller's own inbox (/api/v1/me/...) and the files of any record (/api/v1/{entity}/..., checked against the
    // record's access on each request) are everyone's; the entity paths are what the grants decide.
    const entityPaths = (p: string) => p.startsWith('/api/v1/') && !p.startsWith('/api/v1/me/') && !p.startsWith('/api/v1/{entity}/');
    expect(Object.keys(doc.paths).filter(entityPaths)).toEqual([
      '/api/v1/contract',
      // Batch changes take the update grant (delete is not granted: the batch offers updates only).
      '/api/v1/contract/batch',
      '/api/v1/contract/{id}',
      '/api/v1/contract/{id}/history',
      // A reader may ask why; restore needs the delete permission, recompute an administrator.
      '/api/v1/contract/{id}/explain',
      '/api/v1/contract/aggregate',
      // Global search is everyone's; it answers within the caller's grants.
      '/api/v1/search',
    ]);
    expect(Object.keys(doc.paths['/api/v1/contract'] ?? {})).toEqual(['get']);
    expect(JSON.stringify(doc.paths['/api/v1/contract/batch'])).toContain('"enum":["update"]');
    expect(Object.keys(doc.paths['/api/v1/contract/{id}'] ?? {})).toEqual(['parameters', 'get', 'patch']);
    expect(Object.keys(doc.components.schemas.Contract?.properties ?? {})).not.toContain('revenue');
    expect(Object.keys(doc.components.schemas.ContractUpdate?.properties ?? {})).toEqual(['title', 'account', 'org_unit']);
    expect(doc.components.schemas.ContractCreate).toBeUndefined();
    expect(doc.components.schemas.Deal).toBeUndefined();
  });
});
