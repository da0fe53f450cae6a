// Whether a Word template's XML part is well-formed, checked before docxtemplater fills it (word-fill.ts):
// docxtemplater only looks at the tags around its own {placeholders}, so a truncated or mismatched part would
// otherwise come out as a .docx Word refuses to open. saxes is a conforming, non-validating parser (with namespaces:
// Word refuses an unbound prefix too); a DOCTYPE is
// refused outright (Office never writes one, and it is the door to entity expansion).
import { SaxesParser } from 'saxes';

/** What is wrong with `xml` (saxes' first message, with line and column), or undefined when it is well-formed. */
export function xmlProblem(xml: string): string | undefined {
  const parser = new SaxesParser({ position: true, xmlns: true });
  let problem: string | undefined;
  parser.on('error', (err) => (problem ??= err.message));
  parser.on('doctype', () => (problem ??= `${parser.line}:${parser.column}: a DOCTYPE is not accepted`));
  parser.write(xml).close();
  return problem;
}
