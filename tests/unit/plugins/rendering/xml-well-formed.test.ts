// The well-formedness check Word template parts pass before docxtemplater fills them: balanced tags, one root,
// quoted attributes, entities, comments, processing instructions and CDATA; no DOCTYPE.
import { describe, expect, it } from 'vitest';
import { xmlProblem } from '../../../../plugins/rendering/xml-well-formed.js';

describe('xmlProblem', () => {
  it('accepts well-formed documents', () => {
    for (const xml of [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<a x="1" y=\'2\'><b/><!-- c > d --><c>t &amp; &#20013; &#x4e2d; &lt;</c><![CDATA[<not a tag>]]></a>\n',
      '\ufeff<w:document xmlns:w="urn:w"><w:body><w:p><w:r><w:t xml:space="preserve"> {#lines} a > b </w:t></w:r></w:p></w:body></w:document>',
      '<a\n  x = "1"\n/>',
    ])
      expect(xmlProblem(xml)).toBeUndefined();
  });

  it('names what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['<a><b></a>', /^<\/a> at 6 closes <b>$/],
      ['<a><b>', /^<b> is never closed$/],
      ['<a></a><b/>', /^a second root element at 7$/],
      ['text <a/>', /^text outside the root element at 0$/],
      ['<a/>text', /^text outside the root element at 4$/],
      ['<a>fish & chips</a>', /^a bare '&' at 8$/],
      ['<a x=1/>', /^an unquoted attribute value at 3$/],
      ['<a x="1/>', /^an unclosed attribute value at 3$/],
      ['<a x="1"y="2"/>', /^a malformed attribute at 8$/],
      ['<a x/>', /^an attribute without a value at 3$/],
      ['<a><!-- open</a>', /^an unclosed comment at 3$/],
      ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /DOCTYPE is not accepted/],
      ['<a>< b</a>', /^a malformed tag at 3$/],
      ['', /^no root element$/],
    ];
    for (const [xml, problem] of cases) expect(xmlProblem(xml), xml).toMatch(problem);
  });
});
