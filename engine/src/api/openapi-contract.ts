// The API's contract in words, for the OpenAPI document: what the schemas alone do not say. README's "The REST
// API in brief" says the same for people reading the repository; change both together.

export const API_DESCRIPTION = [
  'Values: decimals (and money amounts) travel as strings, e.g. `"1234.50"`, so no value passes through a float;',
  'money is `{ "amount": "12.50", "currency": "USD" }`; a manyToMany field is an array of ids, written as the whole set',
  'and read as the linked records the caller may read (`include=` embeds them); datetimes are ISO 8601 and come back',
  'in UTC with 6 fractional digits.',
  '\n\nWrites: `POST .../bulk` takes `{ "data": [ ...1 to 1000 records ] }`, all or nothing, with error pointers',
  "like `/data/3/title`. An entity's owner field defaults to the caller (its org unit field to the caller's unit).",
  'PATCH needs the version read (If-Match or `version`); an empty PATCH changes nothing and answers the current record.',
  '\n\nDeletes are soft: the record vanishes from every read, filter and reference check, and unique indexes ignore',
  'deleted rows. The onDelete rule of each reference applies: `restrict` answers 409 `record.referenced` with',
  '`references: [{ entity, field, count }]`, `cascade` soft-deletes the referencing records in the same transaction,',
  '`setNull` clears the reference; each record changed is audited.',
  '\n\nAccess: create, update, delete, export and action scopes never reach beyond what the caller may read. History shows',
  'who made each change, even to readers who cannot read that user.',
].join(' ');

/** Where the filter language departs from stock json-logic-js. */
export const FILTER_SEMANTICS = [
  'Semantics (where they differ from json-logic-js): a comparison starts with a var or a computed value; a bare `{"var": ...}` is',
  'not a condition (write `{"==": [{"var": ...}, true]}`). A missing value compares like SQL NULL: `==`, `<`,',
  '`in`, `between` are false on it, `!=` is true (IS DISTINCT FROM), `{"==": [v, null]}` is `isNull`, `!` is',
  'IS NOT TRUE, and `in` lists cannot hold null (add `isNull` with `or`). Datetimes compare as instants whatever',
  'their offset; decimals compare exactly, never as floats; text orders by code point. `contains` and `startsWith`',
  'ignore ASCII case (A-Z only) and have no wildcards; `==`, `in` and the orderings are case-sensitive.',
  'Values can be computed: the sides of a comparison may be functions of fields (`{">": [{"var": "amount"},',
  '{"*": [{"var": "cost"}, "1.2"]}]}`, `if`, `coalesce`, `daysBetween`, `today`), exactly, never as floats.',
  'Arithmetic on a missing value has none, `/` rounds half away from zero to 10 places and has no value for a',
  'zero divisor, `min`/`max` skip missing values, and a comparison with a computed value that has none is false.',
].join(' ');
