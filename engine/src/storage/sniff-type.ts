// The type of an upload is read from its first bytes (file-type), never taken from its name or the client's
// Content-Type. Those two are still checked against it: a file whose name or declared type says something else is
// refused with 415 (it is either a mistake or an attack — a script named report.pdf), not stored under a truer name.
import { fileTypeFromBuffer } from 'file-type';
import { extensionOf } from './file-name.js';
import { storageError } from './errors.js';

/** Extensions whose meaning is fixed: a name ending so must hold that type. */
const TYPE_OF_EXTENSION: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  zip: 'application/zip',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  svg: 'image/svg+xml',
  js: 'text/javascript',
  exe: 'application/x-msdownload',
};

const TEXT_TYPES = new Set(['text/plain', 'text/csv']);
/** Old Office files are all one compound-file container to a sniffer. */
const CFB_TYPES = new Set(['application/msword', 'application/vnd.ms-excel', 'application/x-cfb']);

/** Bytes with no NUL that decode as UTF-8 are text (a sniffer finds no signature in them). */
function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  try {
    // A multi-byte character may be cut at the sample's end: `stream` leaves an unfinished one pending.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

const base = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() || undefined;

/** The upload's real type, after checking that the name and declared type agree with it and that it is allowed. */
export async function sniffType(head: Buffer, name: string, declared: string | undefined, allowed: readonly string[]): Promise<string> {
  const found = await fileTypeFromBuffer(head);
  const ext = extensionOf(name);
  let type: string;
  if (found) type = found.mime;
  else if (looksLikeText(head)) type = ext === 'csv' ? 'text/csv' : 'text/plain';
  else type = 'application/octet-stream';
  const named = TYPE_OF_EXTENSION[ext];
  const sameFamily = (a: string, b: string) =>
    a === b || (TEXT_TYPES.has(a) && TEXT_TYPES.has(b)) || (CFB_TYPES.has(a) && CFB_TYPES.has(b));
  if (named !== undefined && !sameFamily(named, type)) {
    throw storageError('file.type_mismatch', `'${name}' is named as ${named} but its bytes are ${type}`);
  }
  const claimed = base(declared);
  if (claimed !== undefined && claimed !== 'application/octet-stream' && !sameFamily(claimed, type)) {
    throw storageError('file.type_mismatch', `the upload is declared as ${claimed} but its bytes are ${type}`);
  }
  if (!allowed.includes(type)) throw storageError('file.type_refused', `files of type ${type} are not accepted here`);
  return type;
}
