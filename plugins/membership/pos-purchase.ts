// POST /api/v1/member/<id>/actions/purchase: the POS records a member's purchase in one call, idempotent by its
// receipt id — the discount and coupon it gets, the points it earns on what is paid, a coupon or a gift a promotion
// gives (read-purchase.ts decides them all) — written through the engine's pipeline as the caller, all or nothing.
import { PluginRejection, type PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { readPurchase } from './read-purchase.js';

const MONEY = '^[0-9]{1,13}(\\.[0-9]{1,2})?$';
const today = () => new Date().toISOString().slice(0, 10);

export function registerPurchase(host: PluginHost): void {
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
        products: { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', format: 'uuid' } },
        couponNo: { type: 'string', minLength: 1, maxLength: 32 },
      },
    },
    async run({ id, input, db, records }) {
      const receiptId = String(input.receiptId);
      // The same receipt sent twice at once: the second waits here, then finds the first one's purchase.
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pos:${receiptId}`]);
      const amount = String(input.amount);
      const on = today();
      const found = await readPurchase(db, {
        memberId: id,
        receiptId,
        amount,
        on,
        products: Array.isArray(input.products) ? input.products.map(String) : [],
        ...(typeof input.couponNo === 'string' ? { couponNo: input.couponNo } : {}),
      });
      if ('seen' in found) {
        if (found.seen.memberId !== id)
          throw new PluginRejection('this receipt was recorded for another member', '/receiptId', 'membership.receipt_taken');
        return { purchase: found.seen.id, points: found.seen.points, duplicate: true };
      }
      if ('refusal' in found) throw new PluginRejection(found.refusal.message, found.refusal.pointer, found.refusal.code);
      const award = found.award;
      const purchase = await records.create('member_purchase', {
        member: id,
        receipt_id: receiptId,
        amount,
        discount_amount: award.discount,
        coupon_amount: award.couponAmount,
        purchased_at: typeof input.purchasedAt === 'string' ? input.purchasedAt : new Date().toISOString(),
        points_awarded: award.points,
        reward_explanation: award.explanation,
        ...(award.coupon ? { coupon: award.coupon.id } : {}),
        ...(award.gift ? { gift_product: award.gift.product, gift_quantity: award.gift.quantity } : {}),
        ...(typeof input.store === 'string' ? { store: input.store } : {}),
      });
      if (award.coupon) await records.update('member_coupon', award.coupon.id, { status: 'used', used_on: on });
      if (award.points > 0) {
        await records.create('points_entry', {
          member: id,
          kind: 'earn',
          points: award.points,
          purchase: purchase.id,
          reason: `POS ${receiptId}`,
        });
      }
      const issued = award.issue
        ? await records.create('member_coupon', {
            member: id,
            value: award.issue.value,
            issued_on: on,
            expires_on: award.issue.expiresOn,
            rule: award.issue.rule.id,
            issued_by: purchase.id,
          })
        : undefined;
      return {
        purchase: purchase.id,
        points: award.points,
        duplicate: false,
        paid: award.explanation.paid,
        ...(award.discount !== '0.00' ? { discount: award.discount } : {}),
        ...(award.coupon ? { couponUsed: award.coupon.no, couponAmount: award.couponAmount } : {}),
        // The coupon's number is drawn as the write commits (numbering), so the POS gets its id.
        ...(issued ? { couponIssued: { id: issued.id, value: award.issue?.value, expiresOn: award.issue?.expiresOn } } : {}),
        ...(award.gift ? { gift: { product: award.gift.product, quantity: award.gift.quantity } } : {}),
      };
    },
  });
}
