// The customer list of bench:crm alone, on a database seeded before (BENCH_KEEP=1 npm run bench:crm keeps one):
// BENCH_CRM_DB=postgres://…/tessera_bench_crm_… node --import tsx tests/bench/crm-list.bench.ts
import { measureCustomerList } from './customer-list.js';

const url = process.env.BENCH_CRM_DB;
if (!url) throw new Error('set BENCH_CRM_DB to a database seeded with `tessera seed crm --size large`');
await measureCustomerList(url);
