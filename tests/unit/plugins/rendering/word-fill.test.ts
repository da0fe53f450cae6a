// Word templates filled with merge data (docxtemplater, default parser): tags, loops over lines (paragraphs and
// table rows), clause text with line breaks, empty values printed as nothing; and every way a template can be
// wrong refused with a message naming it — an unknown tag, broken tag syntax, malformed XML, a file that is no zip
// or no Word document, raw-XML tags, a prototype reach, and XML unpacking past its budget.
import PizZip from 'pizzip';
import { describe, expect, it } from 'vitest';
import { fillWordTemplate, MAX_WORD_XML_BYTES } from '../../../../plugins/rendering/word-fill.js';
import { paragraph, tableRow, wordTemplate, wordText } from '../../../support/word-docs.js';

const data = {
  contract: { title: '设备采购合同', contract_no: 'HT001', end_date: null },
  customer: { name: '无锡智能装备有限公司', address: null },
  lines: [
    { description: '边缘服务器', product: null, quantity: '2.000', line_total: '90000.00' },
    { description: '安装 & 调试', product: null, quantity: '1.000', line_total: '5000.00' },
  ],
  clauses: [{ title: '1. 质保', text: '享有 24 个月质保。\n第二段' }],
  rendered_at: '2027-03-01T00:00:00.000Z',
};

function refusal(template: Uint8Array): string {
  try {
    fillWordTemplate(template, data);
  } catch (err) {
    return (err as Error).message;
  }
  return 'filled';
}

describe('filling a Word template', () => {
  it('merges tags, loops over lines and clauses, and prints empty values as nothing', () => {
    const template = wordTemplate(
      [
        paragraph('{#contract}{contract_no} {title}{#end_date} until {end_date}{/end_date}{/contract}'),
        paragraph('{#customer}客户: {name} [{address}]{/customer}'),
        paragraph('{#lines}'),
        paragraph('{description}: {quantity} = {line_total}'),
        paragraph('{/lines}'),
        tableRow(['{#lines}{description}', '{line_total}{/lines}']),
        paragraph('{#clauses}{title}: {text}{/clauses}'),
        paragraph('{rendered_at}'),
      ].join(''),
    );
    const text = wordText(fillWordTemplate(template, data));
    expect(text).toContain('HT001 设备采购合同\n');
    expect(text).not.toContain('until');
    expect(text).toContain('客户: 无锡智能装备有限公司 []');
    expect(text).toContain('边缘服务器: 2.000 = 90000.00\n安装 & 调试: 1.000 = 5000.00');
    expect(text).toContain('边缘服务器\n90000.00\n安装 & 调试\n5000.00');
    expect(text).toContain('1. 质保: 享有 24 个月质保。\n第二段');
    expect(text).toContain('2027-03-01T00:00:00.000Z');
  });

  it('refuses a tag, a field or a loop the data does not have, naming each', () => {
    const message = refusal(wordTemplate(paragraph('{customer_name} {#customer}{adress}{/customer} {#items}x{/items}')));
    expect(message).toBe('the data has no {customer_name}, {adress}, {#items}');
    expect(refusal(wordTemplate(paragraph('{#customer}{constructor}{/customer}')))).toBe('the data has no {constructor}');
  });

  it('refuses broken tag syntax with docxtemplater’s explanation', () => {
    expect(refusal(wordTemplate(paragraph('{#lines}{description}')))).toBe('The loop with tag "lines" is unclosed');
    expect(refusal(wordTemplate(paragraph('{/lines}')))).toBe('The loop with tag "lines" is unopened');
    expect(refusal(wordTemplate(paragraph('{customer')))).toMatch(/unclosed/i);
  });

  it('refuses malformed XML, a file that is not a zip and a zip that is not a Word document', () => {
    const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    expect(refusal(wordTemplate('', `<w:document ${W}><w:body><w:p><w:r><w:t>{#customer}{name}{/customer}`))).toMatch(
      /^word\/document\.xml is not well-formed XML: \d+:\d+: unclosed tag: w:t$/,
    );
    expect(refusal(wordTemplate('', `<w:document ${W}><w:body><w:p><w:r><w:t>x</w:r></w:p></w:body></w:document>`))).toMatch(
      /^word\/document\.xml is not well-formed XML: \d+:\d+: unexpected close tag/,
    );
    expect(refusal(Buffer.from('{customer} is not a zip'))).toBe('the file is not a Word document (.docx): it is not a zip archive');
    const notWord = new PizZip();
    notWord.file('readme.txt', 'hello');
    expect(refusal(notWord.generate({ type: 'uint8array' }))).toMatch(/could not be identified/);
  });

  it('refuses raw-XML tags, which would paste record text into the document as markup', () => {
    expect(refusal(wordTemplate(paragraph('{@customer}')))).toBe('raw XML tags ({@customer}) are not allowed: use {name}');
  });

  it('refuses XML that unpacks past its budget, before docxtemplater reads it', () => {
    const huge = wordTemplate(paragraph('x'.repeat(MAX_WORD_XML_BYTES + 1)));
    expect(huge.length).toBeLessThan(MAX_WORD_XML_BYTES / 100);
    expect(refusal(huge)).toBe(`the template's XML unpacks to more than ${MAX_WORD_XML_BYTES} bytes`);
  });
});
