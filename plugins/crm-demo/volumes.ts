// How many rows each size writes. Small is a first start's living CRM; large is the benchmark's
// (issue #21: 1,000,000 customers, 2,000,000 opportunities, 5,000,000 activities; the rest in proportion).
import type { SeedSize } from '../../engine/src/plugins/plugin-api.js';

export interface Volumes {
  readonly brands: number;
  readonly customers: number;
  readonly contacts: number;
  readonly addresses: number;
  readonly relatedParties: number;
  readonly leads: number;
  readonly opportunities: number;
  readonly activities: number;
  readonly members: number;
  /** Purchases per member on average (each earns points; some members redeem). */
  readonly purchasesPerMember: number;
}

export const VOLUMES: Readonly<Record<SeedSize, Volumes>> = {
  small: {
    brands: 12,
    customers: 200,
    contacts: 400,
    addresses: 300,
    relatedParties: 20,
    leads: 500,
    opportunities: 400,
    activities: 2000,
    members: 120,
    purchasesPerMember: 4,
  },
  large: {
    brands: 200,
    customers: 1_000_000,
    contacts: 1_500_000,
    addresses: 1_000_000,
    relatedParties: 50_000,
    leads: 1_000_000,
    opportunities: 2_000_000,
    activities: 5_000_000,
    members: 200_000,
    purchasesPerMember: 5,
  },
};
