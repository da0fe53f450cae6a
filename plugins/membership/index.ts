// Membership and points: the POS records a member's purchase and earns its points in one call, idempotent by the
// POS's receipt id; members redeem points within their balance; the points ledger (points_entry) and the purchases
// are append-only — balances are sums over the ledger (rollups), never edited. Required by metadata/packs/crm.
import { PluginRejection, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { Decimal } from 'decimal.js';
import { readPurchase } from './read-purchase.js';

const today = () => new Date().toISOString().slice(0, 10);
const MONEY = '^[0-9]{1,13}(\\.[0-9]{1,2})?$';

const plugin: TesseraPlugin = {
  name: 'membership',
  version: '0.1.0',
  setup(host) {
    for (const entity of ['points_entry', 'member_purchase']) {
      const refuse = () => {
        throw new PluginRejection(
          `${entity} records are a ledger: they are never changed or removed; add a correcting entry`,
          '',
          'membership.append_only',
        );
      };
      host.before('record.beforeUpdate', refuse, { entities: [entity] });
      host.before('record.beforeDelete', refuse, { entities: [entity] });
    }

    host.action({
      entity: 'member',
      name: 'purchase',
      label: { en: 'Record a POS purchase', 'zh-CN': '记录 POS 消费' },
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['receiptId', 'amount'],
        properties: {
          receiptId: { type: 'string', minLength: 1, maxLength: 64 },
          amount: { type: 'string', pattern: MONEY },
          store: { type: 'string', maxLength: 100 },
          purchasedAt: { type: 'string', format: 'date-time' },
        },
      },
      async run({ id, input, db, records }) {
        const receiptId = String(input.receiptId);
        // The same receipt sent twice at once: the second waits here, then finds the first one's purchase.
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pos:${receiptId}`]);
        const amount = String(input.amount);
        const found = await readPurchase(db, id, receiptId, amount, today());
        if (found.seen) {
          if (found.seen.memberId !== id)
            throw new PluginRejection('this receipt was recorded for another member', '/receiptId', 'membership.receipt_taken');
          return { purchase: found.seen.id, points: found.seen.points, duplicate: true };
        }
        if (!found.active) throw new PluginRejection('only an active member earns points', '/status', 'membership.not_active');
        const award = found.award;
        const purchase = await records.create('member_purchase', {
          member: id,
          receipt_id: receiptId,
          amount,
          purchased_at: typeof input.purchasedAt === 'string' ? input.purchasedAt : new Date().toISOString(),
          points_awarded: award.points,
          reward_explanation: award.explanation,
          ...(typeof input.store === 'string' ? { store: input.store } : {}),
        });
        if (award.points > 0) {
          await records.create('points_entry', {
            member: id,
            kind: 'earn',
            points: award.points,
            purchase: purchase.id,
            reason: `POS ${receiptId}`,
          });
        }
        return { purchase: purchase.id, points: award.points, duplicate: false };
      },
    });

    host.action({
      entity: 'member',
      name: 'redeem',
      label: { en: 'Redeem points', 'zh-CN': '积分兑换' },
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['points', 'reason'],
        properties: {
          points: { type: 'integer', minimum: 1, maximum: 100000000 },
          reason: { type: 'string', minLength: 1, maxLength: 300 },
        },
      },
      async run({ id, input, db, records }) {
        // The action holds the member's row lock, so the balance read here cannot change before the entry is written.
        const [state] = await db.query<{ status: string; balance: number; min_points: number; yuan_per_point: string }>(
          `SELECT m.status, coalesce((SELECT sum(e.points) FROM points_entry e WHERE e.member_id = m.id AND e.deleted_at IS NULL), 0)::int AS balance,
                  p.min_redeem_points AS min_points, p.yuan_per_point::text AS yuan_per_point
             FROM member m JOIN member_plan p ON p.id = m.plan_id WHERE m.id = $1`,
          [id],
        );
        const points = Number(input.points);
        if (!state || state.status !== 'active')
          throw new PluginRejection('only an active member redeems points', '/status', 'membership.not_active');
        if (points < state.min_points) {
          throw new PluginRejection(`at least ${state.min_points} points are redeemed at a time`, '/points', 'membership.below_minimum');
        }
        if (points > state.balance)
          throw new PluginRejection(`the balance is ${state.balance} points`, '/points', 'membership.insufficient_points');
        await records.create('points_entry', { member: id, kind: 'redeem', points: -points, reason: String(input.reason) });
        return { redeemed: points, balance: state.balance - points, worth: new Decimal(state.yuan_per_point).times(points).toFixed(2) };
      },
    });
  },
};

export default plugin;
