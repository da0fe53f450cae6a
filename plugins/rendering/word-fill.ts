// Fills a Word template (.docx) with a record's merge data: docxtemplater with its default parser (a tag is an own
// property looked up by name: no expressions, no code). Runs in the template worker (template-worker.ts), never on
// the engine's event loop. Refused with a message for the template's author: a file that is not a Word document,
// XML that unpacks past its budget or is not well-formed, broken tag syntax (an unclosed loop, a stray brace),
// raw-XML tags ({@name}: they would paste a record's text into the document as markup), and a tag naming a value
// the merge data does not have. A value the data has but that is empty (a contract with no end date) prints as
// nothing — the Liquid layouts treat both cases the same way.
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import Docxtemplater from 'docxtemplater';
import PizZip from 'pizzip';
import { xmlProblem } from './xml-well-formed.js';

export class WordTemplateError extends Error {
  override readonly name = 'WordTemplateError';
}

/** XML a template may unpack to in all: a 200-page contract's document.xml is a few MB. */
export const MAX_WORD_XML_BYTES = 16 * 1024 * 1024;

// The inspect module's file exports a factory (module.exports = () => new InspectModule()), which its typings
// describe as a default-exported class: required as what it is.
type InspectModule = InstanceType<typeof import('docxtemplater/js/inspect-module.js').default>;
const inspectModule = createRequire(import.meta.url)('docxtemplater/js/inspect-module.js') as () => InspectModule;

const XML_PART = /\.(xml|rels)$/i;
const DEFLATE = '\x08\x00';

/**
 * PizZip's record of an entry it loaded (pizzip 3.3, pinned): the compressed bytes and their method, so the XML is
 * inflated here under a size cap (pizzip's own inflate has none: a zip bomb would fill memory outside the heap cap).
 */
interface LoadedEntry {
  readonly name: string;
  readonly dir: boolean;
  readonly _data?: { readonly compressionMethod?: string; getCompressedContent?(): unknown };
}

function open(template: Uint8Array): PizZip {
  try {
    return new PizZip(template);
  } catch {
    throw new WordTemplateError('the file is not a Word document (.docx): it is not a zip archive');
  }
}

/** Every XML part inflated (under the budget) and checked, then put back uncompressed for docxtemplater. */
function unpackXml(zip: PizZip): void {
  let budget = MAX_WORD_XML_BYTES;
  for (const entry of Object.values(zip.files) as unknown as LoadedEntry[]) {
    if (entry.dir || !XML_PART.test(entry.name)) continue;
    const packed = entry._data?.getCompressedContent?.();
    if (!(packed instanceof Uint8Array)) throw new WordTemplateError(`${entry.name} cannot be read from the archive`);
    let xml: Buffer;
    try {
      xml =
        entry._data?.compressionMethod === DEFLATE
          ? inflateRawSync(packed, { maxOutputLength: Math.max(1, budget) })
          : Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new WordTemplateError(`the template's XML unpacks to more than ${MAX_WORD_XML_BYTES} bytes`);
      throw new WordTemplateError(`${entry.name} is corrupt in the archive`);
    }
    budget -= xml.length;
    if (budget < 0) throw new WordTemplateError(`the template's XML unpacks to more than ${MAX_WORD_XML_BYTES} bytes`);
    const problem = xmlProblem(xml.toString('utf8'));
    if (problem) throw new WordTemplateError(`${entry.name} is not well-formed XML: ${problem}`);
    zip.file(entry.name, xml, { binary: true });
  }
}

/** docxtemplater's own wording: its multi-errors list one explanation per broken tag. */
function describe(err: unknown): string {
  type Explained = { message?: string; properties?: { explanation?: string; errors?: Explained[] } };
  const e = err as Explained;
  const all = (e.properties?.errors ?? []).map((x) => x.properties?.explanation ?? x.message ?? '');
  if (all.length > 0) return all.slice(0, 5).join('; ') + (all.length > 5 ? ` (and ${all.length - 5} more)` : '');
  return e.properties?.explanation ?? e.message ?? String(err);
}

function rawXmlTags(parts: readonly Docxtemplater.DXT.Part[], into: string[] = []): string[] {
  for (const p of parts) {
    if (p.module === 'rawxml') into.push(`{@${p.value}}`);
    if (p.subparsed) rawXmlTags(p.subparsed, into);
  }
  return into;
}

const hasOwn = (scope: unknown, name: string): boolean => scope !== null && typeof scope === 'object' && Object.hasOwn(scope, name);

/** The filled document's bytes. Throws WordTemplateError for anything wrong with the template. */
export function fillWordTemplate(template: Uint8Array, data: Record<string, unknown>): Uint8Array {
  const zip = open(template);
  unpackXml(zip);
  const missing = new Set<string>();
  const inspect = inspectModule();
  let doc: Docxtemplater;
  try {
    doc = new Docxtemplater(zip, {
      modules: [inspect],
      paragraphLoop: true,
      linebreaks: true,
      errorLogging: false,
      // Called for a tag whose value is null or absent in every scope it can see: absent is the author's mistake.
      nullGetter(part, scopes) {
        if (!scopes.scopeList.some((s) => hasOwn(s, part.value)))
          missing.add(part.module === 'loop' ? `{#${part.value}}` : `{${part.value}}`);
        return '';
      },
    });
  } catch (err) {
    throw new WordTemplateError(describe(err));
  }
  if (inspect.getFileType() !== 'docx') throw new WordTemplateError(`the file is a ${inspect.getFileType()} document, not a Word one`);
  const raw = rawXmlTags(inspect.getAllStructuredTags());
  if (raw.length > 0) throw new WordTemplateError(`raw XML tags (${raw.slice(0, 5).join(', ')}) are not allowed: use {name}`);
  try {
    doc.render(data);
  } catch (err) {
    throw new WordTemplateError(describe(err));
  }
  if (missing.size > 0) throw new WordTemplateError(`the data has no ${[...missing].slice(0, 10).join(', ')}`);
  return doc.getZip().generate({ type: 'uint8array', compression: 'DEFLATE' });
}
