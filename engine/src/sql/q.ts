// SQL text helpers sit below every folder that writes SQL (schema, data, security, api), so none of them
// reaches sideways into another for them.

/** Quotes an identifier. Identifiers come from the validated Model or the engine's own names; quoting keeps reserved words and case safe. */
export function q(identifier: string): string {
  return '"' + identifier.replace(/"/g, '""') + '"';
}
