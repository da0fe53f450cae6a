// planSchema(catalog, model, rules) is pure: golden plans for the fixture packs (tests/fixtures/packs/sales and
// sales-v2), every step kind with its summary and risk, and "apply, then plan again" is empty.
// Goldens start from core already applied, so they change only when the fixtures (or the planner) do.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import type { Model } from '../../../../engine/src/metadata/model.js';
import { EMPTY_CATALOG, type Catalog } from '../../../../engine/src/schema/catalog.js';
import { formatPlan } from '../../../../engine/src/schema/format-plan.js';
import type { SchemaPlan, StepOp } from '../../../../engine/src/schema/plan.js';
import { planSchema } from '../../../../engine/src/schema/plan-schema.js';
import { basePack, entityOf, makeTempDir, removeDir, writePackSource, type PackSource } from '../../../support/pack-builder.js';
import { catalogOf, withTable } from './catalog-of.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const CORE = resolve('metadata/packs/core');
const SALES = resolve('tests/fixtures/packs/sales');
const SALES_V2 = resolve('tests/fixtures/packs/sales-v2');

const core = loadModel([CORE], { kinds: BUILTIN_RULES.kinds });
const v1 = loadModel([SALES, CORE], { kinds: BUILTIN_RULES.kinds });
const v2 = loadModel([SALES_V2, CORE], { kinds: BUILTIN_RULES.kinds });

/** What a person reads: step, risk and SQL. Golden files hold exactly this. */
const render = (plan: SchemaPlan) => formatPlan(plan, { sql: true }) + '\n';
const outline = (plan: SchemaPlan) => plan.steps.map((s) => [s.op, s.summary, s.risk?.kind ?? null]);

function modelOf(pack: PackSource): Model {
  const dir = makeTempDir('tessera-plan-');
  try {
    return loadModel([writePackSource(`${dir}/${pack.manifest.name}`, pack)], { kinds: BUILTIN_RULES.kinds });
  } finally {
    removeDir(dir);
  }
}

describe('planSchema: golden plans', () => {
  it('creates the sales pack (every field kind) on top of core', async () => {
    await expect(render(planSchema(catalogOf(core), v1, BUILTIN_RULES))).toMatchFileSnapshot('__golden__/sales-create.plan.txt');
  });

  it('migrates sales v1 to sales v2', async () => {
    await expect(render(planSchema(catalogOf(v1), v2, BUILTIN_RULES))).toMatchFileSnapshot('__golden__/sales-v1-to-v2.plan.txt');
  });
});

describe('planSchema: nothing to do', () => {
  it.each([
    ['core', core],
    ['sales v1', v1],
    ['sales v2', v2],
  ])('plans nothing once %s is applied', (_name, model) => {
    expect(planSchema(catalogOf(model), model, BUILTIN_RULES).steps).toEqual([]);
  });

  it('plans nothing for an empty model on an empty database', () => {
    expect(planSchema(EMPTY_CATALOG, loadModel([], { kinds: BUILTIN_RULES.kinds }), BUILTIN_RULES).steps).toEqual([]);
  });

  it('carries the model hash', () => {
    expect(planSchema(EMPTY_CATALOG, v1, BUILTIN_RULES).modelHash).toBe(v1.hash);
  });

  it("ignores tables that are not Tessera's", () => {
    const foreign: Catalog = {
      tables: [
        ...catalogOf(v1).tables,
        { name: 'legacy_orders', columns: [{ name: 'id', type: { base: 'integer' }, nullable: false }], indexes: [], foreignKeys: [] },
      ],
    };
    expect(planSchema(foreign, v1, BUILTIN_RULES).steps).toEqual([]);
  });
});

