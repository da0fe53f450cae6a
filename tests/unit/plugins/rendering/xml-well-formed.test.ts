// The well-formedness check Word template parts pass before docxtemplater fills them (saxes): balanced tags, one
// root, quoted attributes, entities, comments, processing instructions, CDATA and bound namespace prefixes; no DOCTYPE.
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

  it('names what is wrong, with its line and column', () => {
    const cases: Array<[string, RegExp]> = [
      ['<a><b></a>', /^1:10: unexpected close tag/],
      ['<a><b>', /^1:6: unclosed tag: b$/],
      ['<a></a><b/>', /only one root/],
      ['text <a/>', /text data outside of root node/],
      ['<a/>text', /text data outside of root node/],
      ['<a>fish & chips</a>', /^1:19: /],
      ['<a x=1/>', /unquoted attribute value/],
      ['<a x="1/>', /unexpected end/],
      ['<a x="1"y="2"/>', /no whitespace between attributes/],
      ['<a x/>', /attribute name/],
      ['<a><!-- open</a>', /unclosed tag: a/],
      ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /DOCTYPE is not accepted/],
      ['<a>< b</a>', /disallowed character in tag name/],
      ['<w:a xmlns:w="urn:w"><x:b/></w:a>', /unbound namespace prefix/],
      ['', /must contain a root element/],
    ];
    for (const [xml, problem] of cases) expect(xmlProblem(xml), xml).toMatch(problem);
  });
});
