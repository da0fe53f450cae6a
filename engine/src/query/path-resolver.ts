// Resolves `var` paths (`amount`, `company.region`, `price.currency`) and collection paths (`contacts`)
// of one entity into SQL, for filters and sorts. belongsTo hops become LEFT JOINs at the top level and
// scalar subqueries inside collections; every joined alias carries the caller's record scope.
import { EngineError } from '../shared/engine-error.js';
import type { FieldKindRegistry, OperandType } from '../metadata/field-kinds.js';
import { SYSTEM_READ_COLUMNS, systemOperand } from '../metadata/system-columns.js';
import type { EntityDef, FieldDef, Model } from '../metadata/model.js';
import { q } from '../sql/q.js';
import { liveAndScoped } from './live-rows.js';
import type { RecordScope } from './record-scope.js';
import type { ParamSink } from './record-scope.js';

export interface ResolvedPath {
  readonly sql: string;
  readonly operand: OperandType;
  readonly operators: readonly string[];
  readonly path: string;
}

export interface CollectionPath {
  readonly open: string;
  readonly close: string;
  readonly entity: EntityDef;
  readonly alias: string;
  readonly path: string;
}

/** Shared by every resolver of one statement so aliases never collide. */
export class AliasCounter {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}${++this.n}`;
  }
}

const SYSTEM_OPERANDS: Readonly<Record<string, { operand: OperandType; operators: readonly string[] }>> = Object.fromEntries(
  SYSTEM_READ_COLUMNS.map((c) => [c.name, systemOperand(c)]),
);

function unknownPath(path: string, pointer: string, why: string): EngineError {
  return new EngineError('filter.unknown_field', 400, `'${path}' ${why}`, {
    fieldErrors: [{ pointer, code: 'filter.unknown_field', message: `'${path}' ${why}` }],
  });
}

export interface PathResolverOptions {
  readonly model: Model;
  readonly kinds: FieldKindRegistry;
  readonly operatorsFor: (kind: string) => readonly string[];
  readonly entity: EntityDef;
  readonly alias: string;
  readonly params: ParamSink;
  /** Rows of related entities the caller may read (joins, subqueries, collections). */
  readonly readScope: RecordScope;
  /** Hidden fields do not exist for the caller. */
  readonly isHidden: (entity: string, field: string) => boolean;
  readonly aliases: AliasCounter;
  /** Top level: hops become joins collected here. Inside a collection: undefined, hops become subqueries. */
  readonly joins?: string[];
  /** Existing joins by path, so `company.a` and `company.b` share one join. */
  readonly joinAliases?: Map<string, string>;
}

export class PathResolver {
  constructor(private readonly o: PathResolverOptions) {}

  private entityOf(name: string): EntityDef {
    const e = this.o.model.entitiesByName[name];
    if (!e) throw new Error(`relation target '${name}' missing from the Model`);
    return e;
  }

  /** Hidden fields do not exist for this caller: not as values, filters, sorts or hops. */
  private field(entity: EntityDef, name: string): FieldDef | undefined {
    const f = entity.fields.find((x) => x.name === name);
    return f && !this.o.isHidden(entity.name, f.name) ? f : undefined;
  }

  private leaf(
    entity: EntityDef,
    alias: string,
    segs: readonly string[],
    path: string,
    pointer: string,
  ): Omit<ResolvedPath, 'sql'> & { column: string } {
    const [name = '', sub] = segs;
    // Names come from user input: never let 'constructor' or '__proto__' find Object.prototype members.
    const system = Object.hasOwn(SYSTEM_OPERANDS, name) ? SYSTEM_OPERANDS[name] : undefined;
    if (system && segs.length === 1) return { ...system, column: `${alias}.${q(name)}`, path };
    const f = this.field(entity, name);
    const kind = f ? this.o.kinds.get(f.kind) : undefined;
    if (!f || !kind) throw unknownPath(path, pointer, `is not a field of ${entity.name}`);
    if (kind.subPaths) {
      const part = sub !== undefined && segs.length === 2 && Object.hasOwn(kind.subPaths, sub) ? kind.subPaths[sub] : undefined;
      const col = part ? f.columns[part.column] : undefined;
      if (part && col)
        return { operand: part.operand, operators: part.operators ?? this.o.operatorsFor(f.kind), column: `${alias}.${q(col.name)}`, path };
      throw unknownPath(
        path,
        pointer,
        `has parts: use ${Object.keys(kind.subPaths)
          .map((p) => `'${name}.${p}'`)
          .join(' or ')}`,
      );
    }
    if (segs.length > 1) throw unknownPath(path, pointer, `cannot be followed: ${name} is not a belongsTo relation`);
    if (f.cardinality === 'manyToMany') throw unknownPath(path, pointer, 'is a collection: use some or none');
    const col = f.columns[0];
    if (!col) throw unknownPath(path, pointer, 'has no stored value');
    return { operand: kind.operand, operators: this.o.operatorsFor(f.kind), column: `${alias}.${q(col.name)}`, path };
  }

  private hop(entity: EntityDef, name: string): { field: FieldDef; target: EntityDef; fk: string } | undefined {
    const f = this.field(entity, name);
    if (!f?.target || f.cardinality === 'manyToMany' || !this.o.kinds.get(f.kind)?.reference) return undefined;
    const fk = f.columns[0];
    return fk ? { field: f, target: this.entityOf(f.target), fk: fk.name } : undefined;
  }

  resolve(path: string, pointer: string): ResolvedPath {
    const segs = path.split('.');
    let entity = this.o.entity;
    let alias = this.o.alias;
    const wraps: Array<(inner: string) => string> = [];
    let i = 0;
    for (; i < segs.length - 1; i++) {
      const seg = segs[i] ?? '';
      const h = this.hop(entity, seg);
      if (!h) break;
      const prefix = segs.slice(0, i + 1).join('.');
      if (this.o.joins) {
        let joined = this.o.joinAliases?.get(prefix);
        if (!joined) {
          joined = this.o.aliases.next('j');
          this.o.joins.push(
            `LEFT JOIN ${q(h.target.table)} ${joined} ON ${joined}.id = ${alias}.${q(h.fk)} AND ${liveAndScoped(h.target, joined, this.o.params, this.o.readScope)}`,
          );
          this.o.joinAliases?.set(prefix, joined);
        }
        alias = joined;
      } else {
        const sub = this.o.aliases.next('s');
        const from = alias;
        const target = h.target;
        wraps.push(
          (inner) =>
            `(SELECT ${inner} FROM ${q(target.table)} ${sub} WHERE ${sub}.id = ${from}.${q(h.fk)} AND ${liveAndScoped(target, sub, this.o.params, this.o.readScope)})`,
        );
        alias = sub;
      }
      entity = h.target;
    }
    const leaf = this.leaf(entity, alias, segs.slice(i), path, pointer);
    const sql = wraps.reduceRight((inner, wrap) => wrap(inner), leaf.column);
    return { sql, operand: leaf.operand, operators: leaf.operators, path };
  }

  collection(path: string, pointer: string): CollectionPath {
    const { entity, alias, params, aliases } = this.o;
    const scope = this.o.readScope;
    const inverse = entity.inverses.find((inv) => inv.name === path && !this.o.isHidden(inv.sourceEntity, inv.sourceField));
    const own = this.field(entity, path);
    const c = aliases.next('c');
    if (inverse) {
      const source = this.entityOf(inverse.sourceEntity);
      const sourceField = this.field(source, inverse.sourceField);
      if (inverse.kind === 'hasMany' && sourceField?.columns[0]) {
        return {
          entity: source,
          alias: c,
          path,
          close: ')',
          open: `EXISTS (SELECT 1 FROM ${q(source.table)} ${c} WHERE ${c}.${q(sourceField.columns[0].name)} = ${alias}.id AND ${liveAndScoped(source, c, params, scope)} AND `,
        };
      }
      const j = sourceField?.junction;
      if (j) {
        const x = aliases.next('x');
        return {
          entity: source,
          alias: c,
          path,
          close: ')',
          open: `EXISTS (SELECT 1 FROM ${q(j.table)} ${x} JOIN ${q(source.table)} ${c} ON ${c}.id = ${x}.${q(j.sourceColumn)} WHERE ${x}.${q(j.targetColumn)} = ${alias}.id AND ${liveAndScoped(source, c, params, scope)} AND `,
        };
      }
    }
    if (own?.junction && own.target) {
      const j = own.junction;
      const target = this.entityOf(own.target);
      const x = aliases.next('x');
      return {
        entity: target,
        alias: c,
        path,
        close: ')',
        open: `EXISTS (SELECT 1 FROM ${q(j.table)} ${x} JOIN ${q(target.table)} ${c} ON ${c}.id = ${x}.${q(j.targetColumn)} WHERE ${x}.${q(j.sourceColumn)} = ${alias}.id AND ${liveAndScoped(target, c, params, scope)} AND `,
      };
    }
    throw unknownPath(path, pointer, `is not a hasMany or manyToMany relation of ${entity.name}`);
  }

  /** A resolver for the elements of a collection: same statement, no joins (hops become subqueries). */
  nested(entity: EntityDef, alias: string): PathResolver {
    const { joins: _j, joinAliases: _a, ...rest } = this.o;
    return new PathResolver({ ...rest, entity, alias });
  }
}