describe('planSchema: creating sales v1', () => {
  const plan = planSchema(catalogOf(core), v1, BUILTIN_RULES);

  it('creates every table, then foreign keys, then indexes', () => {
    const ops = plan.steps.map((s) => s.op);
    expect([...new Set(ops)]).toEqual(['createTable', 'addForeignKey', 'addIndex']);
    expect(plan.steps.filter((s) => s.op === 'createTable').map((s) => s.table)).toEqual([
      'customer',
      'customer_segments',
      'region',
      'segment',
      'visit',
    ]);
    expect(plan.steps.every((s) => s.risk === undefined)).toBe(true);
  });

  it('stores every field kind in the right column types', () => {
    const create = plan.steps.find((s) => s.op === 'createTable' && s.table === 'customer');
    const ddl = create?.sql[0] ?? '';
    for (const line of [
      '"name" varchar(200) NOT NULL',
      '"code" varchar(40)',
      '"notes" text',
      '"employees" integer',
      '"rating" numeric(5,2)',
      '"annual_revenue" numeric(18,2)',
      '"annual_revenue_currency" char(3)',
      '"active" boolean DEFAULT true NOT NULL',
      '"founded_on" date',
      '"last_contact_at" timestamptz DEFAULT now()',
      '"status" text DEFAULT \'prospect\' NOT NULL',
      '"industries" text[]',
      '"email" varchar(320)',
      '"phone" varchar(32)',
      '"website" text',
      '"extra" jsonb',
      '"region_id" uuid',
      '"owner_id" uuid',
      '"id" uuid NOT NULL',
      '"created_at" timestamptz DEFAULT now() NOT NULL',
      '"version" integer DEFAULT 1 NOT NULL',
      '"deleted_at" timestamptz',
      'PRIMARY KEY ("id")',
    ])
      expect(ddl).toContain(`  ${line}`);
    expect(ddl).not.toContain('segments');
  });

  it('adds a foreign key per relation and user column and per junction side', () => {
    expect(plan.steps.filter((s) => s.op === 'addForeignKey').map((s) => s.summary)).toEqual([
      'add foreign key customer.region_id -> region.id (on delete restrict)',
      'add foreign key customer.owner_id -> app_user.id (on delete setNull)',
      'add foreign key customer_segments.source_id -> customer.id (on delete cascade)',
      'add foreign key customer_segments.target_id -> segment.id (on delete cascade)',
      'add foreign key visit.customer_id -> customer.id (on delete cascade)',
    ]);
  });

  it('indexes every belongsTo column and adds unique, composite, partial and descending indexes', () => {
    const sqlOf = (name: string) => plan.steps.find((s) => s.op === 'addIndex' && s.summary.includes(` ${name} `))?.sql[0];
    expect(sqlOf('customer_region_id_idx')).toBe('CREATE INDEX "customer_region_id_idx" ON "customer" ("region_id")');
    expect(sqlOf('customer_owner_id_idx')).toBe('CREATE INDEX "customer_owner_id_idx" ON "customer" ("owner_id")');
    expect(sqlOf('customer_name_key')).toBe('CREATE UNIQUE INDEX "customer_name_key" ON "customer" ("name") WHERE "deleted_at" IS NULL');
    expect(sqlOf('customer_by_status_revenue_idx')).toBe(
      'CREATE INDEX "customer_by_status_revenue_idx" ON "customer" ("status", "annual_revenue" DESC, "annual_revenue_currency" DESC)',
    );
    expect(sqlOf('customer_code_unique_idx')).toBe(
      'CREATE UNIQUE INDEX "customer_code_unique_idx" ON "customer" ("code") WHERE "deleted_at" IS NULL',
    );
    expect(sqlOf('customer_active_by_name_idx')).toMatch(
      /^CREATE INDEX "customer_active_by_name_idx" ON "customer" \("name"\) WHERE \(.*"status".*'active'.*\)$/,
    );
    expect(sqlOf('customer_recent_idx')).toBe('CREATE INDEX "customer_recent_idx" ON "customer" ("last_contact_at" DESC)');
    expect(sqlOf('customer_segments_target_idx')).toBe('CREATE INDEX "customer_segments_target_idx" ON "customer_segments" ("target_id")');
    expect(sqlOf('visit_by_customer_date_idx')).toBe(
      'CREATE INDEX "visit_by_customer_date_idx" ON "visit" ("customer_id", "visited_at" DESC)',
    );
  });

  it('tags every table, column and index so renames can be recognised', () => {
    const create = plan.steps.find((s) => s.op === 'createTable' && s.table === 'customer');
    expect(create?.sql).toContain('COMMENT ON TABLE "customer" IS \'tessera:{"key":"entity#sales.customer"}\'');
    expect(create?.sql).toContain(
      'COMMENT ON COLUMN "customer"."status" IS \'tessera:{"key":"sales.customer.status#value","default":"{\\"kind\\":\\"literal\\",\\"value\\":\\"prospect\\"}","rules":"{\\"values\\":[\\"prospect\\",\\"active\\",\\"churned\\"]}"}\'',
    );
    const index = plan.steps.find((s) => s.op === 'addIndex' && s.summary.includes('visit_by_customer_date_idx'));
    expect(index?.sql[1]).toMatch(
      /^COMMENT ON INDEX "visit_by_customer_date_idx" IS 'tessera:\{"key":"index#sales.visit.by_customer_date","sig":"[0-9a-f]{16}"\}'$/,
    );
  });
});

