// A numbered field's checks beyond the meta-schema: the pattern parses and has one {seq}, every {field} or
// {relation.field} names a value the record has when it is created, every reserved entry can match, and the
// time zone exists. Called by check-entities for fields whose kind takes `numbering`, so `tessera validate`
// reports all of it before anything is published.
import type { Report } from './check-report.js';
import type { FieldKindRegistry, OperandType } from './field-kinds.js';
import { isKnownTimeZone, parseNumberingPattern } from './numbering-pattern.js';
import { parseReserved } from './numbering-reserved.js';
import type { EntityFileSpec, FieldFileSpec } from './pack-spec.js';

export interface NumberingContext {
  readonly entity: EntityFileSpec;
  /** Entities by name (undefined: missing, which the relation's own checks report). */
  entityNamed(name: string): EntityFileSpec | undefined;
  readonly kinds: FieldKindRegistry;
}

/** Values that read as one short piece of text; json, booleans, lists and money do not. */
const PRINTABLE: ReadonlySet<OperandType> = new Set<OperandType>(['text', 'enum', 'integer', 'date']);

function isPrintable(field: FieldFileSpec, kinds: FieldKindRegistry): boolean {
  const kind = kinds.get(field.kind);
  return kind !== undefined && PRINTABLE.has(kind.operand) && !kind.reference && !kind.subPaths;
}

function checkPath(
  path: readonly string[],
  self: FieldFileSpec,
  ctx: NumberingContext,
  report: (rule: string, message: string) => void,
): void {
  const shown = `{${path.join('.')}}`;
  const [head, leaf, ...rest] = path;
  if (head === undefined) return;
  if (rest.length > 0) {
    report('numbering.path_too_deep', `${shown}: a number can use a field of the record or of a record it belongs to, one step away`);
    return;
  }
  const source = ctx.entity.fields.find((f) => f.name === head);
  if (!source) {
    report('numbering.unknown_field', `${shown}: '${head}' is not a field of ${ctx.entity.name}`);
    return;
  }
  if (source.name === self.name || (leaf === undefined && source.numbering)) {
    report('numbering.numbered_source', `${shown}: a number cannot be made from a numbered field`);
    return;
  }
  if (leaf === undefined) {
    if (!isPrintable(source, ctx.kinds)) {
      report('numbering.unusable_field', `${shown}: a ${source.kind} field cannot be part of a number (use text, enum, integer or date)`);
    }
    return;
  }
  const kind = ctx.kinds.get(source.kind);
  const targetName = kind?.reference?.target ?? source.target;
  if (!kind?.reference || source.cardinality === 'manyToMany' || targetName === undefined) {
    report('numbering.not_a_relation', `${shown}: '${head}' is not a belongsTo relation or user field, so it has no '${leaf}'`);
    return;
  }
  const target = ctx.entityNamed(targetName);
  if (!target) return; // the relation's own target check reports it
  const field = target.fields.find((f) => f.name === leaf);
  if (!field) report('numbering.unknown_field', `${shown}: '${leaf}' is not a field of ${targetName}`);
  else if (!isPrintable(field, ctx.kinds)) {
    report('numbering.unusable_field', `${shown}: a ${field.kind} field cannot be part of a number (use text, enum, integer or date)`);
  }
}

export function checkNumbering(field: FieldFileSpec, at: string, ctx: NumberingContext, r: Report): void {
  const rule = field.numbering;
  if (!rule) return;
  const where = `${at}/numbering`;
  const { tokens, problems } = parseNumberingPattern(rule.pattern);
  for (const p of problems) r({ pointer: `${where}/pattern`, rule: p.rule, message: p.message });
  for (const token of tokens) {
    if (token.kind === 'field')
      checkPath(token.path, field, ctx, (ruleName, message) => r({ pointer: `${where}/pattern`, rule: ruleName, message }));
  }
  for (const p of parseReserved(rule.reserved ?? []).problems) {
    r({ pointer: p.index === undefined ? `${where}/reserved` : `${where}/reserved/${p.index}`, rule: p.rule, message: p.message });
  }
  if (rule.timeZone !== undefined && !isKnownTimeZone(rule.timeZone)) {
    r({ pointer: `${where}/timeZone`, rule: 'numbering.unknown_time_zone', message: `'${rule.timeZone}' is not an IANA time zone` });
  }
  // The engine writes the value: a default would never be used, and a pattern would be a second format to keep in step.
  for (const option of ['default', 'pattern'] as const) {
    if (field[option] !== undefined) {
      r({
        pointer: `${at}/${option}`,
        rule: 'numbering.conflicting_option',
        message: `a numbered field takes no '${option}': the numbering pattern decides its value`,
      });
    }
  }
}
