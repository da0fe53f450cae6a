// Numbering rules through HTTP on the numbering-demo pack (#19), on whichever database the suite runs on
// (embedded PostgreSQL by default, DATABASE_URL's otherwise): 50 concurrent creates get unique numbers with
// no gap and the reserved ones skipped; a rolled-back create gives its number back; a number is never given
// again after a delete; reserved numbers are given only explicitly, with the assignReserved action; numbers
// never change; per-prefix sequences from a parent's value; and the database's skip function agrees with
// the engine's.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReserved, nextUnreserved, parseReserved } from '../../../engine/src/metadata/numbering-reserved.js';
import { expectProblem } from '../../support/problem-checks.js';
import { basePack, entityOf, makeTempDir, removeDir, writePackSource } from '../../support/pack-builder.js';
import { startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';

const PACKS = ['metadata/packs/core', 'tests/fixtures/packs/numbering-demo'];
/** As in tests/fixtures/packs/numbering-demo/entities/contract.json. */
const CONTRACT_RESERVED = parseReserved(['8', '13', '*888', '8888', '20-24']).set;

let t: TestEngine;
type Request = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<TestResponse>;
/** May create contracts; no assignReserved. */
let clerk: Request;
/** May create contracts and give reserved numbers. */
let registrar: Request;

const year = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date());
const contractNo = (seq: number) => `CT-${year}-${String(seq).padStart(5, '0')}`;
const seqOf = (no: string) => Number(/^CT-\d{4}-(\d+)$/.exec(no)?.[1]);
const ifMatch = (v: unknown) => ({ 'if-match': `"${String(v)}"` });

/** The first `count` sequence numbers automatic numbering gives, from 1. */
function firstUnreserved(count: number): number[] {
  const out: bigint[] = [];
  for (let last = 0n; out.length < count; last = out[out.length - 1] ?? 0n) out.push(nextUnreserved(last, CONTRACT_RESERVED));
  return out.map(Number);
}

