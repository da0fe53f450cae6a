// Two applies at once (separate connection pools, as two engine processes would have) must not corrupt
// the history: one waits for the other's lock, then sees its result. Also: removals that must drop
// dependent objects first, and a rename followed by a new entity with the old name.
import { randomUUID } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../../engine/src/metadata/load-model.js';
import type { Model } from '../../../engine/src/metadata/model.js';
import { applySchema, type ApplyResult } from '../../../engine/src/schema/apply-schema.js';
import { listHistory } from '../../../engine/src/schema/schema-history.js';
import { entityOf } from '../../support/pack-builder.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { historyVersions, PackWorkspace, resetDatabase, SALES, tableNames } from './schema-support.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';

let db: TestDatabase;
let other: Knex;
const packs = new PackWorkspace();
let v1: Model;

beforeAll(async () => {
  db = await createTestDatabase();
  // A second, independent pool on the same database: what a second engine process would use.
  other = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 2 } });
  v1 = packs.model(SALES);
});
afterAll(async () => {
  await other?.destroy();
  await db?.dispose();
  packs.dispose();
});
beforeEach(async () => {
  await resetDatabase(db.knex);
});

describe('applySchema: two at once', () => {
  it('applies the same model once: one changes, the other waits and finds nothing to do', async () => {
    const results = await Promise.allSettled([applySchema(db.knex, v1, BUILTIN_RULES), applySchema(other, v1, BUILTIN_RULES)]);
    const fulfilled = results.filter((r): r is PromiseFulfilledResult<ApplyResult> => r.status === 'fulfilled').map((r) => r.value);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(fulfilled.map((r) => r.changed).sort()).toEqual([false, true]);
    expect(fulfilled.map((r) => r.version)).toEqual([1, 1]);
    expect(await historyVersions(db.knex)).toEqual([1]);
  });

  it('applies two different models in turn: versions 1 and 2, no duplicate, the database ends at one of them', async () => {
    const bigger = packs.model(SALES, (p) => {
      entityOf(p, 'region').fields.push({ id: 'x.area', name: 'area', kind: 'decimal', label: { en: 'Area' } });
    });
    // If `bigger` wins the lock, v1 then drops the (empty) area column: allowed, or the race would decide the test.
    const results = await Promise.all([
      applySchema(db.knex, v1, BUILTIN_RULES, { allowDestructive: true }),
      applySchema(other, bigger, BUILTIN_RULES, { allowDestructive: true }),
    ]);
    expect(results.map((r) => r.version).sort()).toEqual([1, 2]);
    expect(results.every((r) => r.changed)).toBe(true);
    const history = await listHistory(db.knex);
    expect(history.map((h) => h.version)).toEqual([1, 2]);
    const last = results.find((r) => r.version === 2);
    expect(history[1]?.hash).toBe(last?.plan.modelHash);
    // Whichever came second planned against what the first had left, so re-applying it is a no-op.
    const winner = last?.plan.modelHash === v1.hash ? v1 : bigger;
    expect((await applySchema(db.knex, winner, BUILTIN_RULES)).changed).toBe(false);
  });

  it('keeps history consistent over several rounds of racing applies', async () => {
    const models = [
      v1,
      ...[1, 2, 3].map((n) =>
        packs.model(SALES, (p) => {
          entityOf(p, 'segment').fields.push({ id: `x.f${n}`, name: `f${n}`, kind: 'integer', label: { en: `F${n}` } });
        }),
      ),
    ];
    for (let round = 0; round < models.length - 1; round++) {
      const a = models[round] as Model;
      const b = models[round + 1] as Model;
      await Promise.allSettled([
        applySchema(db.knex, a, BUILTIN_RULES, { allowDestructive: true }),
        applySchema(other, b, BUILTIN_RULES, { allowDestructive: true }),
      ]);
    }
    const versions = await historyVersions(db.knex);
    expect(versions).toEqual(versions.map((_v, i) => i + 1));
    expect(new Set(versions).size).toBe(versions.length);
  });
});

describe('applySchema: removing entities', () => {
  it('removes two entities where one references the other (issue 2: drop order)', async () => {
    const base = packs.model(SALES, (p) => {
      p.entities.push(
        {
          id: 'x.invoice',
          name: 'invoice',
          label: { en: 'Invoice' },
          fields: [{ id: 'x.invoice.no', name: 'no', kind: 'text', label: { en: 'No' } }],
        },
        {
          id: 'x.invoice_line',
          name: 'invoice_line',
          label: { en: 'Line' },
          fields: [
            {
              id: 'x.line.invoice',
              name: 'invoice',
              kind: 'relation',
              target: 'invoice',
              label: { en: 'Invoice' },
              required: true,
              onDelete: 'cascade',
            },
          ],
        },
      );
    });
    await applySchema(db.knex, base, BUILTIN_RULES);
    const result = await applySchema(db.knex, v1, BUILTIN_RULES, { allowDestructive: true }).catch((e: unknown) => e);
    expect(result).toMatchObject({ changed: true, version: 2 });
    expect(await tableNames(db.knex)).not.toContain('invoice');
  });

  it('removes every entity when the packs are uninstalled (issue 2: drop order)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    // Uninstalling packs is an explicit act: without allowOlderPacks it is refused and nothing changes.
    const refused = await applySchema(db.knex, loadModel([], { kinds: BUILTIN_RULES.kinds }), BUILTIN_RULES, {
      allowDestructive: true,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'schema.older_packs', status: 409 });
    expect(await tableNames(db.knex)).toContain('customer');
    const result = await applySchema(db.knex, loadModel([], { kinds: BUILTIN_RULES.kinds }), BUILTIN_RULES, {
      allowDestructive: true,
      allowOlderPacks: true,
    }).catch((e: unknown) => e);
    expect(result).toMatchObject({ changed: true, version: 2 });
    expect(await tableNames(db.knex)).toEqual(['tessera_schema_history']);
  });
});

describe('applySchema: renames and names that come back', () => {
  it('renames an entity, then creates a new entity with its old name (its primary key name is still taken)', async () => {
    await applySchema(db.knex, v1, BUILTIN_RULES);
    const renamed = packs.model(SALES, (p) => {
      entityOf(p, 'segment').name = 'market_segment';
      entityOf(p, 'customer').fields.forEach((f) => {
        if (f.target === 'segment') f.target = 'market_segment';
      });
    });
    await applySchema(db.knex, renamed, BUILTIN_RULES);
    const reused = packs.model(SALES, (p) => {
      entityOf(p, 'segment').name = 'market_segment';
      entityOf(p, 'customer').fields.forEach((f) => {
        if (f.target === 'segment') f.target = 'market_segment';
      });
      p.entities.push({
        id: 'x.segment2',
        name: 'segment',
        label: { en: 'New segment' },
        fields: [{ id: 'x.segment2.name', name: 'name', kind: 'text', label: { en: 'Name' } }],
      });
    });
    const result = await applySchema(db.knex, reused, BUILTIN_RULES).catch((e: unknown) => e);
    expect(result).toMatchObject({ changed: true, version: 3 });
    await db.knex('segment').insert({ id: randomUUID(), name: 'works' });
  });
});
