// A plan's fingerprint: what a reviewer saw (GET /api/admin/model/plan, `tessera plan`) and pins when publishing,
// so that a publish applies that plan and no other. Row counts stay out: they move with every write, while
// the statements say what will be done.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import type { SchemaPlan } from './plan.js';

export function planHash(plan: SchemaPlan): string {
  const shape = { modelHash: plan.modelHash, steps: plan.steps.map((s) => ({ op: s.op, table: s.table, sql: s.sql })) };
  return createHash('sha256').update(canonicalJson(shape)).digest('hex');
}
