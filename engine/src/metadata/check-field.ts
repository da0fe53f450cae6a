// One field's checks beyond the meta-schema, driven by its kind's entry: which options apply and which are
// required, option values of the kind's type, bounds in order, a pattern that compiles, a default that the
// field itself would accept, and references that resolve. Called by check-entities for every field.
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { Decimal } from 'decimal.js';
import { compareInstants, isInstant } from '../shared/instant.js';
import type { FieldKind, FieldKindRegistry, FieldSpec } from './field-kinds.js';
import { GENERIC_FIELD_KEYS } from './model.js';
import { checkTransitions } from './check-transitions.js';
import type { Report } from './check-report.js';
import type { FieldFileSpec, ValidPack } from './pack-spec.js';

export interface FieldContext {
  readonly pack: ValidPack;
  /** Entities by name, with the pack that declares each. */
  readonly entities: ReadonlyMap<string, { readonly pack: ValidPack }>;
  /** Packs this field's pack requires, itself included. */
  readonly closure: ReadonlySet<string>;
  /** Entities whose own file is broken: already reported there. */
  readonly brokenEntities: ReadonlySet<string>;
  readonly kinds: FieldKindRegistry;
  /** One compiler for every option and default: building an Ajv instance costs tens of milliseconds. */
  readonly ajv: Ajv2020;
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** Bounds compare as exact decimals, as instants, or as ISO dates (whose text order is their order). */
function compareBounds(a: number | string, b: number | string): number {
  const isDecimal = (v: number | string) => typeof v === 'number' || DECIMAL_TEXT.test(v);
  if (isDecimal(a) && isDecimal(b)) return new Decimal(a).cmp(new Decimal(b));
  if (typeof a === 'string' && typeof b === 'string' && isInstant(a) && isInstant(b)) return compareInstants(a, b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function firstError(ajv: Ajv2020, schema: Record<string, unknown>, value: unknown): string | undefined {
  const valid = ajv.compile(schema);
  if (valid(value)) return undefined;
  const e = valid.errors?.[0];
  return e ? `${e.instancePath ? `${e.instancePath} ` : ''}${e.message ?? 'is invalid'}` : 'is invalid';
}

function checkOptions(field: FieldFileSpec, at: string, kind: FieldKind, ctx: FieldContext, r: Report): boolean {
  const allowed = new Set<string>([...GENERIC_FIELD_KEYS, ...kind.options]);
  let ok = true;
  for (const key of Object.keys(field)) {
    if (!allowed.has(key)) {
      r({ pointer: `${at}/${key}`, rule: 'field.option_not_allowed', message: `'${key}' does not apply to a ${field.kind} field` });
      ok = false;
    }
  }
  for (const key of kind.requiredOptions ?? []) {
    if (field[key] === undefined) {
      r({ pointer: at, rule: 'field.option_required', message: `a ${field.kind} field needs '${key}'` });
      ok = false;
    }
  }
  for (const key of ['min', 'max'] as const) {
    const bound = field[key];
    if (bound === undefined || !kind.boundSchema) continue;
    const problem = firstError(ctx.ajv, kind.boundSchema, bound);
    if (problem) {
      r({
        pointer: `${at}/${key}`,
        rule: 'field.invalid_bound',
        message: `${key} ${JSON.stringify(bound)} is not a ${field.kind} value: ${problem}`,
      });
      ok = false;
    }
  }
  return ok;
}

function checkConstraints(field: FieldFileSpec, at: string, r: Report): boolean {
  let ok = true;
  const fail = (pointer: string, rule: string, message: string) => {
    r({ pointer, rule, message });
    ok = false;
  };
  const seen = new Set<string>();
  (field.values ?? []).forEach((v, i) => {
    if (seen.has(v.value)) fail(`${at}/values/${i}/value`, 'field.duplicate_value', `value '${v.value}' appears twice`);
    seen.add(v.value);
  });
  for (const [from, to] of Object.entries(field.valueMap ?? {})) {
    const where = `${at}/valueMap/${from.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (seen.has(from))
      fail(where, 'field.value_map_current', `'${from}' is still one of the values; only values that are gone can be mapped`);
    if (!seen.has(to)) fail(where, 'field.value_map_target', `'${from}' maps to '${to}', which is not one of the values`);
  }
  if (field.scale !== undefined && field.scale > (field.precision ?? 18)) {
    fail(`${at}/scale`, 'field.scale_exceeds_precision', `scale ${field.scale} is larger than precision ${field.precision ?? 18}`);
  }
  if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength) {
    fail(`${at}/minLength`, 'field.min_exceeds_max', `minLength ${field.minLength} is larger than maxLength ${field.maxLength}`);
  }
  if (field.min !== undefined && field.max !== undefined && compareBounds(field.min, field.max) > 0) {
    fail(`${at}/min`, 'field.min_exceeds_max', `min ${JSON.stringify(field.min)} is larger than max ${JSON.stringify(field.max)}`);
  }
  if (field.pattern !== undefined) {
    try {
      // The flag ajv compiles JSON Schema patterns with.
      new RegExp(field.pattern, 'u');
    } catch (err) {
      fail(`${at}/pattern`, 'field.invalid_pattern', `pattern does not compile: ${(err as Error).message}`);
    }
  }
  return ok;
}

function checkReference(field: FieldFileSpec, at: string, kind: FieldKind, ctx: FieldContext, r: Report): void {
  const ref = kind.reference;
  if (!ref) return;
  const targetName = ref.target ?? field.target;
  if (targetName === undefined) return; // requiredOptions reported it
  const target = ctx.entities.get(targetName);
  if (!target && ref.target) {
    r({
      pointer: `${at}/kind`,
      rule: 'field.user_entity_missing',
      message: `a ${field.kind} field needs the '${ref.target}' entity (install the pack that provides it)`,
    });
  } else if (!target && !ctx.brokenEntities.has(targetName)) {
    r({ pointer: `${at}/target`, rule: 'relation.unknown_target', message: `target entity '${targetName}' does not exist` });
  } else if (target && !ref.target && target.pack !== ctx.pack && !ctx.closure.has(target.pack.manifest.name)) {
    r({
      pointer: `${at}/target`,
      rule: 'relation.target_not_required',
      message: `target '${targetName}' belongs to pack '${target.pack.manifest.name}', which this pack does not require`,
    });
  }
  if (field.cardinality === 'manyToMany' && (field.required || field.onDelete)) {
    r({ pointer: at, rule: 'relation.many_to_many_option', message: "'required' and 'onDelete' do not apply to a manyToMany relation" });
  }
}

/** Checks one field; returns its kind when the field is sound enough to derive columns from. */
export function checkField(field: FieldFileSpec, at: string, ctx: FieldContext, r: Report): FieldKind | undefined {
  const kind = ctx.kinds.get(field.kind);
  if (!kind) {
    r({
      pointer: `${at}/kind`,
      rule: 'field.unknown_kind',
      message: `unknown field kind '${field.kind}'; known kinds: ${[...ctx.kinds.keys()].join(', ')}`,
    });
    return undefined;
  }
  const optionsOk = checkOptions(field, at, kind, ctx, r);
  const constraintsOk = checkConstraints(field, at, r);
  checkReference(field, at, kind, ctx, r);
  if (optionsOk) checkTransitions(field, at, r);
  if (field.onDelete === 'setNull' && field.required) {
    r({ pointer: `${at}/onDelete`, rule: 'relation.set_null_required', message: "onDelete 'setNull' cannot apply to a required field" });
  }
  // A default is judged by the field's own schema, so only once the options that build it are sound.
  if (field.default !== undefined && optionsOk && constraintsOk) {
    const spec: FieldSpec = { ...field, required: field.required ?? false, unique: field.unique ?? false };
    const schema = kind.defaultSchema?.(spec) ?? kind.valueSchema(spec);
    const problem = firstError(ctx.ajv, schema, field.default);
    if (problem) {
      r({
        pointer: `${at}/default`,
        rule: 'field.invalid_default',
        message: `default ${JSON.stringify(field.default)} is not a valid ${field.kind} value: ${problem}`,
      });
    }
  }
  return kind;
}
