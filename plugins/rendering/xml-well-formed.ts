// Whether a Word template's XML part is well-formed, checked before docxtemplater fills it (word-fill.ts):
// docxtemplater only looks at the tags around its own {placeholders}, so a truncated or mismatched part would
// otherwise come out as a .docx Word refuses to open. One linear pass; a DOCTYPE is refused outright (Office never
// writes one, and it is the door to entity expansion).

const NAME = /[A-Za-z_:][\w.:-]*/y;
const SPACE = /\s*/y;
const ENTITY = /&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_][\w.-]*);/y;

/** What is wrong with `xml` (with its offset), or undefined when it is a well-formed document. */
export function xmlProblem(xml: string): string | undefined {
  const open: string[] = [];
  let roots = 0;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(xml);
    if (m) i += m[0].length;
    return m?.[0];
  };
  const skipTo = (end: string): boolean => {
    const found = xml.indexOf(end, i);
    if (found < 0) return false;
    i = found + end.length;
    return true;
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (open.length === 0 && text.trim() !== '') return `text outside the root element at ${i}`;
    for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', amp + 1)) {
      ENTITY.lastIndex = i + amp;
      if (!ENTITY.test(xml)) return `a bare '&' at ${i + amp}`;
    }
    if (lt < 0) break;
    i = lt;
    const start = i;
    if (xml.startsWith('<?', i)) {
      if (!skipTo('?>')) return `an unclosed processing instruction at ${start}`;
    } else if (xml.startsWith('<!--', i)) {
      if (!skipTo('-->')) return `an unclosed comment at ${start}`;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (open.length === 0) return `CDATA outside the root element at ${start}`;
      if (!skipTo(']]>')) return `an unclosed CDATA section at ${start}`;
    } else if (xml.startsWith('<!', i)) {
      return `a declaration (<!...>) at ${start}; a DOCTYPE is not accepted`;
    } else if (xml.startsWith('</', i)) {
      i += 2;
      const name = at(NAME);
      at(SPACE);
      if (!name || xml[i] !== '>') return `a malformed end tag at ${start}`;
      i++;
      const expected = open.pop();
      if (expected !== name) return `</${name}> at ${start} closes ${expected ? `<${expected}>` : 'nothing'}`;
    } else {
      i++;
      const name = at(NAME);
      if (!name) return `a malformed tag at ${start}`;
      if (open.length === 0 && roots++ > 0) return `a second root element at ${start}`;
      const problem = attributes();
      if (problem) return problem;
      if (xml.startsWith('/>', i)) i += 2;
      else if (xml[i] === '>') {
        i++;
        open.push(name);
      } else return `a malformed tag <${name}> at ${start}`;
    }
  }
  if (open.length > 0) return `<${open[open.length - 1]}> is never closed`;
  if (roots === 0) return 'no root element';
  return undefined;

  function attributes(): string | undefined {
    for (;;) {
      const gap = at(SPACE) ?? '';
      if (xml.startsWith('/>', i) || xml[i] === '>' || i >= xml.length) return undefined;
      const attrAt = i;
      if (gap === '' || !at(NAME)) return `a malformed attribute at ${attrAt}`;
      at(SPACE);
      if (xml[i] !== '=') return `an attribute without a value at ${attrAt}`;
      i++;
      at(SPACE);
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") return `an unquoted attribute value at ${attrAt}`;
      const end = xml.indexOf(quote, i + 1);
      if (end < 0 || xml.slice(i + 1, end).includes('<')) return `an unclosed attribute value at ${attrAt}`;
      i = end + 1;
    }
  }
}
