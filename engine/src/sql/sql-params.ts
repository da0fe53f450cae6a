// Bound parameters of one statement: every user value reaches SQL only as $n.
export class SqlParams {
  readonly values: unknown[];

  /** Starts after `bound`: a statement extended with more conditions keeps its earlier placeholders. */
  constructor(bound: readonly unknown[] = []) {
    this.values = [...bound];
  }

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}
