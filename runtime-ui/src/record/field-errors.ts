// problem+json per-field errors (JSON pointers) -> rjsf's ErrorSchema, so each message shows under its field;
// errors that point at no field of the form are returned apart, for the page's banner. Pure.
import type { FieldError } from '../api/field-error.js';

export interface ErrorTree {
  __errors?: string[];
  [key: string]: ErrorTree | string[] | undefined;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Error codes the UI words itself, in the user's language; others keep the server's message. */
export const LOCALISED_CODES = [
  'validation.required',
  'validation.maxLength',
  'validation.minLength',
  'validation.format',
  'validation.pattern',
  'validation.enum',
  'validation.type',
  'validation.unique',
  'validation.reference',
  'validation.minimum',
  'validation.maximum',
] as const;
export type LocalisedCode = (typeof LOCALISED_CODES)[number];

export function toErrorSchema(
  errors: readonly FieldError[],
  fields: readonly string[],
  word: (e: FieldError) => string = (e) => e.message,
): { tree: ErrorTree; unplaced: FieldError[] } {
  const tree: ErrorTree = {};
  const unplaced: FieldError[] = [];
  for (const e of errors) {
    const path = e.pointer.split('/').slice(1).map(unescape);
    // A pointer into the body may be prefixed with the body's own wrapper (bulk writes use /data/<n>/...).
    if (path.length === 0 || !fields.includes(path[0] ?? '')) {
      unplaced.push(e);
      continue;
    }
    let node = tree;
    for (const key of path) {
      const child = (node[key] as ErrorTree | undefined) ?? {};
      node[key] = child;
      node = child;
    }
    node.__errors = [...(node.__errors ?? []), word(e)];
  }
  return { tree, unplaced };
}

/**
 * A validation rule's message in the user's language: the API words a broken rule in English and names the rules in
 * its detail; /api/meta has each rule's message translated. Undefined when the rule cannot be told apart.
 */
export function ruleMessage(
  rules: readonly { name: string; message: string; fields: string[] }[],
  detail: string,
  error: FieldError,
): string | undefined {
  if (error.code !== 'validation.rule') return undefined;
  const field = error.pointer.split('/')[1] ?? '';
  const named = new Set(detail.replace(/^[^:]*:\s*/, '').split(/,\s*/));
  const found = rules.filter((r) => named.has(r.name) && (r.fields.length === 0 || r.fields.includes(field)));
  return found.length === 1 ? found[0]?.message : undefined;
}
