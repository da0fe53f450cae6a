// Metadata problems are collected, grouped by pack -> entity -> field, and reported all at once.
import { EngineError, isEngineError, problemsOf } from '../shared/engine-error.js';

export interface MetadataProblem {
  /** Path of the file the pointer is relative to. */
  readonly file: string;
  /** RFC 6901 pointer into that file ('' for the whole file). */
  readonly pointer: string;
  /** Stable rule name, e.g. 'schema.required' or 'relation.unknown_target'. */
  readonly rule: string;
  readonly message: string;
  readonly pack: string;
  readonly entity?: string;
  readonly field?: string;
}

export class MetadataError extends EngineError {
  readonly problems: readonly MetadataProblem[];

  constructor(problems: readonly MetadataProblem[]) {
    super('metadata.invalid', 422, `${problems.length} problem(s) in the metadata`, {
      fieldErrors: problems.map((p) => ({ file: p.file, pointer: p.pointer, code: p.rule, message: p.message })),
    });
    this.problems = problems;
  }
}

/**
 * A condition's EngineError (from the parser) as metadata problems of `entity`, at `at` in its file; any other
 * error is a bug and is thrown again.
 */
export function conditionProblems(entity: { file: string; pack: string; name: string }, at: string, err: unknown): MetadataProblem[] {
  if (!isEngineError(err)) throw err;
  return problemsOf(err).map((e) => ({
    file: entity.file,
    pack: entity.pack,
    entity: entity.name,
    pointer: at + e.pointer,
    rule: e.code,
    message: e.message,
  }));
}

/** Human-readable report: one block per pack, entity and field, each line naming file, pointer and rule. */
export function formatProblems(problems: readonly MetadataProblem[]): string {
  const sorted = [...problems].sort(
    (a, b) =>
      a.pack.localeCompare(b.pack) ||
      (a.entity ?? '').localeCompare(b.entity ?? '') ||
      (a.field ?? '').localeCompare(b.field ?? '') ||
      a.file.localeCompare(b.file) ||
      a.pointer.localeCompare(b.pointer),
  );
  const lines: string[] = [];
  let group = '';
  for (const p of sorted) {
    const g = [`pack ${p.pack}`, p.entity ? `entity ${p.entity}` : '', p.field ? `field ${p.field}` : ''].filter(Boolean).join(' > ');
    if (g !== group) {
      lines.push(g);
      group = g;
    }
    lines.push(`  ${p.file}#${p.pointer || '/'}  [${p.rule}]  ${p.message}`);
  }
  return lines.join('\n');
}
