// One per-field error of a problem+json answer (RFC 9457 extension used by the engine): where, which rule, what.
export interface FieldError {
  pointer: string;
  code?: string;
  message: string;
}
