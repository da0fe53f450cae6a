// Compiled list plans per caller and query string, so a list asked again (a grid refreshing, a dashboard
// polling) skips parsing, checking and compiling. Keyed by the caller's Access, which the authenticator keeps
// while the caller's roles, org units and the Model stay the same; a plan made under another Model is never used.
import type { Access } from '../security/access.js';
import type { ModelRuntime } from './entity-runtime.js';
import type { ListPlan } from './list-plan.js';

/** Plans kept per Access; the oldest goes first. */
const MAX_PLANS_PER_ACCESS = 100;

export class ListPlanCache {
  private readonly byAccess = new WeakMap<Access, Map<string, ListPlan>>();

  get(access: Access, key: string, runtime: ModelRuntime): ListPlan | undefined {
    const plan = this.byAccess.get(access)?.get(key);
    return plan?.runtime === runtime ? plan : undefined;
  }

  set(access: Access, key: string, plan: ListPlan): void {
    let plans = this.byAccess.get(access);
    if (!plans) this.byAccess.set(access, (plans = new Map()));
    plans.delete(key);
    if (plans.size >= MAX_PLANS_PER_ACCESS) {
      const oldest = plans.keys().next();
      if (!oldest.done) plans.delete(oldest.value);
    }
    plans.set(key, plan);
  }
}
