// The demo sales organisation: headquarters -> three branches -> their departments, a user in every CRM role,
// the roles with their grants, and the assignment roles the lead rules name. Small whatever the size, so it is
// written row by row; the bulk data refers to these users through the demo_staff temporary table.
import { createHash } from 'node:crypto';
import type { SeedContext, SeedLogin } from '../../engine/src/plugins/plugin-api.js';
import type { Physical } from './physical.js';

export type Branch = 'east' | 'south' | 'north';
type Job = 'admin' | 'director' | 'head' | 'manager' | 'rep' | 'rm' | 'am' | 'dm' | 'sr';

interface Person {
  readonly username: string;
  readonly name: string;
  readonly job: Job;
  readonly branch?: Branch;
  /** Department code suffix: S1, S2 (sales) or CS (customer service); none for branch heads. */
  readonly dept?: 'S1' | 'S2' | 'CS';
}

const BRANCHES: ReadonlyArray<{ branch: Branch; code: string; name: string }> = [
  { branch: 'east', code: 'EAST', name: '华东分公司' },
  { branch: 'south', code: 'SOUTH', name: '华南分公司' },
  { branch: 'north', code: 'NORTH', name: '华北分公司' },
];
const DEPARTMENTS = [
  { dept: 'S1', name: '销售一部' },
  { dept: 'S2', name: '销售二部' },
  { dept: 'CS', name: '客户服务部' },
] as const;

const PEOPLE: readonly Person[] = [
  { username: 'zhao.min', name: '赵敏', job: 'admin' },
  { username: 'qian.jun', name: '钱军', job: 'director' },
  ...(
    [
      [
        'east',
        ['sun.li', '孙丽'],
        ['zheng.hua', '郑华'],
        ['wang.fang', '王芳'],
        ['jiang.tao', '蒋涛'],
        ['shen.yue', '沈悦'],
        ['han.lei', '韩磊'],
        ['yang.xue', '杨雪'],
        ['kong.rui', '孔睿'],
        ['cao.ying', '曹颖'],
        ['yan.bo', '严波'],
        ['hua.li', '华莉'],
      ],
      [
        'south',
        ['zhou.tao', '周涛'],
        ['feng.jie', '冯洁'],
        ['chen.hao', '陈浩'],
        ['zhu.ming', '朱明'],
        ['qin.lan', '秦兰'],
        ['you.bin', '尤斌'],
        ['xu.qing', '许晴'],
        ['jin.xin', '金鑫'],
        ['wei.lan', '魏岚'],
        ['tao.ran', '陶然'],
        ['jiang.hong', '江红'],
      ],
      [
        'north',
        ['wu.gang', '吴刚'],
        ['chu.yan', '褚燕'],
        ['wei.dong', '卫东'],
        ['he.peng', '何鹏'],
        ['lv.na', '吕娜'],
        ['shi.jun', '施俊'],
        ['zhang.wei', '张伟'],
        ['qi.feng', '齐峰'],
        ['xie.yu', '谢宇'],
        ['zou.kai', '邹凯'],
        ['yu.jing', '于静'],
      ],
    ] as const
  ).flatMap(([branch, head, m1, m2, r1, r2, r3, r4, rm, am, dm, sr]): Person[] => [
    { username: head[0], name: head[1], job: 'head', branch },
    { username: m1[0], name: m1[1], job: 'manager', branch, dept: 'S1' },
    { username: m2[0], name: m2[1], job: 'manager', branch, dept: 'S2' },
    { username: r1[0], name: r1[1], job: 'rep', branch, dept: 'S1' },
    { username: r2[0], name: r2[1], job: 'rep', branch, dept: 'S1' },
    { username: r3[0], name: r3[1], job: 'rep', branch, dept: 'S2' },
    { username: r4[0], name: r4[1], job: 'rep', branch, dept: 'S2' },
    { username: rm[0], name: rm[1], job: 'rm', branch, dept: 'CS' },
    { username: am[0], name: am[1], job: 'am', branch, dept: 'CS' },
    { username: dm[0], name: dm[1], job: 'dm', branch, dept: 'CS' },
    { username: sr[0], name: sr[1], job: 'sr', branch, dept: 'CS' },
  ]),
];

/** Everyone signs in with this (the password policy wants 10 characters). */
export const DEMO_PASSWORD = 'tessera-demo';

const JOB_LABEL: Record<Job, string> = {
  admin: 'CRM administrator (all CRM records)',
  director: 'sales director (everything below headquarters)',
  head: 'branch head (their branch)',
  manager: 'sales manager (their reps)',
  rep: 'sales rep (own + shared)',
  rm: 'relationship manager (customers whose team they are on)',
  am: 'account manager (customers whose team they are on)',
  dm: 'delivery manager (customers whose team they are on)',
  sr: 'service rep (customers whose team they are on)',
};