async function created(res: TestResponse): Promise<Record<string, any>> {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function userWithRole(code: string, contractActions: string[]): Promise<Request> {
  const user = await created(await t.request('POST', '/api/v1/app_user', { username: code, display_name: code }));
  const pw = await t.request('PUT', `/api/admin/users/${user.id}/password`, { password: `${code}-password-1` });
  expect(pw.status).toBe(204);
  const grants = {
    entities: {
      contract: { actions: contractActions, scope: 'all' },
      work_order: { actions: ['read', 'create'], scope: 'all' },
      branch: { actions: ['read'], scope: 'all' },
    },
  };
  await created(await t.request('POST', '/api/v1/role', { code, name: code, grants, members: [user.id] }));
  const token = await t.login(code, `${code}-password-1`);
  return (method, path, body, headers = {}) => t.request(method, path, body, { authorization: `Bearer ${token}`, ...headers });
}

/** Every contract number given so far, deleted records' too. */
async function allContractNumbers(): Promise<string[]> {
  const res = await t.db.pool.query<{ no: string }>('SELECT contract_no AS no FROM contract ORDER BY contract_no');
  return res.rows.map((r) => r.no);
}

beforeAll(async () => {
  t = await startTestEngine({ packs: PACKS });
  clerk = await userWithRole('clerk', ['read', 'create', 'update', 'delete']);
  registrar = await userWithRole('registrar', ['read', 'create', 'assignReserved']);
});
afterAll(() => t?.stop());

describe('GET /api/meta', () => {
  it('shows the rule on the field, read-only and unique, and not required of a create', async () => {
    for (const [req, assignReserved] of [
      [clerk, false],
      [registrar, true],
    ] as const) {
      const res = await req('GET', '/api/meta');
      expect(res.status).toBe(200);
      const contract = (res.body.data?.entities ?? res.body.entities).find((e: { name: string }) => e.name === 'contract');
      const field = contract.fields.find((f: { name: string }) => f.name === 'contract_no');
      expect(field).toEqual(
        expect.objectContaining({
          readOnly: true,
          unique: true,
          required: true,
          numbering: {
            pattern: 'CT-{YYYY}-{seq:5}',
            reserved: ['8', '13', '*888', '8888', '20-24'],
            timeZone: 'Asia/Shanghai',
            assignReserved,
          },
        }),
      );
      expect(contract.jsonSchema.create.required).toEqual(['title']);
      expect(contract.jsonSchema.create.properties.contract_no.readOnly).toBe(true);
    }
  });
});

describe('automatic numbers', () => {
  it('numbers the first contract of the year 1, padded to five digits', async () => {
    const first = await created(await clerk('POST', '/api/v1/contract', { title: 'first' }));
    expect(first.contract_no).toBe(contractNo(1));
  });

  it('gives 50 concurrent creates unique numbers with no gap, skipping reserved ones', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => clerk('POST', '/api/v1/contract', { title: `c${i}` })));
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(201);
    const numbers = results.map((r) => r.body.data.contract_no as string);
    expect(new Set(numbers).size).toBe(50);
    const seqs = [1, ...numbers.map(seqOf)].sort((a, b) => a - b);
    // The first 51 numbers automatic numbering may give: 1..58 without 8, 13 and 20-24.
    expect(seqs).toEqual(firstUnreserved(51));
    expect(seqs.filter((n) => isReserved(BigInt(n), CONTRACT_RESERVED))).toEqual([]);
    expect(seqs).not.toContain(8);
    expect(seqs).not.toContain(22);
    expect(await allContractNumbers()).toEqual(seqs.map(contractNo));
  });

  it('takes a rolled-back create’s number back: no gap after a failed bulk create', async () => {
    const before = (await allContractNumbers()).map(seqOf);
    const last = Math.max(...before);
    const failed = await clerk('POST', '/api/v1/contract/bulk', { data: [{ title: 'drew a number' }, { title: 'drew one too' }, {}] });
    expectProblem(failed, 422, 'validation.failed', [{ pointer: '/data/2/title', code: 'validation.required' }]);
    const next = await created(await clerk('POST', '/api/v1/contract', { title: 'after the rollback' }));
    expect(seqOf(next.contract_no)).toBe(Number(nextUnreserved(BigInt(last), CONTRACT_RESERVED)));
  });

  it('never gives a number again after its record is deleted', async () => {
    const last = await created(await clerk('POST', '/api/v1/contract', { title: 'to delete' }));
    const del = await clerk('DELETE', `/api/v1/contract/${last.id}`, undefined, ifMatch(last.version));
    expect(del.status, JSON.stringify(del.body)).toBeLessThan(300);
    const next = await created(await clerk('POST', '/api/v1/contract', { title: 'after the delete' }));
    expect(seqOf(next.contract_no)).toBe(Number(nextUnreserved(BigInt(seqOf(last.contract_no)), CONTRACT_RESERVED)));
    // The deleted record keeps its number, and the unique index counts it.
    expect(await allContractNumbers()).toContain(last.contract_no);
  });

  it('skips numbers ending in 888 and the exact 8888 as the sequence reaches them', async () => {
    // Moving the counter stands in for creating 8,000 contracts.
    const moved = await t.db.pool.query(
      `UPDATE tessera_number_counter SET last_value = 886 WHERE entity_id = 'numdemo.contract' AND field_id = 'numdemo.contract.contract_no'`,
    );
    expect(moved.rowCount).toBe(1);
    const near888 = [];
    for (let i = 0; i < 2; i += 1) near888.push((await created(await clerk('POST', '/api/v1/contract', { title: `n${i}` }))).contract_no);
    expect(near888).toEqual([contractNo(887), contractNo(889)]);
    await t.db.pool.query(`UPDATE tessera_number_counter SET last_value = 8886 WHERE entity_id = 'numdemo.contract'`);
    const near8888 = [];
    for (let i = 0; i < 2; i += 1) near8888.push((await created(await clerk('POST', '/api/v1/contract', { title: `m${i}` }))).contract_no);
    expect(near8888).toEqual([contractNo(8887), contractNo(8889)]);
  });

  it('outgrows the padding instead of failing', async () => {
    await t.db.pool.query(`UPDATE tessera_number_counter SET last_value = 99999 WHERE entity_id = 'numdemo.contract'`);
    const big = await created(await clerk('POST', '/api/v1/contract', { title: 'big' }));
    expect(big.contract_no).toBe(`CT-${year}-100000`);
  });
});

