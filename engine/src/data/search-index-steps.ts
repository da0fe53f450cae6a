// Keeps a record's search rows (search/search-index.ts) in step with the write, in its transaction: a create or
// update writes the terms of its search fields at the new version, a delete drops them. A search field whose value
// is drawn at commit (a number) is not known here: its rows are marked stale and a job indexes them after commit.
import { deferOutboxJob } from '../db/outbox.js';
import { searchFieldsOf } from '../search/search-fields.js';
import { DELETE_SEARCH_ROWS, REPLACE_SEARCH_ROWS, SEARCH_REINDEX_JOB, searchRowsParams } from '../search/search-index.js';
import type { WriteStep } from './write-context.js';

export const indexForSearch: WriteStep = async (ctx) => {
  const { entity } = ctx.rt;
  const fields = searchFieldsOf(entity);
  if (fields.length === 0) return;
  if (ctx.op === 'delete') {
    ctx.tx.defer(ctx.tx.statement(DELETE_SEARCH_ROWS, [entity.name, ctx.id]));
    return;
  }
  const after = ctx.after;
  if (!after) return;
  const drawnLater = ctx.drawnAtCommit.some((d) => fields.some((f) => f.field === d.field));
  const version = drawnLater || typeof after.version !== 'number' ? null : after.version;
  const params = searchRowsParams(entity, [{ id: ctx.id, version, values: after }]);
  if (!params) return;
  ctx.tx.defer(ctx.tx.statement(REPLACE_SEARCH_ROWS, params));
  if (version === null) deferOutboxJob(ctx.tx, { name: SEARCH_REINDEX_JOB, data: { entity: entity.name } });
};
