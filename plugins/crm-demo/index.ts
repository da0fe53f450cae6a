// The CRM's demo data (issue #21 part 8): `tessera seed crm --size small|large`, and the small set on a
// first `npm start`. Required by metadata/packs/crm.
import type { TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { seedCrm } from './seed-crm.js';

const plugin: TesseraPlugin = {
  name: 'crm-demo',
  version: '0.1.0',
  setup(host) {
    host.seeder({ pack: 'crm', sizes: ['small', 'large'], run: seedCrm });
  },
};

export default plugin;
