// SQL inside generated Cube JS models: a template literal whose only substitutions are `${CUBE}` and other cubes'
// names, written by us. Everything else (identifiers from the Model, literals of scopes and filters) is escaped text.
// Cube's JS models take no bound parameters, so values are inlined with sqlLiteral, as DDL does.
import { sqlLiteral } from '../sql/sql-literal.js';
import type { ParamSink } from '../query/record-scope.js';

/** Stands for `${CUBE}` while SQL is assembled: NUL never occurs in a SQL literal (sqlLiteral refuses it). */
export const CUBE = '\u0000CUBE\u0000';

/** Stands for `${<cube>}`, a reference to another cube of the same model (a join). */
export function cubeRef(name: string): string {
  return `\u0000REF:${name}\u0000`;
}

/** Stands for `${CUBE.<member>}`, a member of the same cube (a ratio's parts). */
export function memberRef(name: string): string {
  return `\u0000MEMBER:${name}\u0000`;
}

/** A ParamSink that writes values as literals (Cube models have no parameters). */
export const LITERAL_SINK: ParamSink = {
  add: (value: unknown, cast?: string) => `${sqlLiteral(value)}${cast ? `::${cast}` : ''}`,
};

/** SQL text as a JS template literal: backslashes, backticks and `${` are escaped, the placeholders substituted. */
export function sqlTemplate(sql: string): string {
  const escaped = sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  return (
    '`' +
    escaped.replace(/\u0000(?:CUBE|REF:([a-z][a-z0-9_]*)|MEMBER:([a-z][a-z0-9_]*))\u0000/g, (_m, ref?: string, member?: string) =>
      member ? `\${CUBE.${member}}` : `\${${ref ?? 'CUBE'}}`,
    ) +
    '`'
  );
}

/** A SQL value in a generated model, written as a template literal. */
export class SqlText {
  constructor(readonly sql: string) {}
}

/** A reference to a member (`CUBE.count`, `account.name`) where Cube takes references, not strings (rollups). */
export class MemberRef {
  constructor(
    readonly cube: string | undefined,
    readonly member: string,
  ) {}
}

/** A JS expression for a model value: SqlText as a template literal, everything else as JSON. */
export function jsValue(value: unknown, indent = ''): string {
  if (value instanceof SqlText) return sqlTemplate(value.sql);
  // Names are metadata names (snake_case identifiers, checked by the meta-schema): safe as JS property accesses.
  if (value instanceof MemberRef) return `${value.cube ?? 'CUBE'}.${value.member}`;
  if (Array.isArray(value)) return `[${value.map((v) => jsValue(v, indent)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const inner = `${indent}  `;
    // Cube's transpiler turns `sql: \`…\`` into a function of the cube only when the key is a bare identifier.
    const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k));
    const entries = Object.entries(value).map(([k, v]) => `${inner}${key(k)}: ${jsValue(v, inner)}`);
    return entries.length ? `{\n${entries.join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(value) ?? 'null';
}