describe('planSchema: sales v1 -> v2, every step kind', () => {
  const plan = planSchema(catalogOf(v1), v2, BUILTIN_RULES);

  it('lists the steps in phase order with their risks', () => {
    expect(outline(plan)).toEqual([
      ['dropIndex', 'drop index customer_by_status_revenue_idx (definition changed)', null],
      ['dropIndex', 'drop index customer_recent_idx', null],
      ['dropForeignKey', 'drop foreign key customer_region_id_fkey', null],
      ['dropForeignKey', 'drop foreign key visit_customer_id_fkey', null],
      ['renameTable', 'rename table visit to customer_visit', null],
      ['renameColumn', 'rename column customer.website to homepage', null],
      ['renameIndex', 'rename index visit_customer_id_idx to customer_visit_customer_id_idx', null],
      ['renameIndex', 'rename index visit_by_customer_date_idx to customer_visit_by_customer_date_idx', null],
      ['dropColumn', 'drop column customer.legacy_code', 'destructive'],
      ['createTable', 'create table territory (6 columns)', null],
      ['addColumn', 'add column customer.priority integer', null],
      ['addColumn', 'add column customer.tax_id varchar(30)', null],
      ['checkValues', 'record the value rules of customer.name', null],
      ['checkValues', 'check stored values of customer.code against its new rules: they are cleared', 'destructiveIfRows'],
      ['alterColumnType', 'widen customer.name from varchar(200) to varchar(300)', null],
      ['alterColumnType', 'narrow customer.code from varchar(40) to varchar(20)', null],
      ['alterColumnType', 'convert customer.external_ref from text to integer', 'destructive'],
      ['setDefault', 'set default of customer.employees', null],
      ['setDefault', 'set default of customer.status', null],
      ['dropNotNull', 'make customer.active optional', null],
      ['setNotNull', 'make customer.employees required (empty values get the default)', 'rewritesRows'],
      ['setNotNull', 'make customer.phone required', 'blockedIfRows'],
      ['setNotNull', 'make customer.tax_id required', 'blockedIfRows'],
      ['addForeignKey', 'add foreign key customer.region_id -> territory.id (on delete restrict)', null],
      ['addForeignKey', 'add foreign key customer_visit.customer_id -> customer.id (on delete restrict)', null],
      ['addIndex', 'add index customer_by_status_revenue_idx on customer (status, -annual_revenue, -annual_revenue_currency, name)', null],
      ['dropTable', 'drop table customer_segments', 'destructive'],
      ['dropTable', 'drop table segment', 'destructive'],
    ]);
  });

  it('adds a new required field with a default in one statement, and one without as nullable first', () => {
    const sqlOf = (summary: string) => plan.steps.find((s) => s.summary === summary)?.sql[0];
    expect(sqlOf('add column customer.priority integer')).toBe('ALTER TABLE "customer" ADD COLUMN "priority" integer DEFAULT 3 NOT NULL');
    expect(sqlOf('add column customer.tax_id varchar(30)')).toBe('ALTER TABLE "customer" ADD COLUMN "tax_id" varchar(30)');
  });

  it('counts the rows each risky step touches, naming tables and columns as they are before the plan runs', () => {
    const countOf = (summary: string) => plan.steps.find((s) => s.summary === summary)?.risk?.countSql;
    expect(countOf('check stored values of customer.code against its new rules: they are cleared')).toBe(
      'SELECT count(*) AS count FROM "customer" WHERE "code" IS NOT NULL AND (char_length("code") > 20)',
    );
    expect(countOf('convert customer.external_ref from text to integer')).toBe('SELECT count("external_ref") AS count FROM "customer"');
    expect(countOf('make customer.employees required (empty values get the default)')).toBe(
      'SELECT count(*) AS count FROM "customer" WHERE "employees" IS NULL',
    );
    expect(countOf('make customer.phone required')).toBe('SELECT count(*) AS count FROM "customer" WHERE "phone" IS NULL');
    expect(countOf('make customer.tax_id required')).toBe('SELECT count(*) AS count FROM "customer"');
    expect(countOf('drop column customer.legacy_code')).toBe('SELECT count("legacy_code") AS count FROM "customer"');
    expect(countOf('drop table segment')).toBe('SELECT count(*) AS count FROM "segment"');
  });

  it("drops the old foreign key on the table's old name, before the rename", () => {
    expect(plan.steps.find((s) => s.summary === 'drop foreign key visit_customer_id_fkey')?.sql).toEqual([
      'ALTER TABLE "visit" DROP CONSTRAINT "visit_customer_id_fkey"',
    ]);
  });

  it('covers every step kind the planner can emit', () => {
    const ops = new Set<StepOp>(
      [...planSchema(catalogOf(v1), v2, BUILTIN_RULES).steps, ...planSchema(EMPTY_CATALOG, v1, BUILTIN_RULES).steps].map((s) => s.op),
    );
    expect([...ops].sort()).toEqual([
      'addColumn',
      'addForeignKey',
      'addIndex',
      'alterColumnType',
      'checkValues',
      'createTable',
      'dropColumn',
      'dropForeignKey',
      'dropIndex',
      'dropNotNull',
      'dropTable',
      'renameColumn',
      'renameIndex',
      'renameTable',
      'setDefault',
      'setNotNull',
    ]);
  });
});