/** Stable ids, so two seeds of two databases are the same data. */
export function demoId(kind: string, key: string | number): string {
  const hex = createHash('md5').update(`crm-demo:${kind}:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const CRM_ENTITIES = ['customer', 'contact', 'lead', 'opportunity', 'activity'];
const TEAM_FIELDS = ['relationship_manager', 'account_manager', 'delivery_manager', 'service_rep'];

/** A role's grants over the CRM at one scope; the customer's sales team reach it whatever the scope. */
function crmGrants(scope: string, actions: readonly string[] = ['read', 'create', 'update']): unknown {
  const entities: Record<string, unknown> = {};
  for (const e of CRM_ENTITIES) entities[e] = { actions, scope };
  entities.customer = {
    actions,
    scope,
    sharing: [{ or: TEAM_FIELDS.map((f) => ({ '==': [{ var: f }, { var: '$user.id' }] })) }],
  };
  // Whoever works leads converts them with the pack's action (customer, contact and opportunity in one write),
  // not only by taking the bare status transition.
  entities.lead = { actions: [...actions, 'convert'], scope };
  // No owner of their own: reachable by everyone in sales.
  for (const e of ['address', 'related_party']) entities[e] = { actions, scope: 'all' };
  entities.brand = { actions: ['read'], scope: 'all' };
  // Colleagues are picked for sales teams and the org chart is shown.
  entities.app_user = { actions: ['read'], scope: 'all' };
  entities.org_unit = { actions: ['read'], scope: 'all' };
  return { entities };
}

const ALL_ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'approve'];

interface RoleSpec {
  readonly code: string;
  readonly name: string;
  readonly grants: unknown;
  readonly members: (p: Person) => boolean;
}

const ROLES: readonly RoleSpec[] = [
  {
    code: 'crm_admin',
    name: 'CRM 管理员',
    grants: { entities: { '*': { actions: ALL_ACTIONS, scope: 'all' } } },
    members: (p) => p.job === 'admin',
  },
  {
    code: 'sales_director',
    name: '销售总监',
    grants: crmGrants('orgUnitAndBelow', [...ALL_ACTIONS]),
    members: (p) => p.job === 'director',
  },
  {
    code: 'branch_head',
    name: '分公司总经理',
    grants: crmGrants('orgUnitAndBelow', ['read', 'create', 'update', 'export', 'approve']),
    members: (p) => p.job === 'head',
  },
  {
    code: 'sales_manager',
    name: '销售经理',
    grants: crmGrants('subordinates', ['read', 'create', 'update', 'approve']),
    members: (p) => p.job === 'manager',
  },
  { code: 'sales_rep', name: '销售代表', grants: crmGrants('own'), members: (p) => p.job === 'rep' },
  { code: 'account_team', name: '客户团队', grants: crmGrants('own'), members: (p) => ['rm', 'am', 'dm', 'sr'].includes(p.job) },
  // The lead assignment rules' pools (crm lead.json); they grant nothing themselves.
  {
    code: 'sales_east_key',
    name: '华东重点行业销售',
    grants: {},
    members: (p) => p.job === 'rep' && p.branch === 'east' && p.dept === 'S1',
  },
  { code: 'sales_east', name: '华东销售', grants: {}, members: (p) => p.job === 'rep' && p.branch === 'east' },
  { code: 'sales_south', name: '华南销售', grants: {}, members: (p) => p.job === 'rep' && p.branch === 'south' },
  { code: 'sales_north', name: '华北销售', grants: {}, members: (p) => p.job === 'rep' && p.branch === 'north' },
];

export interface SalesOrg {
  readonly logins: readonly SeedLogin[];
  readonly counts: Record<string, number>;
}

/** Writes the organisation, users, roles and passwords, and fills demo_staff for the bulk steps. */
export async function seedSalesOrg(ctx: SeedContext, p: Physical): Promise<SalesOrg> {
  const { db } = ctx;
  const unit = p.entity('org_unit');
  const user = p.entity('app_user');
  const role = p.entity('role');
  // The admin seed made HQ on the first start; a database that was only applied has none yet.
  const hq = await db.query<{ id: string }>(`SELECT id FROM ${unit.table} WHERE ${unit.col('code')} = 'HQ' AND deleted_at IS NULL`);
  const hqId = hq[0]?.id ?? demoId('unit', 'HQ');
  if (!hq[0]) {
    await db.execute(
      `INSERT INTO ${unit.table} (id, ${unit.col('name')}, ${unit.col('code')}, ${unit.col('unit_type')}) VALUES ($1, '总部', 'HQ', 'headquarters')`,
      [hqId],
    );
  }
  const units: Array<[string, string, string, string, string]> = [[demoId('unit', 'HQ-OPS'), '运营管理部', 'HQ-OPS', 'department', hqId]];
  for (const b of BRANCHES) {
    const branchId = demoId('unit', b.code);
    units.push([branchId, b.name, b.code, 'branch', hqId]);
    for (const d of DEPARTMENTS)
      units.push([demoId('unit', `${b.code}-${d.dept}`), `${b.name}${d.name}`, `${b.code}-${d.dept}`, 'department', branchId]);
  }
  await db.execute(
    `INSERT INTO ${unit.table} (id, ${unit.col('name')}, ${unit.col('code')}, ${unit.col('unit_type')}, ${unit.col('parent')})
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[])`,
    [units.map((u) => u[0]), units.map((u) => u[1]), units.map((u) => u[2]), units.map((u) => u[3]), units.map((u) => u[4])],
  );

  const code = (b?: Branch) => BRANCHES.find((x) => x.branch === b)?.code ?? 'HQ';
  const unitOf = (person: Person): string =>
    person.job === 'admin'
      ? demoId('unit', 'HQ-OPS')
      : person.job === 'director'
        ? hqId
        : person.dept
          ? demoId('unit', `${code(person.branch)}-${person.dept}`)
          : demoId('unit', code(person.branch));
  const idOf = (person: Person) => demoId('user', person.username);
  const managerOf = (person: Person): string | null => {
    const find = (f: (x: Person) => boolean) => {
      const m = PEOPLE.find(f);
      return m ? idOf(m) : null;
    };
    if (person.job === 'head') return find((x) => x.job === 'director');
    if (person.job === 'manager' || ['rm', 'am', 'dm', 'sr'].includes(person.job))
      return find((x) => x.job === 'head' && x.branch === person.branch);
    if (person.job === 'rep') return find((x) => x.job === 'manager' && x.branch === person.branch && x.dept === person.dept);
    return null;
  };
  await db.execute(
    `INSERT INTO ${user.table} (id, ${user.col('username')}, ${user.col('display_name')}, ${user.col('email')}, ${user.col('org_unit')}, ${user.col('manager')}, ${user.col('locale')})
     SELECT id, username, display_name, username || '@demo.tessera.example', unit, manager, 'zh-CN'
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[]) AS s(id, username, display_name, unit, manager)`,
    [PEOPLE.map(idOf), PEOPLE.map((x) => x.username), PEOPLE.map((x) => x.name), PEOPLE.map(unitOf), PEOPLE.map(managerOf)],
  );
  const members = role.junction('members');
  for (const r of ROLES) {
    const roleId = demoId('role', r.code);
    await db.execute(
      `INSERT INTO ${role.table} (id, ${role.col('code')}, ${role.col('name')}, ${role.col('grants')}) VALUES ($1, $2, $3, $4)`,
      [roleId, r.code, r.name, JSON.stringify(r.grants)],
    );
    const who = PEOPLE.filter(r.members).map(idOf);
    await db.execute(`INSERT INTO ${members.table} (${members.source}, ${members.target}) SELECT $1, unnest($2::uuid[])`, [roleId, who]);
  }
  await ctx.setPasswords(PEOPLE.map((x) => ({ userId: idOf(x), password: DEMO_PASSWORD })));

  // Who the bulk steps hand records to: reps by branch (k counts from 0), and each branch's customer team.
  await db.execute(`CREATE TEMP TABLE demo_staff (branch text, job text, k int, cnt int, id uuid, unit uuid) ON COMMIT DROP`);
  const staff = PEOPLE.filter((x) => x.branch !== undefined && x.job !== 'head');
  const keyed = staff.map((x) => {
    const same = staff.filter((y) => y.branch === x.branch && y.job === x.job);
    return { x, k: same.indexOf(x), cnt: same.length };
  });
  await db.execute(`INSERT INTO demo_staff SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::uuid[], $6::uuid[])`, [
    keyed.map((s) => s.x.branch),
    keyed.map((s) => s.x.job),
    keyed.map((s) => s.k),
    keyed.map((s) => s.cnt),
    keyed.map((s) => idOf(s.x)),
    keyed.map((s) => unitOf(s.x)),
  ]);
  return {
    logins: PEOPLE.map((x) => ({
      username: x.username,
      displayName: x.name,
      password: DEMO_PASSWORD,
      role: `${JOB_LABEL[x.job]}${x.branch ? `, ${BRANCHES.find((b) => b.branch === x.branch)?.name ?? ''}` : ''}`,
    })),
    counts: { org_unit: units.length + (hq[0] ? 0 : 1), app_user: PEOPLE.length, role: ROLES.length },
  };
}
