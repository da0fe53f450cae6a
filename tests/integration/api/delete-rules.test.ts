// onDelete on soft deletes (#18): a member with loans was deleted and the loans kept a required reference that
// read as null. On the library fixture: loan.member is required (restrict by default), loan.book cascades,
// fine.loan restricts, book.recommended_by is setNull. Every record a delete changes is audited, and what derives
// from it follows: a member's count of loans out (a rollup), a book's recommender (read through the cleared link).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/library'] });
});

afterAll(async () => {
  await t?.stop();
});

type Rec = Record<string, any>;

async function create(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function remove(entity: string, rec: Rec) {
  return t.request('DELETE', `/api/v1/${entity}/${rec.id}`, undefined, { 'if-match': `"${rec.version}"` });
}

async function get(entity: string, id: string) {
  return t.request('GET', `/api/v1/${entity}/${id}`);
}

async function auditOf(
  entity: string,
  id: string,
): Promise<Array<{ action: string; actor_name: string; request_id: string; changes: Rec }>> {
  const res = await t.db.pool.query(
    'SELECT action, actor_name, request_id, changes FROM tessera_audit WHERE entity = $1 AND record_id = $2 ORDER BY id',
    [entity, id],
  );
  return res.rows;
}

describe('restrict', () => {
  it('a member with live loans is not deleted: 409 with the referencing count, and nothing changes', async () => {
    const member = await create('member', { name: 'Ada' });
    const book = await create('book', { title: 'Dune' });
    await create('loan', { member: member.id, book: book.id });
    await create('loan', { member: member.id, book: book.id });
    const lending = (await get('member', member.id)).body.data;
    expect(lending.loans_out).toBe(2);
    const res = await remove('member', lending);
    expectProblem(res, 409, 'record.referenced');
    expect(res.body.references).toEqual([{ entity: 'loan', field: 'member', count: 2 }]);
    expect(res.body.detail).toContain('2 loan record(s)');
    expect((await get('member', member.id)).body.data).toEqual(lending);
    expect((await auditOf('member', member.id)).map((a) => a.action)).toEqual(['create']);
  });

  it('deleted loans do not hold the member back', async () => {
    const member = await create('member', { name: 'Grace' });
    const loan = await create('loan', { member: member.id, book: (await create('book', { title: 'Emma' })).id });
    expect((await remove('loan', loan)).status).toBe(200);
    expect((await remove('member', member)).status).toBe(200);
  });

  it("the core pack's own restricts hold too: an org unit with sub-units is not deleted", async () => {
    const parent = await create('org_unit', { code: 'P1', name: 'Parent', unit_type: 'branch' });
    await create('org_unit', { code: 'C1', name: 'Child', unit_type: 'department', parent: parent.id });
    const res = await remove('org_unit', parent);
    expectProblem(res, 409, 'record.referenced');
    expect(res.body.references).toEqual([{ entity: 'org_unit', field: 'parent', count: 1 }]);
  });
});

describe('cascade', () => {
  it('deleting a book soft-deletes its live loans in the same request, each audited', async () => {
    const member = await create('member', { name: 'Alan' });
    const book = await create('book', { title: 'Ulysses' });
    const loans = [
      await create('loan', { member: member.id, book: book.id, note: 'one' }),
      await create('loan', { member: member.id, book: book.id, note: 'two' }),
    ];
    const returned = await create('loan', { member: member.id, book: book.id, note: 'returned' });
    expect((await remove('loan', returned)).status).toBe(200);
    const elsewhere = await create('loan', { member: member.id, book: (await create('book', { title: 'Middlemarch' })).id });
    expect((await get('member', member.id)).body.data.loans_out).toBe(3);
    const res = await remove('book', book);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The loans deleted with the book no longer count for their member; the loan of another book does.
    expect((await get('member', member.id)).body.data.loans_out).toBe(1);
    const bookAudit = await auditOf('book', book.id);
    const deleteOfBook = bookAudit[bookAudit.length - 1]!;
    for (const loan of loans) {
      expectProblem(await get('loan', loan.id), 404, 'record.not_found');
      const trail = await auditOf('loan', loan.id);
      expect(trail.map((a) => a.action)).toEqual(['create', 'delete']);
      expect(trail[1]).toMatchObject({
        actor_name: 'admin',
        request_id: deleteOfBook.request_id,
        changes: { note: { before: loan.note, after: null } },
      });
    }
    // Already deleted: left as it was, not deleted a second time.
    expect((await auditOf('loan', returned.id)).map((a) => a.action)).toEqual(['create', 'delete']);
    // Once that loan is back too, the member has no live loans left, so it can go.
    expect((await remove('loan', elsewhere)).status).toBe(200);
    const idle = (await get('member', member.id)).body.data;
    expect(idle.loans_out).toBe(0);
    expect((await remove('member', idle)).status).toBe(200);
  });

  it('a restrict below a cascade refuses the whole delete and rolls the cascade back', async () => {
    const member = await create('member', { name: 'Barbara' });
    const book = await create('book', { title: 'Beloved' });
    const loan = await create('loan', { member: member.id, book: book.id });
    await create('fine', { loan: loan.id, reason: 'late' });
    const res = await remove('book', book);
    expectProblem(res, 409, 'record.referenced');
    expect(res.body.references).toEqual([{ entity: 'fine', field: 'loan', count: 1 }]);
    expect((await get('book', book.id)).body.data).toEqual(book);
    expect((await get('loan', loan.id)).body.data).toEqual(loan);
    expect((await auditOf('loan', loan.id)).map((a) => a.action)).toEqual(['create']);
  });
});

describe('setNull', () => {
  it('deleting a member clears the books it recommended, with a new version and an audit row', async () => {
    const member = await create('member', { name: 'Edsger' });
    const book = await create('book', { title: 'Structured Programming', recommended_by: member.id });
    expect(book.recommender).toBe('Edsger');
    expect((await remove('member', member)).status).toBe(200);
    const after = (await get('book', book.id)).body.data;
    expect(after).toMatchObject({ recommended_by: null, recommender: null, version: book.version + 1 });
    const trail = await auditOf('book', book.id);
    expect(trail.map((a) => a.action)).toEqual(['create', 'update']);
    expect(trail[1]!.changes).toEqual({ recommended_by: { before: member.id, after: null } });
  });

  it("deleting a user clears the manager of its reports (the core pack's setNull)", async () => {
    const boss = await create('app_user', { username: 'boss', display_name: 'Boss' });
    const report = await create('app_user', { username: 'report', display_name: 'Report', manager: boss.id });
    expect((await remove('app_user', boss)).status).toBe(200);
    expect((await get('app_user', report.id)).body.data.manager).toBeNull();
  });
});
