// applySchema on a real database (PGlite, or PostgreSQL when DATABASE_URL is set): creates the fixture
// pack, re-applies as a no-op, refuses destructive changes with row counts, renames without losing data,
// and rolls a failing apply back completely.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Model } from '../../../engine/src/metadata/model.js';
import type { FieldFileSpec } from '../../../engine/src/metadata/pack-spec.js';
import type { Catalog } from '../../../engine/src/schema/catalog.js';
import { applySchema, previewSchema } from '../../../engine/src/schema/apply-schema.js';
import { desiredTables } from '../../../engine/src/schema/desired-schema.js';
import { introspectCatalog } from '../../../engine/src/schema/introspect-catalog.js';
import { listHistory } from '../../../engine/src/schema/schema-history.js';
import type { AssessedPlan } from '../../../engine/src/schema/plan.js';
import { EngineError } from '../../../engine/src/shared/engine-error.js';
import { entityOf, type PackSource } from '../../support/pack-builder.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { catalogOf, normaliseCatalog } from '../../unit/engine/schema/catalog-of.js';
import {
  databaseState,
  historyVersions,
  indexDefinition,
  PackWorkspace,
  resetDatabase,
  SALES,
  SALES_V2,
  tableNames,
} from './schema-support.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';

let db: TestDatabase;
const packs = new PackWorkspace();
let v1: Model;
let v2: Model;

beforeAll(async () => {
  db = await createTestDatabase();
  v1 = packs.model(SALES);
  v2 = packs.model(SALES_V2);
});
afterAll(async () => {
  await db?.dispose();
  packs.dispose();
});
beforeEach(async () => {
  await resetDatabase(db.knex);
});

async function refusal(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof EngineError)) throw new Error(`expected an EngineError, got ${String(error)}`);
  return error;
}

async function insertCustomer(values: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  await db.knex('customer').insert({ id, name: `Customer ${id.slice(0, 8)}`, ...values });
  return id;
}

describe('applySchema: first apply and re-apply', () => {
  it('creates tables, columns, indexes and foreign keys, and records version 1', async () => {
    const result = await applySchema(db.knex, v1, BUILTIN_RULES);
    expect(result.changed).toBe(true);
    expect(result.version).toBe(1);
    const coreTables = desiredTables(packs.coreModel()).map((t) => t.name);
    expect(await tableNames(db.knex)).toEqual(
      [...coreTables, 'customer', 'customer_segments', 'region', 'segment', 'tessera_schema_history', 'visit'].sort(),
    );
    const columns = await db.knex.raw<{ rows: Array<{ column_name: string; data_type: string; is_nullable: string }> }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'customer' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable}`)).toEqual([
      'id uuid NO',
      'created_at timestamp with time zone NO',
      'updated_at timestamp with time zone NO',
      'version integer NO',
      'deleted_at timestamp with time zone YES',
      'name character varying NO',
      'code character varying YES',
      'notes text YES',
      'employees integer YES',
      'rating numeric YES',
      'annual_revenue numeric YES',
      'annual_revenue_currency character YES',
      'active boolean NO',
      'founded_on date YES',
      'last_contact_at timestamp with time zone YES',
      'status text NO',
      'industries ARRAY YES',
      'email character varying YES',
      'phone character varying YES',
      'website text YES',
      'extra jsonb YES',
      'region_id uuid YES',
      'owner_id uuid YES',
      'external_ref text YES',
      'legacy_code text YES',
    ]);
    const fks = await db.knex.raw<{ rows: Array<{ conname: string; def: string }> }>(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND conrelid = 'visit'::regclass`,
    );
    expect(fks.rows).toEqual([
      { conname: 'visit_customer_id_fkey', def: 'FOREIGN KEY (customer_id) REFERENCES customer(id) ON DELETE CASCADE' },
    ]);
    expect(await indexDefinition(db.knex, 'customer_by_status_revenue_idx')).toBe(
      'CREATE INDEX customer_by_status_revenue_idx ON public.customer USING btree (status, annual_revenue DESC, annual_revenue_currency DESC)',
    );
    expect(await indexDefinition(db.knex, 'customer_name_key')).toBe(
      'CREATE UNIQUE INDEX customer_name_key ON public.customer USING btree (name) WHERE (deleted_at IS NULL)',
    );
    expect(await historyVersions(db.knex)).toEqual([1]);
    const [row] = await listHistory(db.knex);
    expect(row).toMatchObject({
      version: 1,
      hash: v1.hash,
      packs: [
        { name: 'core', version: expect.any(String) },
        { name: 'sales', version: '1.0.0' },
      ],
    });
    expect(row?.plan.length).toBe(result.plan.steps.length);
  });

  it('leaves the catalog exactly as the planner expects it (introspection round trip)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const live = normaliseCatalog(await introspectCatalog(db.knex), { onlyTagged: true });
    expect(live).toEqual(normaliseCatalog(catalogOf(v1)));
  });

  it('creates the partial index with the JSON Logic condition as its predicate', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    expect(await indexDefinition(db.knex, 'customer_active_by_name_idx')).toBe(
      "CREATE INDEX customer_active_by_name_idx ON public.customer USING btree (name) WHERE (status = 'active'::text)",
    );
  });

  it('is a no-op the second time: no change, no new history row', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const before = await databaseState(db.knex);
    const again = await applySchema(db.knex, v1, BUILTIN_RULES);
    expect(again).toMatchObject({ changed: false, version: 1 });
    expect(again.plan.steps).toEqual([]);
    expect(await databaseState(db.knex)).toEqual(before);
    expect(await previewSchema(db.knex, v1, BUILTIN_RULES)).toEqual({ modelHash: v1.hash, steps: [] });
  });

  it('records a new version when only labels change (no steps)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const relabelled = packs.model(SALES, (p) => {
      entityOf(p, 'customer').label = { en: 'Client' };
    });
    const result = await applySchema(db.knex, relabelled, BUILTIN_RULES);
    expect(result).toMatchObject({ changed: true, version: 2 });
    expect(result.plan.steps).toEqual([]);
  });
});

