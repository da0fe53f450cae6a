// A template's clauses made into a contract's text: each clause whose JSON Logic `when` holds over the merge data
// ({contract, customer, values}) is kept, numbered, with its {{path}} merge fields filled in. Pure; a merge field
// that names nothing is refused rather than left blank in a contract. Used by templates.ts.
import jsonLogicModule from 'json-logic-js';

interface JsonLogic {
  apply(logic: unknown, data: unknown): unknown;
}
const jsonLogic: JsonLogic = jsonLogicModule;

export interface Clause {
  readonly title: string;
  readonly text: string;
  readonly when?: unknown;
}

export type MergeData = Readonly<Record<string, unknown>>;

export class ClauseError extends Error {
  constructor(
    message: string,
    readonly pointer: string,
  ) {
    super(message);
  }
}

/** The clauses a template stores, checked for shape (the template's `clauses` field is free JSON). */
export function parseClauses(value: unknown): Clause[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new ClauseError('clauses is a list of {title, text, when?}', '/clauses');
  return value.map((c: unknown, i) => {
    const clause = c as Partial<Record<string, unknown>>;
    if (typeof c !== 'object' || c === null || typeof clause.title !== 'string' || typeof clause.text !== 'string')
      throw new ClauseError('a clause has a title and a text', `/clauses/${i}`);
    return { title: clause.title, text: clause.text, ...(clause.when !== undefined ? { when: clause.when } : {}) };
  });
}

function lookup(data: MergeData, path: string): unknown {
  let at: unknown = data;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || !(part in at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

export function renderClauses(clauses: readonly Clause[], data: MergeData): string {
  const kept = clauses.filter((c) => c.when === undefined || Boolean(jsonLogic.apply(c.when, data)));
  return kept
    .map((clause, i) => {
      const text = clause.text.replace(/\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g, (_, path: string) => {
        const value = lookup(data, path);
        if (value === undefined || value === null || typeof value === 'object')
          throw new ClauseError(
            `clause '${clause.title}' merges {{${path}}}, which has no value`,
            `/clauses/${clauses.indexOf(clause)}/text`,
          );
        return String(value);
      });
      return `${i + 1}. ${clause.title}\n${text}`;
    })
    .join('\n\n');
}
