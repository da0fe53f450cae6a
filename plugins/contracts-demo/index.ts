// The contracts pack's demo data (issue #24 part 11): `tessera seed contracts --size small|large`, and the small set
// on a first `npm start` (after the CRM's, which it hangs on). Required by metadata/packs/contracts.
import type { TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { seedContracts } from './seed-contracts.js';

const plugin: TesseraPlugin = {
  name: 'contracts-demo',
  version: '0.1.0',
  setup(host) {
    host.seeder({ pack: 'contracts', sizes: ['small', 'large'], run: seedContracts });
  },
};

export default plugin;