describe('applySchema: defaults of every kind', () => {
  const withDefaults = (fields: FieldFileSpec[]) =>
    packs.model(SALES, (p) => {
      entityOf(p, 'region').fields.push(...fields);
    });
  const f = (name: string, kind: string, extra: Partial<FieldFileSpec>): FieldFileSpec => ({
    id: `x.${name}`,
    name,
    kind,
    label: { en: name },
    ...extra,
  });

  it('creates columns whose database default is the field default', async () => {
    const model = withDefaults([
      f('d_text', 'text', { default: "it's" }),
      f('d_longtext', 'longtext', { default: 'long' }),
      f('d_integer', 'integer', { default: -7 }),
      f('d_decimal', 'decimal', { default: '12.50' }),
      f('d_currency', 'currency', { default: { amount: '9.99', currency: 'EUR' } }),
      f('d_boolean', 'boolean', { default: false }),
      f('d_date', 'date', { default: '2024-02-29' }),
      f('d_now', 'datetime', { default: 'now' }),
      f('d_datetime', 'datetime', { default: '2024-01-01T00:00:00Z' }),
      f('d_enum', 'enum', { values: [{ value: 'x', label: { en: 'X' } }], default: 'x' }),
      f('d_multienum', 'multienum', {
        values: [
          { value: 'x', label: { en: 'X' } },
          { value: 'y', label: { en: 'Y' } },
        ],
        default: ['x', 'y'],
      }),
      f('d_email', 'email', { default: 'a@example.com' }),
      f('d_phone', 'phone', { default: '+86 10 1234' }),
      f('d_url', 'url', { default: 'https://example.com' }),
      f('d_json', 'json', { default: { a: [1, 'two'] } }),
    ]);
    await applySchema(db.knex, model, BUILTIN_RULES);
    await db.knex('region').insert({ id: randomUUID(), name: 'North' });
    const row = (await db.knex('region').first('*')) as Record<string, unknown>;
    expect(row).toMatchObject({
      d_text: "it's",
      d_longtext: 'long',
      d_integer: -7,
      d_decimal: '12.50',
      d_currency: '9.99',
      d_currency_currency: 'EUR',
      d_boolean: false,
      d_date: '2024-02-29',
      d_datetime: '2024-01-01T00:00:00.000000Z',
      d_enum: 'x',
      d_multienum: ['x', 'y'],
      d_email: 'a@example.com',
      d_phone: '+86 10 1234',
      d_url: 'https://example.com',
      d_json: { a: [1, 'two'] },
    });
    expect(typeof row.d_now).toBe('string');
    expect((await applySchema(db.knex, model, BUILTIN_RULES)).changed).toBe(false);
  });

  it.each([
    ['a string', 'hello', 'hello'],
    ['a number', 5, 5],
    ['a boolean', true, true],
    ['an array', [1, 2], [1, 2]],
  ])('creates a json field whose default is %s (issue 2: json defaults)', async (_what, value, stored) => {
    const result = await applySchema(db.knex, withDefaults([f('d_json', 'json', { default: value })]), BUILTIN_RULES).catch(
      (e: unknown) => e,
    );
    expect(result).toMatchObject({ changed: true });
    await db.knex('region').insert({ id: randomUUID(), name: 'North' });
    expect(await db.knex('region').first('d_json')).toEqual({ d_json: stored });
  });
});