describe('planSchema: conflicts and odd live states', () => {
  it('refuses to take over a table Tessera did not create', () => {
    const live: Catalog = {
      tables: [{ name: 'account', columns: [{ name: 'id', type: { base: 'integer' }, nullable: false }], indexes: [], foreignKeys: [] }],
    };
    expect(() => planSchema(live, modelOf(basePack()), BUILTIN_RULES)).toThrow(
      expect.objectContaining({ code: 'schema.conflict', detail: 'table account already exists and is not managed by Tessera' }),
    );
  });

  it('refuses to add a column over one Tessera did not create', () => {
    const pack = basePack();
    const model = modelOf(pack);
    const live = withTable(catalogOf(model), 'contact', (t) => ({
      ...t,
      columns: t.columns.map((c) => (c.name === 'email' ? { name: 'email', type: c.type, nullable: true } : c)),
    }));
    expect(() => planSchema(live, model, BUILTIN_RULES)).toThrow(
      expect.objectContaining({ code: 'schema.conflict', detail: 'column contact.email already exists and is not managed by Tessera' }),
    );
  });

  it("refuses to create a table whose name another entity's table still holds", () => {
    const before = basePack();
    const after = basePack();
    after.entities = after.entities.filter((e) => e.name !== 'contact');
    after.entities.push({ ...structuredClone(entityOf(before, 'contact')), id: 'base.person' });
    expect(() => planSchema(catalogOf(modelOf(before)), modelOf(after), BUILTIN_RULES)).toThrow(
      expect.objectContaining({ code: 'schema.conflict' }),
    );
  });

  it('converts a column whose live type it does not know, with USING and a destructive risk', () => {
    const model = modelOf(basePack());
    const live = withTable(catalogOf(model), 'contact', (t) => ({
      ...t,
      columns: t.columns.map((c) => (c.name === 'email' ? { ...c, type: { base: 'unknown', text: 'citext' } } : c)),
    }));
    expect(outline(planSchema(live, model, BUILTIN_RULES))).toEqual([
      ['alterColumnType', 'convert contact.email from citext to varchar(320)', 'destructive'],
    ]);
    expect(planSchema(live, model, BUILTIN_RULES).steps[0]?.sql).toEqual([
      'ALTER TABLE "contact" ALTER COLUMN "email" TYPE varchar(320) USING "email"::varchar(320)',
    ]);
  });

  it('re-creates a foreign key whose live onDelete differs (e.g. changed by hand)', () => {
    const model = modelOf(basePack());
    const live = withTable(catalogOf(model), 'contact', (t) => ({
      ...t,
      foreignKeys: t.foreignKeys.map((fk) => ({ ...fk, onDelete: 'noAction' as const })),
    }));
    expect(outline(planSchema(live, model, BUILTIN_RULES))).toEqual([
      ['dropForeignKey', 'drop foreign key contact_account_id_fkey', null],
      ['addForeignKey', 'add foreign key contact.account_id -> account.id (on delete setNull)', null],
    ]);
  });

  it('adds a foreign key that is missing from the live table', () => {
    const model = modelOf(basePack());
    const live = withTable(catalogOf(model), 'contact', (t) => ({ ...t, foreignKeys: [] }));
    expect(outline(planSchema(live, model, BUILTIN_RULES))).toEqual([
      ['addForeignKey', 'add foreign key contact.account_id -> account.id (on delete setNull)', null],
    ]);
  });

  it('renames a junction table with the entity that owns it', () => {
    const before = basePack();
    entityOf(before, 'contact').fields.push({
      id: 'base.contact.peers',
      name: 'peers',
      kind: 'relation',
      target: 'account',
      cardinality: 'manyToMany',
      label: { en: 'Peers' },
    });
    const after = structuredClone(before);
    entityOf(after, 'contact').name = 'person';
    const steps = outline(planSchema(catalogOf(modelOf(before)), modelOf(after), BUILTIN_RULES));
    expect(steps).toEqual(
      expect.arrayContaining([
        ['renameTable', 'rename table contact to person', null],
        ['renameTable', 'rename table contact_peers to person_peers', null],
        ['renameIndex', 'rename index contact_peers_target_idx to person_peers_target_idx', null],
      ]),
    );
    expect(steps.some(([op]) => op === 'createTable' || op === 'dropTable')).toBe(false);
  });
});

