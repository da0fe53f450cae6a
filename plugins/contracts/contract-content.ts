// The canonical content of a contract version and its SHA-256: the contract's own fields and its lines, serialised
// with sorted keys, lines ordered by id, decimals as the strings PostgreSQL gives for their column (fixed scale), so
// that the same content always hashes the same. Pure; versioning.ts reads the rows and stores the result.
import { createHash } from 'node:crypto';

export type ContentValue = string | number | boolean | null | ContentValue[] | { readonly [key: string]: ContentValue };

export interface ContractContent {
  readonly contract: Readonly<Record<string, ContentValue>>;
  readonly lines: ReadonlyArray<Readonly<Record<string, ContentValue>> & { readonly id: string }>;
}

export class CanonicalError extends Error {}

/** JSON with sorted keys and no whitespace; a number that is not a safe integer is refused (decimals are strings). */
export function canonicalJson(value: unknown, at = ''): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CanonicalError(`${at || '/'}: ${value} is not an integer; decimals are strings`);
    return String(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map((v, i) => canonicalJson(v, `${at}/${i}`)).join(',') + ']';
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k], `${at}/${k}`)).join(',') + '}';
  }
  throw new CanonicalError(`${at || '/'}: a ${typeof value} has no canonical form`);
}

/** The content with its lines in id order (the order rows come back in does not change the hash). */
export function canonicalContent(content: ContractContent): ContractContent {
  const lines = [...content.lines].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { contract: content.contract, lines };
}

export function contentHash(content: ContractContent): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalContent(content)), 'utf8')
    .digest('hex');
}
