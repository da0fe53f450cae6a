// Contracts as versioned data. Approving a contract records version 1 (its `approve` transition runs
// record_version); after that the contract's content changes only through a change request, whose approval
// (apply_change) writes the new values and lines through the pipeline, unlocked for that one transaction by the
// contract's `applying_change`, and records version n+1. A version holds the canonical content and its SHA-256,
// names who approved it, and is never changed or deleted; any two compare with compare_versions.
import {
  PluginRejection,
  type PluginDb,
  type PluginHost,
  type PluginRecord,
  type PluginRecords,
} from '../../engine/src/plugins/plugin-api.js';
import { contentHash, type ContractContent } from './contract-content.js';
import { CONTENT_FIELDS, currentVersion, LINE_INPUT_FIELDS, readContent } from './contract-snapshot.js';
import { diffVersions } from './version-diff.js';

const APPROVED_STATES = ['approved', 'signing', 'signed', 'active'];
const COMPUTED = ['content', 'sha256', 'version_no', 'approved_by', 'approved_at'];

function reject(detail: string, pointer: string, code: string): never {
  throw new PluginRejection(detail, pointer, code);
}

/** A change request's `changes` and `lines`, checked for shape: the pipeline checks the values when it applies them. */
function checkChangeRequest(changes: unknown, lines: unknown): void {
  if (changes !== undefined && changes !== null) {
    if (typeof changes !== 'object' || Array.isArray(changes))
      reject('changes is an object of contract fields', '/changes', 'contracts.bad_change');
    for (const key of Object.keys(changes)) {
      if (!(CONTENT_FIELDS as readonly string[]).includes(key))
        reject(
          `'${key}' is not a contract field a change may set (${CONTENT_FIELDS.join(', ')})`,
          `/changes/${key}`,
          'contracts.bad_change',
        );
    }
  }
  if (lines !== undefined && lines !== null) {
    if (!Array.isArray(lines)) reject('lines is the list of all the contract lines after the change', '/lines', 'contracts.bad_change');
    lines.forEach((line: unknown, i) => {
      if (typeof line !== 'object' || line === null || Array.isArray(line))
        reject('a line is an object', `/lines/${i}`, 'contracts.bad_change');
      for (const key of Object.keys(line)) {
        if (key !== 'id' && !(LINE_INPUT_FIELDS as readonly string[]).includes(key))
          reject(`'${key}' is not a line field a change may set`, `/lines/${i}/${key}`, 'contracts.bad_change');
      }
    });
  }
}

async function versionContent(db: PluginDb, contract: string, no: number): Promise<ContractContent> {
  const [row] = await db.query<{ content: ContractContent }>(
    'SELECT content FROM contract_version WHERE contract_id = $1 AND version_no = $2 AND deleted_at IS NULL',
    [contract, no],
  );
  if (!row) reject(`this contract has no version ${no}`, '', 'contracts.no_version');
  return row.content;
}

