// Membership and points: the POS records a member's purchase and earns its points in one call, idempotent by the
// POS's receipt id; members redeem points within their balance; the points ledger (points_entry) and the purchases
// are append-only — balances are sums over the ledger (rollups), never edited. Required by metadata/packs/crm.
import { PluginRejection, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { Decimal } from 'decimal.js';
import { registerPurchase } from './pos-purchase.js';

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

    registerPurchase(host);

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
