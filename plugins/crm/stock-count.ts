// A stock count posted: each line learns what the books said (the warehouse's movements of its product), and every
// difference becomes a 'count' movement, so stock on hand follows the count. The count's `post` transition runs it
// in the same write (all or nothing); a count posted once is never posted again.
import { PluginRejection, type PluginHost } from '../../engine/src/plugins/plugin-api.js';

type Line = { id: string; product_id: string; system: string; difference: string };

export function registerStockCount(host: PluginHost): void {
  host.action({
    entity: 'stock_count',
    name: 'post_count',
    label: { en: 'Post the count', 'zh-CN': '盘点过账' },
    input: { type: 'object', additionalProperties: false, properties: {} },
    async run({ id, record: count, db, records }) {
      if (count.status !== 'posted') {
        throw new PluginRejection('a count is posted by its post transition (status to posted)', '/status', 'crm.count_not_posting');
      }
      const [done] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM stock_movement WHERE kind = 'count' AND reference = $1 AND deleted_at IS NULL`,
        [String(count.count_no ?? id)],
      );
      if ((done?.n ?? 0) > 0) throw new PluginRejection('this count was posted before', '/status', 'crm.count_posted');
      const lines = await db.query<Line>(
        `SELECT l.id, l.product_id, b.system::text AS system, (l.counted_qty - b.system)::text AS difference
           FROM stock_count_line l
           CROSS JOIN LATERAL (SELECT coalesce(sum(m.quantity), 0) AS system FROM stock_movement m
                                WHERE m.product_id = l.product_id AND m.warehouse_id = $2 AND m.deleted_at IS NULL) b
          WHERE l.stock_count_id = $1 AND l.deleted_at IS NULL ORDER BY l.id`,
        [id, count.warehouse],
      );
      if (lines.length === 0) throw new PluginRejection('a count without lines has nothing to post', '/lines', 'crm.count_empty');
      let adjusted = 0;
      for (const line of lines) {
        await records.update('stock_count_line', line.id, { system_qty: line.system });
        if (Number(line.difference) === 0) continue;
        await records.create('stock_movement', {
          product: line.product_id,
          warehouse: count.warehouse,
          kind: 'count',
          quantity: line.difference,
          moved_at: new Date().toISOString(),
          reference: String(count.count_no ?? id),
        });
        adjusted++;
      }
      return { lines: lines.length, adjusted };
    },
  });
}
