// #18 part 4: every change that narrows what a field accepts looks at the stored rows. Rows the new rules
// refuse are counted; the pack says what becomes of them (a valueMap, a default) or the admin consents
// (allowDestructive: they are cleared); otherwise the apply is refused and nothing changes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FieldFileSpec } from '../../../engine/src/metadata/pack-spec.js';
import { applySchema } from '../../../engine/src/schema/apply-schema.js';
import type { AssessedPlan } from '../../../engine/src/schema/plan.js';
import { EngineError } from '../../../engine/src/shared/engine-error.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';
import { entityOf } from '../../support/pack-builder.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { databaseState, PackWorkspace, resetDatabase, SALES } from './schema-support.js';

let db: TestDatabase;
const packs = new PackWorkspace();

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.dispose();
  packs.dispose();
});
beforeEach(async () => {
  await resetDatabase(db.knex);
  await applySchema(db.knex, packs.model(SALES), BUILTIN_RULES);
});

/** The sales pack with one customer field changed. */
function withField(name: string, change: Partial<FieldFileSpec>) {
  return packs.model(SALES, (p) => {
    const field = entityOf(p, 'customer').fields.find((f) => f.name === name);
    if (!field) throw new Error(`no field ${name}`);
    Object.assign(field, change);
  });
}

async function customer(values: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  await db.knex('customer').insert({ id, name: `Customer ${id.slice(0, 8)}`, ...values });
  return id;
}

const valueOf = async (id: string, column: string): Promise<unknown> => (await db.knex('customer').where({ id }).first(column))?.[column];

async function refused(model: ReturnType<typeof withField>, code: string): Promise<AssessedPlan> {
  const before = await databaseState(db.knex);
  const error = await applySchema(db.knex, model, BUILTIN_RULES).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  expect(await databaseState(db.knex)).toEqual(before);
  return (error as EngineError).extra.plan as AssessedPlan;
}

const values = (...names: string[]) => names.map((value) => ({ value, label: { en: value } }));

