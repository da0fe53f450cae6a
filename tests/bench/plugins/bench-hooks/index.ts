// bench:jobs: an after hook on jb_hooked_item, so that each create of it writes an outbox row (the cost measured);
// the benchmark runs the engine HTTP-only, so the hook itself never runs there.
import type { TesseraPlugin } from '../../../../engine/src/plugins/plugin-api.js';

const plugin: TesseraPlugin = {
  name: 'bench-hooks',
  version: '1.0.0',
  setup(host) {
    host.after('record.afterCreate', async ({ log, after }) => log.debug({ id: after?.id }, 'bench hook ran'), {
      entities: ['jb_hooked_item'],
    });
  },
};

export default plugin;