describe('applySchema: destructive changes', () => {
  /** v1 without legacy_code and without the segment entity (and so without customer.segments). */
  const shrink = () =>
    packs.model(SALES, (p) => {
      const customer = entityOf(p, 'customer');
      customer.fields = customer.fields.filter((f) => f.name !== 'legacy_code' && f.name !== 'segments');
      p.entities = p.entities.filter((e) => e.name !== 'segment');
    });

  async function seed(): Promise<{ customers: string[]; segments: string[] }> {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const customers = [await insertCustomer({ legacy_code: 'L-1' }), await insertCustomer({ legacy_code: 'L-2' }), await insertCustomer()];
    const segments = [randomUUID(), randomUUID()];
    await db.knex('segment').insert(segments.map((id, i) => ({ id, name: `Segment ${i}` })));
    await db.knex('customer_segments').insert({ source_id: customers[0], target_id: segments[0] });
    return { customers, segments };
  }

  it('refuses them, names the row counts in the plan, and leaves data intact', async () => {
    await seed();
    const before = await databaseState(db.knex);
    const error = await refusal(applySchema(db.knex, shrink(), BUILTIN_RULES));
    expect(error.code).toBe('schema.destructive');
    expect(error.detail).toContain('re-run with --allow-destructive');
    const plan = error.extra.plan as AssessedPlan;
    const refused = plan.steps.filter((s) => s.refused).map((s) => [s.op, s.summary, s.rows]);
    expect(refused).toEqual([
      ['dropColumn', 'drop column customer.legacy_code', 2],
      ['dropTable', 'drop table customer_segments', 1],
      ['dropTable', 'drop table segment', 2],
    ]);
    expect(error.detail).toContain('drop column customer.legacy_code (2 rows)');
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('previews the same refusals without applying', async () => {
    await seed();
    const plan = await previewSchema(db.knex, shrink(), BUILTIN_RULES);
    expect(plan.steps.filter((s) => s.refused).map((s) => s.rows)).toEqual([2, 1, 2]);
    const allowed = await previewSchema(db.knex, shrink(), BUILTIN_RULES, true);
    expect(allowed.steps.filter((s) => s.refused)).toEqual([]);
  });

  it('applies them with allowDestructive, keeping the other data', async () => {
    const { customers } = await seed();
    const result = await applySchema(db.knex, shrink(), BUILTIN_RULES, { allowDestructive: true });
    expect(result).toMatchObject({ changed: true, version: 2 });
    expect(await tableNames(db.knex)).not.toContain('segment');
    expect(await tableNames(db.knex)).not.toContain('customer_segments');
    const rows = await db.knex('customer').select('*').orderBy('name');
    expect(rows).toHaveLength(3);
    expect(rows.map((r: Record<string, unknown>) => r.id).sort()).toEqual([...customers].sort());
    expect(Object.keys(rows[0] as object)).not.toContain('legacy_code');
    expect(await historyVersions(db.knex)).toEqual([1, 2]);
  });

  it('refuses to make a column with empty values required when there is no default', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    await insertCustomer();
    const phoneRequired = packs.model(SALES, (p) => {
      Object.assign(entityOf(p, 'customer').fields.find((f) => f.name === 'phone') ?? {}, { required: true });
    });
    const error = await refusal(applySchema(db.knex, phoneRequired, BUILTIN_RULES, { allowDestructive: true }));
    expect(error.code).toBe('schema.blocked');
    const plan = error.extra.plan as AssessedPlan;
    expect(plan.steps.filter((s) => s.refused)).toEqual([expect.objectContaining({ op: 'setNotNull', refused: 'blocked', rows: 1 })]);
  });

  it('fills empty values from the default when a field becomes required: the pack said what to do, so no consent is asked (#18)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const id = await insertCustomer();
    const employeesRequired = packs.model(SALES, (p) => {
      Object.assign(entityOf(p, 'customer').fields.find((f) => f.name === 'employees') ?? {}, { required: true, default: 5 });
    });
    const result = await applySchema(db.knex, employeesRequired, BUILTIN_RULES);
    expect(result.plan.steps.find((s) => s.op === 'setNotNull')).toMatchObject({ rows: 1, risk: { kind: 'rewritesRows' } });
    expect(await db.knex('customer').where({ id }).first('employees')).toEqual({ employees: 5 });
  });

  it('adds a required field without default to an empty table, and refuses it on a table with rows', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const withTaxId = packs.model(SALES, (p) => {
      entityOf(p, 'region').fields.push({ id: 'x.tax', name: 'tax_id', kind: 'text', label: { en: 'Tax' }, required: true });
    });
    await db.knex('region').insert({ id: randomUUID(), name: 'North' });
    expect((await refusal(applySchema(db.knex, withTaxId, BUILTIN_RULES))).code).toBe('schema.blocked');
    await db.knex('region').del();
    await applySchema(db.knex, withTaxId, BUILTIN_RULES);
    const col = await db.knex.raw<{ rows: Array<{ is_nullable: string }> }>(
      `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'region' AND column_name = 'tax_id'`,
    );
    expect(col.rows).toEqual([{ is_nullable: 'NO' }]);
  });
});

