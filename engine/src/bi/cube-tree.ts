// Roll-up along a tree (a report's `rollUp`): a relation of an entity to an entity that relates to itself (a parent),
// so that each record counts toward the node it names and every node above it, to any depth. The closure of the tree
// (each node with every node of its subtree) is a recursive query over the live nodes; build-cube-files.ts joins the
// records to it in a cube of its own, report-plan.ts queries that cube, report.routes.ts drills a node down to its
// subtree. Pure.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, Model } from '../metadata/model.js';
import { q } from '../sql/q.js';

export interface Tree {
  /** The record's relation to a node. */
  readonly field: FieldDef;
  readonly target: EntityDef;
  /** The node's relation to the node above it. */
  readonly parent: FieldDef;
}

const isToOne = (kinds: FieldKindRegistry, f: FieldDef) =>
  f.target !== undefined && f.columns[0] !== undefined && f.cardinality !== 'manyToMany' && kinds.get(f.kind)?.reference !== undefined;

/** The tree `entity.field` points into, or undefined when the field is no relation to an entity related to itself. */
export function treeOf(model: Model, kinds: FieldKindRegistry, entity: EntityDef, field: string): Tree | undefined {
  const f = entity.fields.find((x) => x.name === field);
  if (!f || !isToOne(kinds, f)) return undefined;
  const target = model.entitiesByName[f.target ?? ''];
  const parent = target?.fields.find((x) => x.target === target.name && isToOne(kinds, x));
  return target && parent ? { field: f, target, parent } : undefined;
}

/** The cube of an entity's records repeated for every node above them in the tree `field` points into. */
export function treeCubeName(entity: string, field: string): string {
  return `${entity}__${field}_tree`;
}

/** The column of a tree cube's rows that holds the node a record counts toward. */
export const TREE_NODE_COLUMN = 'tessera_tree_node';

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