describe('explicit numbers', () => {
  it('gives a reserved number to a caller granted assignReserved, once, even after a delete', async () => {
    const given = await created(await registrar('POST', '/api/v1/contract', { title: 'vip', contract_no: contractNo(8) }));
    expect(given.contract_no).toBe(contractNo(8));
    const del = await t.request('DELETE', `/api/v1/contract/${given.id}`, undefined, ifMatch(given.version));
    expect(del.status).toBeLessThan(300);
    expectProblem(await registrar('POST', '/api/v1/contract', { title: 'again', contract_no: contractNo(8) }), 409, 'record.duplicate', [
      { pointer: '/contract_no', code: 'validation.unique' },
    ]);
    // Administrators hold every action.
    expect(
      (await created(await t.request('POST', '/api/v1/contract', { title: 'admin', contract_no: contractNo(1888) }))).contract_no,
    ).toBe(contractNo(1888));
  });

  it('refuses a reserved number from a caller without assignReserved (403), single and bulk', async () => {
    const res = await clerk('POST', '/api/v1/contract', { title: 'x', contract_no: contractNo(13) });
    expectProblem(res, 403, 'access.denied');
    expect(res.body.detail).toContain('assignReserved');
    expectProblem(
      await clerk('POST', '/api/v1/contract/bulk', { data: [{ title: 'ok' }, { title: 'x', contract_no: contractNo(21) }] }),
      403,
      'access.denied',
    );
  });

  it.each([
    ['a number that is not reserved', () => contractNo(2)],
    ['a reserved number written without its padding', () => `CT-${year}-13`],
    ['a reserved number of another year', () => `CT-2001-00013`],
    ['text that is no number', () => 'hello'],
    ['a number of the wrong type', () => 13],
  ])('refuses %s, whoever gives it (422 validation.read_only)', async (_what, value) => {
    for (const req of [clerk, registrar]) {
      const res = await req('POST', '/api/v1/contract', { title: 'x', contract_no: value() });
      expect(res.status).toBe(422);
      expectProblem(res, 422, 'validation.failed', [{ pointer: '/contract_no', code: /^validation\.(read_only|type)$/ }]);
    }
  });

  it('takes null as no value: the record is numbered', async () => {
    const rec = await created(await clerk('POST', '/api/v1/contract', { title: 'null', contract_no: null }));
    expect(rec.contract_no).toMatch(/^CT-\d{4}-\d{5,}$/);
  });
});

describe('a number never changes', () => {
  it('refuses a patch that changes it, and accepts one that repeats it', async () => {
    const rec = await created(await clerk('POST', '/api/v1/contract', { title: 'stable' }));
    expectProblem(
      await clerk('PATCH', `/api/v1/contract/${rec.id}`, { contract_no: contractNo(13) }, ifMatch(rec.version)),
      422,
      'validation.failed',
      [{ pointer: '/contract_no', code: 'validation.read_only' }],
    );
    const same = await clerk(
      'PATCH',
      `/api/v1/contract/${rec.id}`,
      { title: 'renamed', contract_no: rec.contract_no },
      ifMatch(rec.version),
    );
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.data).toEqual(expect.objectContaining({ title: 'renamed', contract_no: rec.contract_no }));
  });
});

