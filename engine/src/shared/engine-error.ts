// The one error type of the engine; the API turns it into problem+json, the CLI into readable lines.

/** One problem with one part of an input: a JSON pointer into it, a stable code and a message. */
export interface FieldError {
  pointer: string;
  code: string;
  message: string;
  /** The file the pointer is relative to, for metadata errors. */
  file?: string;
}

export interface EngineErrorOptions {
  fieldErrors?: FieldError[];
  cause?: unknown;
  /** Extra members for the problem+json body (e.g. the current version on a 409). */
  extra?: Record<string, unknown>;
}

export class EngineError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  readonly fieldErrors: FieldError[];
  readonly extra: Record<string, unknown>;

  constructor(code: string, status: number, detail: string, options: EngineErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.fieldErrors = options.fieldErrors ?? [];
    this.extra = options.extra ?? {};
  }
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}

/** The problems an error stands for: its field errors, or itself at `pointer` when it has none. */
export function problemsOf(err: EngineError, pointer = ''): FieldError[] {
  return err.fieldErrors.length > 0 ? [...err.fieldErrors] : [{ pointer, code: err.code, message: err.detail }];
}
