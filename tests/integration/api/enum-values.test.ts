// #18 part 4: an enum value is data, any non-empty text (its label is separate). Values with spaces, quotes,
// commas and non-ASCII are stored, filtered and read back as they are, in single and multi enums.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../../support/list-url.js';
import { makeTempDir, removeDir, writePackSource } from '../../support/pack-builder.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

const VALUES = ['Real Estate', "O'Brien & Co", 'a,b "c" {d}', '零售 / Retail'];
const root = makeTempDir('tessera-enum-');
let t: TestEngine;

beforeAll(async () => {
  const values = VALUES.map((value) => ({ value, label: { en: value.toUpperCase() } }));
  const dir = writePackSource(join(root, 'listings'), {
    manifest: { name: 'listings', version: '1.0.0', label: { en: 'Listings' } },
    entities: [
      {
        id: 'l.listing',
        name: 'listing',
        label: { en: 'Listing' },
        fields: [
          { id: 'l.listing.title', name: 'title', kind: 'text', label: { en: 'Title' }, required: true },
          { id: 'l.listing.sector', name: 'sector', kind: 'enum', label: { en: 'Sector' }, values, default: 'Real Estate' },
          { id: 'l.listing.tags', name: 'tags', kind: 'multienum', label: { en: 'Tags' }, values },
        ],
      },
    ],
  });
  t = await startTestEngine({ packs: ['metadata/packs/core', dir] });
});
afterAll(async () => {
  await t?.stop();
  removeDir(root);
});

describe('enum values with spaces and punctuation', () => {
  it('are written, read and filtered exactly as declared', async () => {
    for (const [i, value] of VALUES.entries()) {
      const tags = [...new Set([value, VALUES[0]])];
      const res = await t.request('POST', '/api/v1/listing', { title: `L${i}`, sector: value, tags });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.data).toMatchObject({ sector: value, tags });
    }
    const titles = async (filter: unknown) => {
      const res = await t.request('GET', listUrl('listing', { filter, sort: 'title' }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.data as Array<{ title: string }>).map((r) => r.title);
    };
    expect(await titles({ '==': [{ var: 'sector' }, "O'Brien & Co"] })).toEqual(['L1']);
    expect(await titles({ in: [{ var: 'sector' }, ['a,b "c" {d}', '零售 / Retail']] })).toEqual(['L2', 'L3']);
    expect(await titles({ contains: [{ var: 'tags' }, 'Real Estate'] })).toEqual(['L0', 'L1', 'L2', 'L3']);
    expect(await titles({ contains: [{ var: 'tags' }, 'a,b "c" {d}'] })).toEqual(['L2']);
  });

  it('are exact: another spelling is not the value', async () => {
    for (const sector of ['real estate', 'Real Estate ', 'RealEstate']) {
      const res = await t.request('POST', '/api/v1/listing', { title: 'x', sector });
      expectProblem(res, 422, 'validation.failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/sector', code: 'validation.enum' })]);
    }
  });

  it('take the default with its space', async () => {
    const res = await t.request('POST', '/api/v1/listing', { title: 'Defaulted' });
    expect(res.body.data.sector).toBe('Real Estate');
  });
});