export function registerVersioning(host: PluginHost): void {
  host.before(
    'record.beforeCreate',
    async ({ changes, db, actor }) => {
      for (const field of COMPUTED) {
        if (changes[field] !== undefined)
          reject(`'${field}' is computed when a version is approved`, `/${field}`, 'contracts.version_computed');
      }
      const contract =
        typeof changes.contract === 'string'
          ? changes.contract
          : reject('a version names its contract', '/contract', 'contracts.no_contract');
      const [row] = await db.query<{ status: string }>('SELECT status FROM contract WHERE id = $1 FOR UPDATE', [contract]);
      const current = await currentVersion(db, contract);
      if (typeof changes.change_request === 'string') {
        // Only while its approval applies it: approved, for this contract, no version made from it yet.
        const [cr] = await db.query<{ ok: boolean }>(
          `SELECT status = 'approved' AND contract_id = $2 AND NOT EXISTS (SELECT 1 FROM contract_version v WHERE v.change_request_id = c.id) AS ok
             FROM change_request c WHERE id = $1`,
          [changes.change_request, contract],
        );
        if (!cr?.ok) reject('a version is made only by approving its change request', '/change_request', 'contracts.version_not_approved');
      } else if (row?.status !== 'approved' || current > 0) {
        reject('version 1 is made only by approving the contract', '/contract', 'contracts.version_not_approved');
      }
      const content = await readContent(db, contract);
      changes.version_no = current + 1;
      changes.label = `v${current + 1}`;
      changes.content = content;
      changes.sha256 = contentHash(content);
      changes.approved_by = actor.id;
      changes.approved_at = new Date().toISOString();
    },
    { entities: ['contract_version'] },
  );
  host.before(
    'record.beforeUpdate',
    () => reject('an approved version never changes; a change request makes the next one', '', 'contracts.version_immutable'),
    { entities: ['contract_version'] },
  );
  host.before('record.beforeDelete', () => reject('an approved version is kept for good', '', 'contracts.version_immutable'), {
    entities: ['contract_version'],
  });

  // A draft's lines come and go freely; an approved contract's only while its change request applies.
  host.before(
    'record.beforeDelete',
    async ({ before, db }) => {
      const [row] = await db.query<{ open: boolean }>(
        `SELECT status = 'draft' OR applying_change_id IS NOT NULL AS open FROM contract WHERE id = $1`,
        [before?.contract],
      );
      if (row && !row.open)
        reject(
          'lines change only while the contract is a draft; after approval, through a change request',
          '/contract',
          'contracts.not_changeable',
        );
    },
    { entities: ['contract_line'] },
  );

  host.before(
    'record.beforeCreate',
    async ({ changes, db }) => {
      checkChangeRequest(changes.changes, changes.lines);
      if (changes.base_version !== undefined)
        reject('the version a change starts from is the one in force', '/base_version', 'contracts.version_computed');
      const contract = String(changes.contract);
      const [row] = await db.query<{ status: string }>('SELECT status FROM contract WHERE id = $1', [contract]);
      if (!row || !APPROVED_STATES.includes(row.status)) {
        reject(
          `a ${row?.status ?? 'missing'} contract is edited directly or not at all; change requests are for approved ones`,
          '/contract',
          'contracts.not_changeable',
        );
      }
      changes.base_version = await currentVersion(db, contract);
    },
    { entities: ['change_request'] },
  );
  host.before(
    'record.beforeUpdate',
    ({ changes, before }) => {
      if ('base_version' in changes && changes.base_version !== before?.base_version)
        reject('the version a change starts from is set when it is made', '/base_version', 'contracts.version_computed');
      checkChangeRequest(changes.changes, changes.lines);
    },
    { entities: ['change_request'] },
  );

  host.action({
    entity: 'contract',
    name: 'record_version',
    label: { en: 'Record the approved version', 'zh-CN': '记录审批版本' },
    input: { type: 'object', additionalProperties: false, properties: {} },
    async run({ id, records }) {
      const version = await records.create('contract_version', { contract: id });
      return { version: version.version_no, sha256: version.sha256 };
    },
  });

  host.action({
    entity: 'change_request',
    name: 'apply_change',
    label: { en: 'Apply as the next version', 'zh-CN': '生效为新版本' },
    input: { type: 'object', additionalProperties: false, properties: {} },
    async run({ id, record, db, records }) {
      const contract = String(record.contract);
      const [row] = await db.query<{ status: string }>('SELECT status FROM contract WHERE id = $1 FOR UPDATE', [contract]);
      if (!row || !APPROVED_STATES.includes(row.status))
        reject(`the contract is ${row?.status ?? 'gone'}; it takes no more changes`, '/contract', 'contracts.not_changeable');
      const current = await currentVersion(db, contract);
      if (current !== record.base_version) {
        reject(
          `this change was made against version ${String(record.base_version)}, and version ${current} is in force now`,
          '/base_version',
          'contracts.change_stale',
        );
      }
      await records.update('contract', contract, { applying_change: id });
      const changes = (record.changes ?? {}) as PluginRecord;
      if (Object.keys(changes).length > 0) await records.update('contract', contract, changes);
      if (Array.isArray(record.lines)) await replaceLines(db, records, contract, record.lines as PluginRecord[]);
      await records.update('contract', contract, { applying_change: null });
      const version = await records.create('contract_version', { contract, change_request: id });
      return { version: version.version_no, sha256: version.sha256 };
    },
  });

  host.action({
    entity: 'contract',
    name: 'compare_versions',
    label: { en: 'Compare versions', 'zh-CN': '版本比较' },
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
    },
    async run({ id, input, db }) {
      const from = await versionContent(db, id, Number(input.from));
      const to = await versionContent(db, id, Number(input.to));
      return { from: input.from, to: input.to, ...diffVersions(from, to) };
    },
  });
}

async function replaceLines(db: PluginDb, records: PluginRecords, contract: string, lines: readonly PluginRecord[]): Promise<void> {
  const existing = new Set(
    (
      await db.query<{ id: string }>('SELECT id::text AS id FROM contract_line WHERE contract_id = $1 AND deleted_at IS NULL', [contract])
    ).map((r) => r.id),
  );
  const kept = new Set<string>();
  for (const [i, line] of lines.entries()) {
    const { id, ...values } = line;
    if (typeof id === 'string') {
      if (!existing.has(id)) reject('a line of another contract, or one removed', `/lines/${i}/id`, 'contracts.bad_change');
      kept.add(id);
      await records.update('contract_line', id, values);
    } else {
      await records.create('contract_line', { ...values, contract });
    }
  }
  for (const id of existing) if (!kept.has(id)) await records.delete('contract_line', id);
}
