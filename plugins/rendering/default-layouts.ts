// The layout each target renders with when no document template is chosen: Liquid HTML over the merge data
// (merge-data.ts), in a CJK-capable font so Chinese prints. A pack or an administrator adds others as
// render_template records.
import type { RenderTarget } from './merge-data.js';

const STYLE = `<style>
  body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Noto Sans', sans-serif; font-size: 11pt; color: #222; }
  h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 16pt 0 6pt; }
  .meta { color: #555; margin-bottom: 12pt; }
  table { width: 100%; border-collapse: collapse; margin: 8pt 0; }
  th, td { border: 0.5pt solid #999; padding: 3pt 5pt; text-align: left; vertical-align: top; }
  td.n, th.n { text-align: right; }
  .clause { margin: 8pt 0; page-break-inside: avoid; } .clause p { white-space: pre-wrap; margin: 2pt 0 0; }
  .signatures { display: flex; gap: 24pt; margin-top: 28pt; } .signatures div { flex: 1; border-top: 0.5pt solid #333; padding-top: 4pt; }
</style>`;

const PARTY = `<p><strong>Customer 客户:</strong> {{ customer.name }}{% if customer.address %}, {{ customer.address }}{% endif %}</p>`;

const CONTRACT = `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>
<h1>{{ contract.title }}</h1>
<div class="meta">{{ contract.contract_no }} · {{ contract.start_date }}{% if contract.end_date %} – {{ contract.end_date }}{% endif %}</div>
${PARTY}
<h2>Lines 明细</h2>
<table><tr><th>Item 项目</th><th class="n">Qty 数量</th><th class="n">Unit price 单价</th><th class="n">Total 金额</th></tr>
{% for l in lines %}<tr><td>{{ l.description | default: l.product }}</td><td class="n">{{ l.quantity }}</td><td class="n">{{ l.unit_price }}</td><td class="n">{{ l.line_total }}</td></tr>{% endfor %}
<tr><th colspan="3">Contract value 合同金额</th><th class="n">{{ contract.contract_value }}</th></tr></table>
{% if contract.payment_terms %}<h2>Payment terms 付款条件</h2><p>{{ contract.payment_terms }}</p>{% endif %}
{% if clauses.size > 0 %}<h2>Clauses 条款</h2>{% for c in clauses %}<div class="clause"><strong>{{ c.title }}</strong><p>{{ c.text }}</p></div>{% endfor %}{% endif %}
<div class="signatures"><div>Customer 甲方: {{ customer.name }}</div><div>Supplier 乙方</div></div>
</body></html>`;

const QUOTE = `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>
<h1>Quote 报价单 {{ quote.quote_no }}</h1>
<div class="meta">{{ quote.title }} · rev {{ quote.revision }}{% if quote.valid_until %} · valid until 有效期至 {{ quote.valid_until }}{% endif %}</div>
${PARTY}
<table><tr><th>Item 项目</th><th class="n">Qty 数量</th><th class="n">Unit price 单价</th><th class="n">Discount % 折扣</th><th class="n">Net 净额</th><th class="n">Tax 税额</th></tr>
{% for l in lines %}<tr><td>{{ l.description | default: l.product }}</td><td class="n">{{ l.quantity }}</td><td class="n">{{ l.unit_price }}</td><td class="n">{{ l.discount_pct }}</td><td class="n">{{ l.net_amount }}</td><td class="n">{{ l.tax_amount }}</td></tr>{% endfor %}
<tr><th colspan="5">Total 合计</th><th class="n">{{ quote.total }}</th></tr></table>
{% if quote.notes %}<p>{{ quote.notes }}</p>{% endif %}
</body></html>`;

const ORDER = `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>
<h1>Sales order 销售订单 {{ sales_order.order_no }}</h1>
<div class="meta">{{ sales_order.order_date }}</div>
${PARTY}
<table><tr><th>Item 项目</th><th class="n">Qty 数量</th><th class="n">Unit price 单价</th><th class="n">Total 金额</th></tr>
{% for l in lines %}<tr><td>{{ l.description | default: l.product }}</td><td class="n">{{ l.quantity }}</td><td class="n">{{ l.unit_price }}</td><td class="n">{{ l.line_total }}</td></tr>{% endfor %}
<tr><th colspan="3">Total 合计</th><th class="n">{{ sales_order.total }}</th></tr></table>
</body></html>`;

const INVOICE = `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>
<h1>Invoice 发票 {{ invoice.invoice_no }}</h1>
<div class="meta">Issued 开票日期 {{ invoice.issue_date }}{% if invoice.due_date %} · due 到期 {{ invoice.due_date }}{% endif %}</div>
${PARTY}
<table><tr><th>Item 项目</th><th>Contract 合同</th><th class="n">Amount 金额</th></tr>
{% for l in lines %}<tr><td>{{ l.description }}</td><td>{{ l.contract_no }}</td><td class="n">{{ l.amount }}</td></tr>{% endfor %}
<tr><th colspan="2">Total 合计</th><th class="n">{{ invoice.total }}</th></tr>
<tr><td colspan="2">Outstanding 未收</td><td class="n">{{ invoice.outstanding }}</td></tr></table>
</body></html>`;

export const DEFAULT_LAYOUTS: Readonly<Record<RenderTarget, string>> = {
  contract: CONTRACT,
  quote: QUOTE,
  sales_order: ORDER,
  invoice: INVOICE,
};
