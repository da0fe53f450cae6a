// What the documents pack needs beyond metadata: the repository's version rules (repository.ts) and check-out and
// check-in (check-out.ts). Files themselves are the engine's (file fields, attachments, share and upload links).
// Required by metadata/packs/documents.
import type { TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { registerCheckOut } from './check-out.js';
import { registerRepository } from './repository.js';

const plugin: TesseraPlugin = {
  name: 'documents',
  version: '0.1.0',
  setup(host) {
    registerRepository(host);
    registerCheckOut(host);
  },
};

export default plugin;
