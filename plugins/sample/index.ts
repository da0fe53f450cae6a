// The sample plugin: one use of every extension point, exercised by the integration tests and a template
// for real plugins. It acts only on the `note` entities of the tests/fixtures/packs/plugin-demo pack.
import Router from '@koa/router';
import { PluginRejection, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';

const plugin: TesseraPlugin = {
  name: 'sample',
  version: '1.0.0',
  setup(host) {
    // A field kind: a percentage stored exactly, 0 to 100 with two decimals.
    host.fieldKind({
      name: 'percent',
      options: ['default'],
      operand: 'decimal',
      operators: ['==', '!=', '<', '<=', '>', '>=', 'between', 'isNull'],
      cubeType: 'number',
      columns: (f) => [{ name: f.name, type: { base: 'numeric', precision: 5, scale: 2 }, nullable: !f.required, key: `${f.id}#value` }],
      valueSchema: () => ({ type: 'string', pattern: '^(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?)$' }),
    });

    // An operator, both halves together: text at least N characters long.
    host.operator({
      kind: 'compare',
      name: 'lengthAtLeast',
      operands: ['text'],
      literals: [{ type: 'integer' }],
      memory: (value, [n]) => typeof value === 'string' && typeof n === 'number' && [...value].length >= n,
      sql: (operand, [n]) => `char_length(${operand}) >= ${n ?? 'NULL'}`,
    });

    // Before hooks run inside the write's transaction: they may change the values or refuse the write.
    host.before(
      'record.beforeCreate',
      ({ changes }) => {
        if (typeof changes.title === 'string') changes.title = changes.title.trim();
        if (typeof changes.title === 'string' && /forbidden/i.test(changes.title)) {
          throw new PluginRejection('a note title may not contain "forbidden"', '/title');
        }
      },
      { entities: ['note'] },
    );
    host.before(
      'record.beforeUpdate',
      ({ changes, before }) => {
        if (before?.archived === true && 'title' in changes) throw new PluginRejection('an archived note cannot be renamed', '/title');
      },
      { entities: ['note'] },
    );

    // After hooks run once the write has committed.
    host.after(
      'record.afterCreate',
      async ({ after, db }) => {
        await db.query(`INSERT INTO note_event (id, note_id, event) VALUES (gen_random_uuid(), $1, 'created')`, [after?.id]);
      },
      { entities: ['note'] },
    );

    // A named action with a JSON Schema for its input.
    host.action({
      entity: 'note',
      name: 'archive',
      label: { en: 'Archive', 'zh-CN': '归档' },
      input: {
        type: 'object',
        required: ['reason'],
        additionalProperties: false,
        properties: { reason: { type: 'string', minLength: 3, maxLength: 200 } },
      },
      // A scheduled run archives up to 20 notes per transaction.
      batchSize: 20,
      async run({ id, input, db }) {
        const rows = await db.query<{ version: number }>(
          'UPDATE note SET archived = true, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version',
          [id],
        );
        return { archived: true, reason: input.reason, version: rows[0]?.version };
      },
    });

    // An action that deletes through the write pipeline (as the caller, audited, with the entity's delete rules).
    host.action({
      entity: 'note',
      name: 'clear_events',
      label: { en: 'Clear events', 'zh-CN': '清除事件' },
      input: { type: 'object', additionalProperties: false, properties: {} },
      async run({ id, db, records }) {
        const events = await db.query<{ id: string }>('SELECT id::text AS id FROM note_event WHERE note_id = $1 AND deleted_at IS NULL', [
          id,
        ]);
        for (const event of events) await records.delete('note_event', event.id);
        return { cleared: events.length };
      },
    });

    // An action writing many records at once through the pipeline (one batched create).
    host.action({
      entity: 'note',
      name: 'log_events',
      label: { en: 'Log events', 'zh-CN': '记录事件' },
      input: {
        type: 'object',
        required: ['events'],
        additionalProperties: false,
        properties: { events: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string' } } },
      },
      async run({ id, input, records }) {
        const events = (input.events as string[]).map((event) => ({ note: id, event }));
        const created = await records.createMany('note_event', events);
        return { logged: created.map((e) => e.id) };
      },
    });

    // A job handler: queued through the outbox (a write's transaction writes the job), run by the engine's
    // queue. It counts the notes and, when given a note, records the count on it.
    host.job({
      name: 'sample:count-notes',
      async run({ db, log, payload }) {
        const rows = await db.query<{ n: string }>('SELECT count(*) AS n FROM note WHERE deleted_at IS NULL');
        log.info({ notes: rows[0]?.n }, 'notes counted');
        const noteId = (payload as { noteId?: unknown } | null)?.noteId;
        if (typeof noteId === 'string') {
          await db.query(`INSERT INTO note_event (id, note_id, event) VALUES (gen_random_uuid(), $1, $2)`, [
            noteId,
            `counted ${rows[0]?.n ?? 0}`,
          ]);
        }
      },
    });

    // A bulk job: one transaction of set-based statements — an event for every note, then a failure when asked,
    // which must leave nothing written.
    host.job({
      name: 'sample:event-all-notes',
      async run({ payload, bulk }) {
        await bulk(async (tx) => {
          await tx.db.execute(
            `INSERT INTO note_event (id, note_id, event) SELECT gen_random_uuid(), n.id, 'bulk' FROM note n WHERE n.deleted_at IS NULL`,
          );
          await tx.recompute('note');
          if ((payload as { fail?: unknown } | null)?.fail === true) throw new Error('asked to fail after writing');
        });
      },
    });

    // Extra routes, mounted under /api/plugins/sample/.
    const router = new Router();
    router.get('/ping', (ctx) => {
      ctx.body = { pong: true, plugin: host.pluginName };
    });
    host.routes(router);
  },
};

export default plugin;