describe('applySchema: renames keep data', () => {
  it('renames an entity and a field (same ids) without touching rows', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const customer = await insertCustomer({ website: 'https://example.com' });
    const visit = randomUUID();
    await db.knex('visit').insert({ id: visit, customer_id: customer, summary: 'Lunch' });
    const renamed = packs.model(SALES, (p) => {
      const v = entityOf(p, 'visit');
      v.name = 'customer_visit';
      const website = entityOf(p, 'customer').fields.find((f) => f.name === 'website');
      if (website) website.name = 'homepage';
    });
    const result = await applySchema(db.knex, renamed, BUILTIN_RULES);
    expect(result.plan.steps.map((s) => s.op)).toEqual(expect.arrayContaining(['renameTable', 'renameColumn', 'renameIndex']));
    expect(result.plan.steps.some((s) => s.op === 'dropTable' || s.op === 'dropColumn' || s.op === 'createTable')).toBe(false);
    expect(await db.knex('customer_visit').select('id', 'customer_id', 'summary')).toEqual([
      { id: visit, customer_id: customer, summary: 'Lunch' },
    ]);
    expect(await db.knex('customer').where({ id: customer }).first('homepage')).toEqual({ homepage: 'https://example.com' });
    // The foreign key survived the rename and still protects the data.
    await expect(db.knex('customer_visit').insert({ id: randomUUID(), customer_id: randomUUID() })).rejects.toThrow(/foreign key/);
    // Foreign keys keep the name they were created with (visit_customer_id_fkey); everything else matches.
    const withoutFkNames = (c: Catalog): Catalog => ({
      tables: c.tables.map((t) => ({
        ...t,
        foreignKeys: t.foreignKeys.map((fk) => ({ ...fk, name: '' })).sort((a, b) => a.column.localeCompare(b.column)),
      })),
    });
    expect(withoutFkNames(normaliseCatalog(await introspectCatalog(db.knex), { onlyTagged: true }))).toEqual(
      withoutFkNames(normaliseCatalog(catalogOf(renamed))),
    );
    expect((await applySchema(db.knex, renamed, BUILTIN_RULES)).changed).toBe(false);
  });

  it('renames a field and adds a new field with the old name in one change (issue 2: name swap)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const id = await insertCustomer({ code: 'C-1' });
    const swapped = packs.model(SALES, (p) => {
      const customer = entityOf(p, 'customer');
      customer.fields = customer.fields.map((f) => (f.name === 'code' ? { ...f, name: 'old_code' } : f));
      customer.fields.push({ id: 'x.customer.code2', name: 'code', kind: 'text', label: { en: 'New code' }, maxLength: 40 });
    });
    const result = await applySchema(db.knex, swapped, BUILTIN_RULES).catch((e: unknown) => e);
    expect(result).toMatchObject({ changed: true, version: 2 });
    expect(await db.knex('customer').where({ id }).first('old_code', 'code')).toEqual({ old_code: 'C-1', code: null });
    // The declared unique index on `code` must cover the new column, not follow the renamed one.
    expect(await indexDefinition(db.knex, 'customer_code_unique_idx')).toBe(
      'CREATE UNIQUE INDEX customer_code_unique_idx ON public.customer USING btree (code) WHERE (deleted_at IS NULL)',
    );
  });

  it('replaces a field by a new field with the same name and another id (issue 2: drop before add)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    await insertCustomer({ legacy_code: 'L-1' });
    const replaced = packs.model(SALES, (p) => {
      const customer = entityOf(p, 'customer');
      customer.fields = customer.fields.map((f) =>
        f.name === 'legacy_code'
          ? { id: 'x.customer.legacy_code2', name: 'legacy_code', kind: 'integer', label: { en: 'Legacy number' } }
          : f,
      );
    });
    const result = await applySchema(db.knex, replaced, BUILTIN_RULES, { allowDestructive: true }).catch((e: unknown) => e);
    expect(result).toMatchObject({ changed: true, version: 2 });
    expect(await db.knex('customer').first('legacy_code')).toEqual({ legacy_code: null });
  });

  it('renames a relation field, then adds a new relation with the old name (issue 2: kept foreign key names)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const customer = await insertCustomer();
    await db.knex('visit').insert({ id: randomUUID(), customer_id: customer });
    const rename = (p: PackSource) => {
      const visit = entityOf(p, 'visit');
      visit.fields = visit.fields.map((f) =>
        f.name === 'customer' ? { ...f, name: 'first_customer', inverse: { name: 'first_visits', label: { en: 'First visits' } } } : f,
      );
      visit.indexes = [];
    };
    await applySchema(db.knex, packs.model(SALES, rename), BUILTIN_RULES);
    const reused = packs.model(SALES, (p) => {
      rename(p);
      entityOf(p, 'visit').fields.push({
        id: 'x.visit.customer2',
        name: 'customer',
        kind: 'relation',
        target: 'customer',
        label: { en: 'Customer' },
      });
    });
    // The renamed column's foreign key is still called visit_customer_id_fkey, the name the new one needs.
    const result = await applySchema(db.knex, reused, BUILTIN_RULES).catch((e: unknown) => e);
    expect(result).toMatchObject({ changed: true, version: 3 });
    expect(await db.knex('visit').select('first_customer_id', 'customer_id')).toEqual([{ first_customer_id: customer, customer_id: null }]);
  });

  it('renames a manyToMany owner and its junction table without losing links', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const customer = await insertCustomer();
    const segment = randomUUID();
    await db.knex('segment').insert({ id: segment, name: 'SMB' });
    await db.knex('customer_segments').insert({ source_id: customer, target_id: segment });
    const renamed = packs.model(SALES, (p) => {
      entityOf(p, 'customer').name = 'client';
      entityOf(p, 'visit').fields.forEach((f) => {
        if (f.target === 'customer') f.target = 'client';
      });
    });
    await applySchema(db.knex, renamed, BUILTIN_RULES);
    expect(await db.knex('client_segments').select('source_id', 'target_id')).toEqual([{ source_id: customer, target_id: segment }]);
    expect((await applySchema(db.knex, renamed, BUILTIN_RULES)).changed).toBe(false);
  });
});