describe('numbers from field values', () => {
  let bj: string;
  let sh: string;

  beforeAll(async () => {
    bj = (await created(await t.request('POST', '/api/v1/branch', { name: 'Beijing', code: 'BJ' }))).id;
    sh = (await created(await t.request('POST', '/api/v1/branch', { name: 'Shanghai', code: 'SH' }))).id;
  });

  it('runs one sequence per distinct prefix, with no gap under concurrent creates', async () => {
    const bodies = Array.from({ length: 40 }, (_, i) => ({ subject: `o${i}`, branch: i % 2 ? bj : sh, priority: i % 4 < 2 ? 'P1' : 'P2' }));
    const results = await Promise.all(bodies.map((b) => clerk('POST', '/api/v1/work_order', b)));
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(201);
    const byPrefix = new Map<string, number[]>();
    for (const res of results) {
      const [, prefix, seq] = /^(.+)-(\d{6})$/.exec(res.body.data.order_no as string) ?? [];
      byPrefix.set(prefix!, [...(byPrefix.get(prefix!) ?? []), Number(seq)]);
    }
    expect([...byPrefix.keys()].sort()).toEqual(['BJ-P1', 'BJ-P2', 'SH-P1', 'SH-P2']);
    for (const seqs of byPrefix.values()) expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('numbers concurrent bulk creates that take the same prefixes in opposite orders', async () => {
    // Each bulk create holds the counter rows of both branches until it commits, taken in opposite orders: without
    // bulk creates taking turns on the rule this deadlocks, and PostgreSQL aborts one of them.
    const bulk = (first: string, second: string) => ({
      data: [
        { subject: 'a', branch: first, priority: 'P2' },
        { subject: 'b', branch: second, priority: 'P2' },
      ],
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => clerk('POST', '/api/v1/work_order/bulk', i % 2 ? bulk(bj, sh) : bulk(sh, bj))),
    );
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(201);
    const numbers = results.flatMap((r) => (r.body.data as Array<{ order_no: string }>).map((d) => d.order_no));
    for (const prefix of ['BJ-P2', 'SH-P2']) {
      const seqs = numbers.filter((n) => n.startsWith(prefix)).map((n) => Number(n.slice(-6)));
      expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    }
  });

  it('names the missing value a number needs (422), and a parent without one', async () => {
    expectProblem(await clerk('POST', '/api/v1/work_order', { subject: 'x', branch: bj }), 422, 'validation.failed', [
      { pointer: '/priority', code: 'validation.required' },
    ]);
    const noCode = (await created(await t.request('POST', '/api/v1/branch', { name: 'No code' }))).id;
    expectProblem(await clerk('POST', '/api/v1/work_order', { subject: 'x', branch: noCode, priority: 'P1' }), 422, 'validation.failed', [
      { pointer: '/branch', code: 'validation.numbering_source' },
    ]);
    expectProblem(
      await clerk('POST', '/api/v1/work_order', { subject: 'x', branch: '0190f000-0000-7000-8000-000000000001', priority: 'P1' }),
      422,
      'validation.failed',
      [{ pointer: '/branch', code: 'validation.reference' }],
    );
    // None of the refused creates used a number.
    const next = await created(await clerk('POST', '/api/v1/work_order', { subject: 'next', branch: bj, priority: 'P1' }));
    expect(next.order_no).toBe('BJ-P1-000011');
  });
});

describe('the database skips what the engine calls reserved', () => {
  it('tessera_next_number agrees with nextUnreserved', async () => {
    const { set } = parseReserved(['8', '13', '*888', '8888', '20-24', '*0777', '1000-1999', '*5']);
    const lasts = [0, 7, 12, 19, 23, 776, 886, 887, 999, 1998, 8886, 8887, 10776, 10886, 99999, 123456];
    const res = await t.db.pool.query<{ last: string; next: string }>(
      `SELECT l::text AS last, tessera_next_number(l, $2, $3, $4, $5)::text AS next FROM unnest($1::bigint[]) l`,
      [
        lasts,
        set.ranges.map((r) => String(r.lo)),
        set.ranges.map((r) => String(r.hi)),
        set.suffixes.map((s) => String(s.value)),
        set.suffixes.map((s) => String(s.modulus)),
      ],
    );
    expect(res.rows.map((r) => [r.last, r.next])).toEqual(lasts.map((l) => [String(l), String(nextUnreserved(BigInt(l), set))]));
  });
});

describe('tessera validate', () => {
  const root = makeTempDir('tessera-numbering-cli-');
  afterAll(() => removeDir(root));

  it('reports a pattern without {seq} and a reserved entry that can never match, with file, pointer and rule', async () => {
    const pack = basePack();
    entityOf(pack, 'account').fields.push({
      id: 'base.account.no',
      name: 'no',
      kind: 'text',
      label: { en: 'No' },
      numbering: { pattern: 'AC-{YYYY}', reserved: ['0888'] },
    });
    const dir = writePackSource(join(root, 'bad'), pack);
    const env = { ...process.env, TESSERA_PACKS: resolve('metadata/packs/core'), LOG_LEVEL: 'warn' };
    const failed = await promisify(execFile)(process.execPath, [resolve('bin/tessera.js'), 'validate', dir, '--only'], {
      env,
      timeout: 60_000,
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failed?.code).not.toBe(0);
    const file = join(dir, 'entities', 'account.json');
    expect(failed?.stderr).toContain(`${file}#/fields/5/numbering/pattern  [numbering.missing_seq]`);
    expect(failed?.stderr).toContain(`${file}#/fields/5/numbering/reserved/0  [numbering.reserved_never_matches]`);
  });
});