describe('planSchema: known defects (issue 2)', () => {
  it('drops a table only after the foreign keys that point at it are gone (issue 2: drop order)', () => {
    const before = basePack();
    before.entities.push(
      {
        id: 'x.invoice',
        name: 'invoice',
        label: { en: 'Invoice' },
        fields: [{ id: 'x.invoice.no', name: 'no', kind: 'text', label: { en: 'No' } }],
      },
      {
        id: 'x.line',
        name: 'invoice_line',
        label: { en: 'Line' },
        fields: [{ id: 'x.line.invoice', name: 'invoice', kind: 'relation', target: 'invoice', label: { en: 'Invoice' } }],
      },
    );
    const live = catalogOf(modelOf(before));
    const plan = planSchema(live, modelOf(basePack()), BUILTIN_RULES);
    const droppedFks = new Set<string>();
    const droppedTables = new Set<string>();
    for (const step of plan.steps) {
      if (step.op === 'dropForeignKey') droppedFks.add(step.summary.replace('drop foreign key ', ''));
      if (step.op !== 'dropTable') continue;
      const blockers = live.tables
        .filter((t) => !droppedTables.has(t.name))
        .flatMap((t) => t.foreignKeys.filter((fk) => fk.refTable === step.table && t.name !== step.table && !droppedFks.has(fk.name)));
      expect(blockers.map((fk) => `${step.table} still referenced by ${fk.name}`)).toEqual([]);
      droppedTables.add(step.table);
    }
  });

  it('renames a field and adds a new one with its old name (issue 2: name swap)', () => {
    const before = basePack();
    const after = basePack();
    const account = entityOf(after, 'account');
    account.fields = account.fields.map((f) => (f.name === 'code' ? { ...f, name: 'old_code' } : f));
    account.fields.push({ id: 'base.account.code2', name: 'code', kind: 'text', label: { en: 'Code' }, maxLength: 32 });
    account.indexes = [{ id: 'base.account.by_code', name: 'by_code', fields: ['code'] }];
    const beforePack = entityOf(before, 'account');
    beforePack.indexes = [{ id: 'base.account.by_code', name: 'by_code', fields: ['code'] }];
    const plan = (() => {
      try {
        return planSchema(catalogOf(modelOf(before)), modelOf(after), BUILTIN_RULES);
      } catch (e) {
        return e;
      }
    })();
    expect(plan).toMatchObject({ modelHash: expect.any(String) });
    const steps = outline(plan as SchemaPlan);
    expect(steps).toEqual(
      expect.arrayContaining([
        ['renameColumn', 'rename column account.code to old_code', null],
        ['addColumn', 'add column account.code varchar(32)', null],
        // The declared index on `code` must be rebuilt: the live one followed the renamed column.
        ['addIndex', 'add index account_by_code_idx on account (code)', null],
      ]),
    );
  });
});
