// Publishing as an administrator does it: read the plan, then publish it pinned by its hash.
import type { TestResponse } from './test-engine.js';

type Request = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<TestResponse>;

export async function publishReviewed(request: Request, options: { allowDestructive?: boolean } = {}): Promise<TestResponse> {
  const query = options.allowDestructive ? '?allowDestructive=true' : '';
  const plan = await request('GET', `/api/admin/model/plan${query}`);
  if (plan.status !== 200) return plan;
  return request('POST', '/api/admin/model/publish', { planHash: plan.body.meta.planHash, ...options });
}
