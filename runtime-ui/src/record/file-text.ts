// An upload refused by the server, in words (the engine answers 413 too large, 415 a type it does not take or one
// the name lies about, 400 a bad name). Pure.
import type { MessageKey } from '../i18n/messages.js';

/** The message for an upload the server refused with this status; undefined: use the server's own words. */
export function uploadRefusal(status: number): MessageKey | undefined {
  if (status === 413) return 'file.tooLarge';
  if (status === 415) return 'file.typeRefused';
  if (status === 400) return 'file.badName';
  return undefined;
}
