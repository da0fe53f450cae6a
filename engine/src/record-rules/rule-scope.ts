// Where the vars of an entity's rules point, for compiling them to SQL over one row `t`: the entity's own
// columns, its belongsTo chain as scalar subqueries (no joins, so the SQL fits a SELECT list or an UPDATE),
// and the values computed earlier in the same statement. Every path read is recorded, so the caller knows
// what a rule depends on. Rules see every record: they are the data's own, not the caller's.
import { kindOf, type FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, Model } from '../metadata/model.js';
import { AliasCounter, PathResolver } from '../query/path-resolver.js';
import { UNRESTRICTED_SCOPE } from '../query/record-scope.js';
import type { SqlCollection, SqlCompileContext, SqlOperand } from '../rules/compile-condition-sql.js';
import { EngineError } from '../shared/engine-error.js';
import { sqlLiteral } from '../sql/sql-literal.js';

/** One belongsTo step of a path: from `entity` through its field `field` (stored in `column`) to `target`. */
export interface Hop {
  readonly entity: string;
  readonly field: string;
  readonly column: string;
  readonly target: string;
}

/** A path a rule reads: the hops it follows, then the field it reads on the last entity. */
export interface ReadPath {
  /** The var as the rule wrote it (`parent.rate`, `price.amount`). */
  readonly path: string;
  readonly hops: readonly Hop[];
  readonly entity: string;
  readonly field: string;
}

export interface RuleScopeOptions {
  readonly model: Model;
  readonly kinds: FieldKindRegistry;
  readonly operatorsFor: (kind: string) => readonly string[];
  readonly entity: EntityDef;
  /** Values computed earlier in the statement, by own field name (and `field.part` for parts). */
  readonly computed?: ReadonlyMap<string, string>;
  /** some/none over related records (validation rules may; stored values may not, a rollup says it instead). */
  readonly allowCollections: boolean;
  /** Restricts paths to the entity's own fields (a rollup filter stays within the child row). */
  readonly ownFieldsOnly?: boolean;
  readonly alias?: string;
}

function field(entity: EntityDef, name: string): FieldDef | undefined {
  return entity.fields.find((f) => f.name === name);
}

/** Follows a var path through belongsTo fields; undefined when it is not a path of stored fields. */
export function readPath(model: Model, kinds: FieldKindRegistry, entity: EntityDef, path: string): ReadPath | undefined {
  const segments = path.split('.');
  const hops: Hop[] = [];
  let current = entity;
  for (let i = 0; i < segments.length; i++) {
    const f = field(current, segments[i] ?? '');
    if (f === undefined) return i === 0 ? { path, hops, entity: current.name, field: segments[0] ?? '' } : undefined;
    const isLast = i === segments.length - 1;
    const kind = kindOf(kinds, f);
    // `price.amount` and `score.points` name a part of the last field, not a hop.
    if (isLast || kind.subPaths !== undefined) return { path, hops, entity: current.name, field: f.name };
    const target = f.target !== undefined ? model.entitiesByName[f.target] : undefined;
    const column = f.columns[0]?.name;
    if (!kind.reference || f.cardinality === 'manyToMany' || target === undefined || column === undefined) return undefined;
    hops.push({ entity: current.name, field: f.name, column, target: target.name });
    current = target;
  }
  return undefined;
}

function notAllowed(path: string, pointer: string, message: string): EngineError {
  return new EngineError('rules.path_not_allowed', 400, message, {
    fieldErrors: [{ pointer, code: 'rules.path_not_allowed', message: `'${path}': ${message}` }],
  });
}

export interface RuleScope {
  readonly context: SqlCompileContext;
  /** Every path the compiled rules read, in the order read. */
  readonly reads: ReadPath[];
}

export function ruleScope(o: RuleScopeOptions): RuleScope {
  const alias = o.alias ?? 't';
  const reads: ReadPath[] = [];
  const aliases = new AliasCounter();
  const resolver = new PathResolver({
    model: o.model,
    kinds: o.kinds,
    operatorsFor: o.operatorsFor,
    entity: o.entity,
    alias,
    params: { add: sqlLiteral },
    readScope: UNRESTRICTED_SCOPE,
    isHidden: () => false,
    aliases,
  });

  function context(r: PathResolver, entity: EntityDef, top: boolean): SqlCompileContext {
    return {
      resolveVar(path, pointer): SqlOperand {
        if (o.ownFieldsOnly && path.includes('.') && field(entity, path.split('.')[0] ?? '')?.target !== undefined) {
          throw notAllowed(path, pointer, 'only the record’s own fields may be used here');
        }
        // The record's own number is drawn as the write commits, after every rule has run: it would read as null.
        if (top && field(entity, path.split('.')[0] ?? '')?.numbering !== undefined) {
          throw notAllowed(path, pointer, 'a number is drawn as the record is saved, after its rules run, so rules cannot read it');
        }
        const resolved = r.resolve(path, pointer);
        if (top) {
          const read = readPath(o.model, o.kinds, entity, path);
          if (read !== undefined) reads.push(read);
          const earlier = o.computed?.get(path);
          if (earlier !== undefined) return { ...resolved, sql: earlier };
        }
        return resolved;
      },
      resolveCollection(path, pointer): SqlCollection {
        if (!o.allowCollections) throw notAllowed(path, pointer, 'a stored value cannot look at related lists; use a rollup field');
        const c = r.collection(path, pointer);
        return { open: c.open, close: c.close, path: c.path, context: context(r.nested(c.entity, c.alias), c.entity, false) };
      },
      param: sqlLiteral,
    };
  }

  return { context: context(resolver, o.entity, true), reads };
}