describe('narrowing changes count the rows they would break', () => {
  it('removing an enum value in use on a nullable field: refused with the count, cleared only with consent', async () => {
    const both = await customer({ industries: ['retail', 'finance'] });
    const retail = await customer({ industries: ['retail'] });
    const narrowed = withField('industries', { values: values('retail') });
    const plan = await refused(narrowed, 'schema.destructive');
    expect(plan.steps.filter((s) => s.refused)).toEqual([expect.objectContaining({ op: 'checkValues', rows: 1 })]);
    await applySchema(db.knex, narrowed, BUILTIN_RULES, { allowDestructive: true });
    expect(await valueOf(both, 'industries')).toBeNull();
    expect(await valueOf(retail, 'industries')).toEqual(['retail']);
  });

  it('a valueMap renames stored values in the same transaction, merging duplicates, and needs no consent', async () => {
    const both = await customer({ industries: ['finance', 'retail'] });
    const mapped = withField('industries', { values: values('shops', 'banking'), valueMap: { retail: 'shops', finance: 'banking' } });
    const result = await applySchema(db.knex, mapped, BUILTIN_RULES);
    expect(result.plan.steps.find((s) => s.op === 'checkValues')).toMatchObject({
      summary: expect.stringContaining('renamed values mapped'),
    });
    expect(await valueOf(both, 'industries')).toEqual(['banking', 'shops']);
    const merged = await customer({ industries: ['shops', 'banking'] });
    await applySchema(
      db.knex,
      withField('industries', { values: values('all'), valueMap: { shops: 'all', banking: 'all' } }),
      BUILTIN_RULES,
    );
    expect(await valueOf(merged, 'industries')).toEqual(['all']);
  });

  it('removing a value of a required enum with a default: rows in use get the default (the pack said so)', async () => {
    const churned = await customer({ status: 'churned' });
    const result = await applySchema(db.knex, withField('status', { values: values('prospect', 'active') }), BUILTIN_RULES);
    expect(result.plan.steps.find((s) => s.op === 'checkValues')).toMatchObject({ rows: 1, risk: { kind: 'rewritesRows' } });
    expect(await valueOf(churned, 'status')).toBe('prospect');
  });

  it('a required enum without a default cannot lose a value in use, even with consent', async () => {
    await customer({ status: 'churned' });
    const narrowed = packs.model(SALES, (p) => {
      const status = entityOf(p, 'customer').fields.find((f) => f.name === 'status');
      if (!status) throw new Error('no status');
      status.values = values('prospect', 'active');
      delete status.default;
    });
    const plan = await refused(narrowed, 'schema.blocked');
    expect(plan.steps.filter((s) => s.refused)).toEqual([expect.objectContaining({ op: 'checkValues', rows: 1, refused: 'blocked' })]);
  });

  it('turning text into an enum counts the values outside it; a valueMap settles them', async () => {
    const a = await customer({ legacy_code: 'A' });
    const z = await customer({ legacy_code: 'Z' });
    const asEnum = { kind: 'enum', values: values('A', 'B') } as const;
    await refused(withField('legacy_code', asEnum), 'schema.destructive');
    await applySchema(db.knex, withField('legacy_code', { ...asEnum, valueMap: { Z: 'B' } }), BUILTIN_RULES);
    expect([await valueOf(a, 'legacy_code'), await valueOf(z, 'legacy_code')]).toEqual(['A', 'B']);
  });

  it('adding a pattern counts the values that miss it', async () => {
    await customer({ code: 'ABC' });
    await customer({ code: 'abc' });
    const plan = await refused(withField('code', { pattern: '^[A-Z]+$' }), 'schema.destructive');
    expect(plan.steps.find((s) => s.refused)).toMatchObject({ op: 'checkValues', rows: 1 });
  });

  it('a pattern with a ? (and the backslash before it) is counted, applied and recorded as written', async () => {
    await customer({ code: 'A?B' });
    await customer({ code: 'AB' });
    const pattern = '^A\\?B$';
    const plan = await refused(withField('code', { pattern }), 'schema.destructive');
    expect(plan.steps.find((s) => s.refused)).toMatchObject({ op: 'checkValues', rows: 1 });
    await applySchema(db.knex, withField('code', { pattern }), BUILTIN_RULES, { allowDestructive: true });
    // The column's recorded rules read back as the pack says, so the next plan has nothing to do.
    const again = await applySchema(db.knex, withField('code', { pattern }), BUILTIN_RULES);
    expect(again.plan.steps).toEqual([]);
  });

  it('tightening min and max counts the values outside, compared in the column type', async () => {
    await customer({ employees: 5 });
    await customer({ employees: 50 });
    await customer({ rating: '99.50' });
    expect((await refused(withField('employees', { min: 10 }), 'schema.destructive')).steps.find((s) => s.refused)).toMatchObject({
      rows: 1,
    });
    expect((await refused(withField('employees', { max: 40 }), 'schema.destructive')).steps.find((s) => s.refused)).toMatchObject({
      rows: 1,
    });
    expect((await refused(withField('rating', { max: '99.49' }), 'schema.destructive')).steps.find((s) => s.refused)).toMatchObject({
      rows: 1,
    });
    await applySchema(db.knex, withField('rating', { max: '99.50' }), BUILTIN_RULES);
  });

  it('making a field required without a default is blocked while rows have no value', async () => {
    await customer({});
    const plan = await refused(withField('code', { required: true }), 'schema.blocked');
    expect(plan.steps.find((s) => s.refused)).toMatchObject({ op: 'setNotNull', rows: 1 });
  });

  it('a widening change and a second apply have nothing to count (a valueMap left in the pack does nothing more)', async () => {
    const mapped = withField('status', { values: values('prospect', 'active', 'lost'), valueMap: { churned: 'lost' } });
    const churned = await customer({ status: 'churned' });
    await applySchema(db.knex, mapped, BUILTIN_RULES);
    expect(await valueOf(churned, 'status')).toBe('lost');
    const again = await applySchema(db.knex, mapped, BUILTIN_RULES);
    expect(again).toMatchObject({ changed: false });
    const widened = await applySchema(
      db.knex,
      withField('status', { values: values('prospect', 'active', 'lost', 'paused'), valueMap: { churned: 'lost' } }),
      BUILTIN_RULES,
    );
    expect(widened.plan.steps).toEqual([
      expect.objectContaining({ op: 'checkValues', summary: expect.stringContaining('record the value rules of customer.status') }),
    ]);
    expect(widened.plan.steps[0]?.risk).toBeUndefined();
  });

  it('enum values are data: spaces and punctuation are stored and compared as they are', async () => {
    const spaced = withField('status', { values: values('prospect', 'Real Estate', "O'Brien & Co"), default: 'prospect' });
    await applySchema(db.knex, spaced, BUILTIN_RULES);
    const id = await customer({ status: "O'Brien & Co" });
    const narrowed = withField('status', {
      values: values('prospect', 'Real Estate'),
      valueMap: { "O'Brien & Co": 'Real Estate' },
      default: 'prospect',
    });
    await applySchema(db.knex, narrowed, BUILTIN_RULES);
    expect(await valueOf(id, 'status')).toBe('Real Estate');
  });
});
