// Roll-up along a tree (a report's `rollUp`): a relation of an entity to an entity that relates to itself (a parent),
// or a path of to-one relations ending in one (`contract.owner.org_unit`: the org unit of the owner of the record's
// contract), so that each record counts toward the node it reaches and every node above it, to any depth. The closure
// of the tree (each node with every node of its subtree) is a recursive query over the live nodes; build-cube-files.ts
// joins the records to it in a cube of its own, report-plan.ts queries that cube, report.routes.ts drills a node down
// to its subtree. Pure.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, Model } from '../metadata/model.js';
import { q } from '../sql/q.js';

/** One relation of a path, from `from` to `to`. */
export interface TreeHop {
  readonly from: EntityDef;
  readonly field: FieldDef;
  readonly to: EntityDef;
}

export interface Tree {
  /** The relations from the record to the one that names the node (none when the record names it itself). */
  readonly via: readonly TreeHop[];
  /** The relation naming the node, of the record or of the last record on the way. */
  readonly field: FieldDef;
  readonly target: EntityDef;
  /** The node's relation to the node above it. */
  readonly parent: FieldDef;
}

/** A path longer than this is refused: each relation is a join per row of the report. */
export const MAX_TREE_PATH = 4;

const isToOne = (kinds: FieldKindRegistry, f: FieldDef) =>
  f.target !== undefined && f.columns[0] !== undefined && f.cardinality !== 'manyToMany' && kinds.get(f.kind)?.reference !== undefined;

/**
 * The tree a path of to-one relations from `entity` ends in, or undefined when a step is no to-one relation or the
 * last one's entity does not relate to itself.
 */
export function treeOf(model: Model, kinds: FieldKindRegistry, entity: EntityDef, path: string): Tree | undefined {
  const names = path.split('.');
  if (names.length > MAX_TREE_PATH) return undefined;
  const hops: TreeHop[] = [];
  let from = entity;
  for (const name of names) {
    const field = from.fields.find((x) => x.name === name);
    const to = field && isToOne(kinds, field) ? model.entitiesByName[field.target ?? ''] : undefined;
    if (!field || !to) return undefined;
    hops.push({ from, field, to });
    from = to;
  }
  const last = hops.pop();
  const parent = from.fields.find((x) => x.target === from.name && isToOne(kinds, x));
  return last && parent ? { via: hops, field: last.field, target: from, parent } : undefined;
}

/**
 * A path by its last relation: the tree cube's suffix and its node dimension (a relation of the record's own keeps its
 * name). Not the whole path: Cube's column aliases (cube and member) must fit PostgreSQL's 63 bytes, and an entity's
 * roll-ups ending in one relation name share a cube name (check-analytics.ts refuses that).
 */
const lastOf = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

/** The cube of an entity's records repeated for every node above them in the tree `path` reaches. */
export function treeCubeName(entity: string, path: string): string {
  return `${entity}__${lastOf(path)}_tree`;
}

/** The dimension of a tree cube that holds the node a record counts toward. */
export function treeNodeDimension(path: string): string {
  return lastOf(path);
}

/** The column of a tree cube's rows that holds the node a record counts toward. */
export const TREE_NODE_COLUMN = 'tessera_tree_node';

/**
 * From the record (`alias`) to the node it names: the joins through the path's live records, and the column holding
 * the node. A record whose path breaks (an empty relation, a deleted record on the way) reaches no node.
 */
export function treeReachSql(tree: Tree, alias: string): { joins: string; node: string } {
  const joins: string[] = [];
  let at = alias;
  tree.via.forEach((hop, i) => {
    const next = `${alias}_via${i}`;
    joins.push(
      `JOIN ${q(hop.to.table)} ${next} ON ${next}.id = ${at}.${q(hop.field.columns[0]?.name ?? '')} AND ${next}.deleted_at IS NULL`,
    );
    at = next;
  });
  return { joins: joins.join(' '), node: `${at}.${q(tree.field.columns[0]?.name ?? '')}` };
}

/** `(node, member)`: every live node with every node of its subtree, itself included. */
export function treeClosureSql(tree: Tree): string {
  const table = q(tree.target.table);
  const parent = q(tree.parent.columns[0]?.name ?? '');
  // UNION, not UNION ALL: a cycle in the data ends the walk instead of looping.
  return `WITH RECURSIVE tree(node, member) AS (
    SELECT n.id, n.id FROM ${table} n WHERE n.deleted_at IS NULL
    UNION
    SELECT n.${parent}, tree.member FROM tree JOIN ${table} n ON n.id = tree.node WHERE n.${parent} IS NOT NULL AND n.deleted_at IS NULL)
  SELECT node, member FROM tree`;
}
