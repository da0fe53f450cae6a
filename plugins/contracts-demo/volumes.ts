// How many rows each size writes. Small is a first start's living contracts; large feeds the benchmarks
// (issue #24: invoicing 100,000 contracts' billing lines). The rest follows from the contracts: their lines,
// milestones, billing lines, invoices, receipts, costs, SLAs and commissions.
import type { SeedSize } from '../../engine/src/plugins/plugin-api.js';

export interface ContractVolumes {
  readonly contracts: number;
  /** Quotes, one per opportunity (the first ones), as far as there are opportunities. */
  readonly quotes: number;
  /** Every how many-th contract with a go-live milestone has SLAs (their settling is one query per contract). */
  readonly slaEvery: number;
}

export const VOLUMES: Readonly<Record<SeedSize, ContractVolumes>> = {
  small: { contracts: 240, quotes: 300, slaEvery: 3 },
  large: { contracts: 100_000, quotes: 120_000, slaEvery: 40 },
};
