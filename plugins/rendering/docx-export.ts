// A record's merge data as a Word document (the `docx` library): title, parties, the lines table and, for a
// contract, its clauses, so a contract can be edited in Word during negotiation. Pure: bytes out.
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { MergeData, RenderTarget } from './merge-data.js';
import { documentTitle, lineColumns } from './line-columns.js';

const FONT = 'Microsoft YaHei';

function cell(text: string, bold = false, right = false): TableCell {
  return new TableCell({
    children: [
      new Paragraph({ alignment: right ? AlignmentType.RIGHT : AlignmentType.LEFT, children: [new TextRun({ text, bold, font: FONT })] }),
    ],
  });
}

export async function renderDocx(target: RenderTarget, data: MergeData): Promise<Buffer> {
  const columns = lineColumns(target);
  const header = new TableRow({ tableHeader: true, children: columns.map((c) => cell(c.label, true, c.numeric)) });
  const rows = data.lines.map(
    (line) => new TableRow({ children: columns.map((c) => cell(String(line[c.key] ?? line.product ?? ''), false, c.numeric)) }),
  );
  const customer = typeof data.customer.name === 'string' ? data.customer.name : '';
  const children: Array<Paragraph | Table> = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun({ text: documentTitle(target, data.record), font: FONT })] }),
    new Paragraph({ children: [new TextRun({ text: `Customer 客户: ${customer}`, font: FONT })] }),
    new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [header, ...rows] }),
  ];
  for (const clause of data.clauses) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun({ text: clause.title, font: FONT })] }));
    for (const text of clause.text.split('\n')) children.push(new Paragraph({ children: [new TextRun({ text, font: FONT })] }));
  }
  return Packer.toBuffer(new Document({ creator: 'Tessera', title: documentTitle(target, data.record), sections: [{ children }] }));
}
