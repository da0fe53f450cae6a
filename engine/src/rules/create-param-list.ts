// Bound parameters for a compiled condition: `param` is a SqlCompileContext's, `values` go with the statement.

export interface ParamList {
  /** The values to pass with the statement, in placeholder order. */
  readonly values: unknown[];
  /** Registers a value and returns its placeholder (`$1`, `$2`, ...). */
  param(value: unknown): string;
}

/** Placeholders continue after any values already in `values`, so a condition can join a larger statement. */
export function createParamList(values: unknown[] = []): ParamList {
  return {
    values,
    param(value) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}