describe('applySchema: every step kind on a real database', () => {
  it('migrates the empty sales v1 to v2 and ends exactly where the planner says', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const result = await applySchema(db.knex, v2, BUILTIN_RULES, { allowDestructive: true });
    expect(result).toMatchObject({ changed: true, version: 2 });
    expect(normaliseCatalog(await introspectCatalog(db.knex), { onlyTagged: true })).toEqual(normaliseCatalog(catalogOf(v2)));
    expect((await applySchema(db.knex, v2, BUILTIN_RULES)).changed).toBe(false);
  });

  it('refuses v2 on a v1 database with data: the new required field has no default', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    await insertCustomer({ phone: '+86 10 1234 5678' });
    const before = await databaseState(db.knex);
    const error = await refusal(applySchema(db.knex, v2, BUILTIN_RULES, { allowDestructive: true }));
    expect(error.code).toBe('schema.blocked');
    expect(error.detail).toContain('make customer.tax_id required');
    expect(await databaseState(db.knex)).toEqual(before);
  });
});

describe('applySchema: a failing apply changes nothing', () => {
  it('rolls back every step when a unique index meets duplicate data', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    await insertCustomer({ phone: '+86 555 0100' });
    await insertCustomer({ phone: '+86 555 0100' });
    const before = await databaseState(db.knex);
    const uniquePhone = packs.model(SALES, (p) => {
      const customer = entityOf(p, 'customer');
      Object.assign(customer.fields.find((f) => f.name === 'phone') ?? {}, { unique: true });
      customer.fields.push({ id: 'x.fax', name: 'fax', kind: 'phone', label: { en: 'Fax' } });
      p.entities.push({
        id: 'x.lead',
        name: 'lead',
        label: { en: 'Lead' },
        fields: [{ id: 'x.lead.name', name: 'name', kind: 'text', label: { en: 'Name' } }],
      });
    });
    const error = await refusal(applySchema(db.knex, uniquePhone, BUILTIN_RULES));
    expect(error.code).toBe('schema.apply_failed');
    expect(error.detail).toMatch(/\(add unique index customer_phone_key on customer \(phone\)\) failed: .*nothing was changed/);
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('names the failing step by its position in the plan (issue 2: step number)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    await insertCustomer({ phone: '+86 555 0100' });
    await insertCustomer({ phone: '+86 555 0100' });
    const uniquePhone = packs.model(SALES, (p) => {
      Object.assign(entityOf(p, 'customer').fields.find((f) => f.name === 'phone') ?? {}, { unique: true });
      entityOf(p, 'customer').fields.push({ id: 'x.fax', name: 'fax', kind: 'phone', label: { en: 'Fax' } });
    });
    const steps = (await previewSchema(db.knex, uniquePhone, BUILTIN_RULES)).steps.map((s) => s.summary);
    const position = steps.indexOf('add unique index customer_phone_key on customer (phone)') + 1;
    expect(position).toBeGreaterThan(1);
    const error = await refusal(applySchema(db.knex, uniquePhone, BUILTIN_RULES));
    expect(error.detail).toMatch(new RegExp(`^step ${position} of ${steps.length}|^step ${position} \\(`));
  });

  it('fails cleanly when a relation is retargeted while rows point at the old target', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const region = randomUUID();
    await db.knex('region').insert({ id: region, name: 'North' });
    await insertCustomer({ region_id: region });
    const before = await databaseState(db.knex);
    const retargeted = packs.model(SALES, (p) => {
      const f = entityOf(p, 'customer').fields.find((x) => x.name === 'region');
      if (f) f.target = 'segment';
    });
    const error = await refusal(applySchema(db.knex, retargeted, BUILTIN_RULES, { allowDestructive: true }));
    // The plan does not count these rows (no risk on the step), so the failure comes from the database.
    expect(['schema.apply_failed', 'schema.blocked']).toContain(error.code);
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('counts the values a lower maxLength refuses: refused, then cleared with allowDestructive (#18)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const long = await insertCustomer({ code: 'C'.repeat(30) });
    const short = await insertCustomer({ code: 'C'.repeat(20) });
    const before = await databaseState(db.knex);
    const narrow = packs.model(SALES, (p) => {
      Object.assign(entityOf(p, 'customer').fields.find((f) => f.name === 'code') ?? {}, { maxLength: 20 });
    });
    const refused = await refusal(applySchema(db.knex, narrow, BUILTIN_RULES));
    expect(refused.code).toBe('schema.destructive');
    expect((refused.extra.plan as AssessedPlan).steps.filter((s) => s.refused)).toEqual([
      expect.objectContaining({ op: 'checkValues', rows: 1, table: 'customer' }),
    ]);
    expect(await databaseState(db.knex)).toEqual(before);
    await applySchema(db.knex, narrow, BUILTIN_RULES, { allowDestructive: true });
    expect(await db.knex('customer').whereIn('id', [long, short]).orderBy('code').select('code')).toEqual([
      { code: 'C'.repeat(20) },
      { code: null },
    ]);
  });

  it('applies a narrowing whose values all fit', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    await insertCustomer({ code: 'SHORT' });
    const narrow = packs.model(SALES, (p) => {
      Object.assign(entityOf(p, 'customer').fields.find((f) => f.name === 'code') ?? {}, { maxLength: 20 });
    });
    const result = await applySchema(db.knex, narrow, BUILTIN_RULES);
    expect(result.plan.steps).toEqual([
      expect.objectContaining({ op: 'checkValues', rows: 0 }),
      expect.objectContaining({ op: 'alterColumnType' }),
    ]);
  });
});
