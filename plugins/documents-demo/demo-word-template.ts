// The demo's Word template for contracts (a .docx built here from OOXML, so what it holds can be read in review):
// the contract's header, the customer, the lines as table rows, the payment terms, the clauses and the signature
// block, filled by the rendering plugin's Word templates with the same merge data as the PDF layouts. It shows a
// newcomer the tags: {#contract}{title}{/contract} for a record's field, {#lines}...{/lines} for a loop,
// {^description}{product}{/description} for "the product's name when the line has no description".
import PizZip from 'pizzip';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
/** A fixed zip date: the same bytes (and so the same blob) on every seed. */
const DATE = new Date('2026-12-01T00:00:00Z');

interface Look {
  readonly bold?: boolean;
  /** Half-points, as Word counts. */
  readonly size?: number;
  readonly center?: boolean;
  readonly right?: boolean;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function p(text: string, look: Look = {}): string {
  const align = look.center ? '<w:jc w:val="center"/>' : look.right ? '<w:jc w:val="right"/>' : '';
  const run = [
    '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Microsoft YaHei"/>',
    look.bold ? '<w:b/>' : '',
    `<w:sz w:val="${look.size ?? 21}"/><w:szCs w:val="${look.size ?? 21}"/>`,
  ].join('');
  return `<w:p><w:pPr><w:spacing w:after="80"/>${align}</w:pPr><w:r><w:rPr>${run}</w:rPr><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`;
}

const BORDER = ['top', 'left', 'bottom', 'right', 'insideH', 'insideV']
  .map((side) => `<w:${side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>`)
  .join('');

/** The text width of an A4 page with 2 cm margins, in twips. */
const TEXT_WIDTH = 9638;

/** A table of these rows; `widths` are the columns' shares of the text width. */
function table(rows: ReadonlyArray<ReadonlyArray<readonly [string, Look?]>>, widths: readonly number[], borders = true): string {
  const total = widths.reduce((a, b) => a + b, 0);
  const cols = widths.map((w) => Math.floor((TEXT_WIDTH * w) / total));
  const props = `<w:tblPr><w:tblW w:w="5000" w:type="pct"/>${borders ? `<w:tblBorders>${BORDER}</w:tblBorders>` : ''}</w:tblPr>`;
  const grid = `<w:tblGrid>${cols.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>`;
  const cell = (text: string, look: Look | undefined, i: number) =>
    `<w:tc><w:tcPr><w:tcW w:w="${cols[i] ?? 0}" w:type="dxa"/></w:tcPr>${p(text, look)}</w:tc>`;
  const body = rows.map((cells) => `<w:tr>${cells.map(([text, look], i) => cell(text, look, i)).join('')}</w:tr>`).join('');
  return `<w:tbl>${props}${grid}${body}</w:tbl>`;
}

const head = { bold: true };
const num = { right: true };

const BODY = [
  p('{#contract}'),
  p('合同 Contract {contract_no}', { bold: true, size: 36, center: true }),
  p('{title}', { size: 26, center: true }),
  p('期限 Term：{start_date}{#end_date} 至 {end_date}{/end_date}', { center: true }),
  p('{/contract}'),
  p('{#customer}甲方 Customer：{name}{#address}，{address}{/address}{/customer}', { bold: true }),
  p('乙方 Supplier：Tessera 演示公司'),
  p('明细 Lines', { bold: true, size: 26 }),
  table(
    [
      [
        ['项目 Item', head],
        ['数量 Qty', { ...head, ...num }],
        ['单价 Unit price', { ...head, ...num }],
        ['金额 Total', { ...head, ...num }],
      ],
      [
        ['{#lines}{description}{^description}{product}{/description}'],
        ['{quantity}', num],
        ['{unit_price}', num],
        ['{line_total}{/lines}', num],
      ],
    ],
    [5, 1.5, 2, 2],
  ),
  p('{#contract}合同金额 Contract value：{contract_value}{/contract}', { bold: true, right: true }),
  p('{#contract}{#payment_terms}付款条件 Payment terms：{payment_terms}{/payment_terms}{/contract}'),
  p('条款 Clauses', { bold: true, size: 26 }),
  p('{#clauses}'),
  p('{title}', { bold: true }),
  p('{text}'),
  p('{/clauses}'),
  table(
    [
      [
        ['甲方（盖章）Customer：{#customer}{name}{/customer}', head],
        ['乙方（盖章）Supplier：Tessera 演示公司', head],
      ],
      [['日期 Date：'], ['日期 Date：']],
    ],
    [1, 1],
    false,
  ),
  p('生成于 Rendered at {rendered_at}', { size: 16, right: true }),
].join('');

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;

const PACKAGE_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;

/** An A4 page with 2 cm margins (TEXT_WIDTH between them). */
const SECTION =
  '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134"/></w:sectPr>';

export function demoWordTemplate(): Buffer {
  const zip = new PizZip();
  zip.file('[Content_Types].xml', CONTENT_TYPES, { date: DATE });
  zip.file('_rels/.rels', PACKAGE_RELS, { date: DATE });
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="${W}"><w:body>${BODY}${SECTION}</w:body></w:document>`,
    { date: DATE },
  );
  return zip.generate({ type: 'nodebuffer', compression: 'DEFLATE' });
}
