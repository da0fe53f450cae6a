import { describe, expect, it } from 'vitest';
import { olderThanPublished } from '../../../../engine/src/schema/pack-downgrade.js';

describe('olderThanPublished', () => {
  const published = [
    { name: 'core', version: '0.1.0' },
    { name: 'crm', version: '1.3.0' },
  ];

  it('is empty for the same, newer or added packs', () => {
    expect(olderThanPublished(published, published)).toEqual([]);
    expect(
      olderThanPublished(published, [
        { name: 'core', version: '0.2.0' },
        { name: 'crm', version: '1.3.1' },
      ]),
    ).toEqual([]);
    expect(olderThanPublished(published, [...published, { name: 'contracts', version: '1.0.0' }])).toEqual([]);
    expect(olderThanPublished([], published)).toEqual([]);
  });

  it('names a pack at a lower version and a published pack that is missing', () => {
    expect(
      olderThanPublished(published, [
        { name: 'core', version: '0.1.0' },
        { name: 'crm', version: '1.2.9' },
      ]),
    ).toEqual(['crm@1.2.9 is older than the published crm@1.3.0']);
    expect(olderThanPublished(published, [{ name: 'core', version: '0.1.0' }])).toEqual([
      'crm@1.3.0 is published but not among these packs',
    ]);
  });

  it('compares by semver, not as text (1.10.0 is newer than 1.9.0)', () => {
    expect(olderThanPublished([{ name: 'crm', version: '1.9.0' }], [{ name: 'crm', version: '1.10.0' }])).toEqual([]);
    expect(olderThanPublished([{ name: 'crm', version: '1.10.0' }], [{ name: 'crm', version: '1.9.0' }])).toHaveLength(1);
  });
});
