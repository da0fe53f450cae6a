// Upload names are kept only to be shown and offered back on download, never to build a path (blobs are stored by
// hash). Still, a name with path tricks is refused rather than quietly cut: the uploader learns at once, and no
// name that means something to a file system or a shell ever reaches a record.
import { storageError } from './errors.js';

const MAX_NAME_CHARS = 255;
// Control characters (C0, DEL, C1) and the characters Windows refuses in names.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f<>:"|?*]/u;

/** The name as it will be stored (NFC), or storage.bad_name. */
export function checkFileName(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') throw storageError('file.bad_name', 'the file needs a name (the `name` query parameter)');
  const name = raw.normalize('NFC').trim();
  if (name.includes('/') || name.includes('\\'))
    throw storageError('file.bad_name', `'${name}' holds a path separator: send the bare file name`);
  if (name === '.' || name === '..' || name.startsWith('.')) throw storageError('file.bad_name', `'${name}' is not a file name`);
  if (FORBIDDEN.test(name)) throw storageError('file.bad_name', 'the file name holds control or reserved characters');
  if ([...name].length > MAX_NAME_CHARS) throw storageError('file.bad_name', `the file name is longer than ${MAX_NAME_CHARS} characters`);
  return name;
}

/** The lower-case extension after the last dot ('' when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}
