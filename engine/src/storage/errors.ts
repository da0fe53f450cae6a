// Error codes of file storage. Too-large and refused content are the client's (413, 415); a missing blob is 404;
// a store that cannot be reached is 503; a garbage collection that cannot place every blob holder refuses (500), and
// one already running elsewhere answers 409. An upload's name with path tricks is 400; a type not allowed, or one
// the name or the declared type lies about, 415.
import { EngineError } from '../shared/engine-error.js';

export type StorageErrorCode =
  | 'storage.too_large'
  | 'storage.not_found'
  | 'storage.unavailable'
  | 'storage.bad_key'
  | 'storage.unknown_holders'
  | 'storage.collection_running'
  | 'file.bad_name'
  | 'file.type_refused'
  | 'file.type_mismatch';

const STATUS: Record<StorageErrorCode, number> = {
  'storage.too_large': 413,
  'storage.not_found': 404,
  'storage.unavailable': 503,
  'storage.bad_key': 400,
  'storage.unknown_holders': 500,
  'storage.collection_running': 409,
  'file.bad_name': 400,
  'file.type_refused': 415,
  'file.type_mismatch': 415,
};

export function storageError(code: StorageErrorCode, detail: string, cause?: unknown): EngineError {
  return new EngineError(code, STATUS[code], detail, cause === undefined ? {} : { cause });
}
