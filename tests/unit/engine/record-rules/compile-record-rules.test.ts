// Broken rules are metadata problems with file, pointer and rule, found before anything is published (#19).
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { builtinFieldKinds } from '../../../../engine/src/metadata/builtin-field-kinds.js';
import { createOperatorRegistry } from '../../../../engine/src/rules/operator-registry.js';
import { compileRecordRules, recordRuleProblems } from '../../../../engine/src/record-rules/compile-record-rules.js';
import { kindOperators } from '../../../../engine/src/rules/kind-operators.js';
import { makeTempDir, removeDir, writePack } from '../../../support/pack-builder.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const FIXTURE = join(ROOT, 'tests/fixtures/packs/rules-demo');
const CORE = join(ROOT, 'metadata/packs/core');
const kinds = builtinFieldKinds();
const operators = createOperatorRegistry();
const dirs: string[] = [];

afterAll(() => dirs.forEach(removeDir));

type Json = Record<string, any>;

function fixture(): { manifest: Json; entities: Json[] } {
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'pack.json'), 'utf8')) as Json;
  const entities = readdirSync(join(FIXTURE, 'entities')).map(
    (f) => JSON.parse(readFileSync(join(FIXTURE, 'entities', f), 'utf8')) as Json,
  );
  return { manifest, entities };
}

/** The fixture with one entity changed; the problems its rules have. */
function problemsAfter(entity: string, change: (e: Json) => void) {
  const { manifest, entities } = fixture();
  const target = entities.find((e) => e.name === entity);
  if (!target) throw new Error(entity);
  change(target);
  const dir = makeTempDir();
  dirs.push(dir);
  writePack(dir, manifest, entities);
  const model = loadModel([CORE, dir], { kinds });
  return recordRuleProblems(model, { kinds, operators }).map((p) => ({
    file: p.file.split('/').pop(),
    pointer: p.pointer,
    rule: p.rule,
    message: p.message,
  }));
}

const field = (e: Json, name: string): Json => e.fields.find((f: Json) => f.name === name);
const fieldIndex = (e: Json, name: string): number => e.fields.findIndex((f: Json) => f.name === name);

describe('rules in metadata', () => {
  it('the fixture has none', () => {
    expect(problemsAfter('product', () => undefined)).toEqual([]);
  });

  it('names an unknown field in a formula', () => {
    let i = 0;
    const problems = problemsAfter('order_line', (e) => {
      i = fieldIndex(e, 'line_total');
      field(e, 'line_total').computed = { '*': [{ var: 'quantity' }, { var: 'product.price' }] };
    });
    expect(problems).toEqual([
      expect.objectContaining({ file: 'order_line.json', pointer: `/fields/${i}/computed/*/1`, rule: 'filter.unknown_field' }),
    ]);
  });

  it('refuses text plus a number, and a formula of the wrong type', () => {
    const problems = problemsAfter('order_line', (e) => {
      field(e, 'line_total').computed = { '+': [{ var: 'quantity' }, 'abc'] };
      field(e, 'margin').computed = { var: 'delivery_on' };
    });
    expect(problems.map((p) => p.rule)).toEqual(['filter.type_mismatch', 'rules.type_mismatch']);
  });

  it('refuses an operator the field kind does not allow', () => {
    const problems = problemsAfter('sales_order', (e) => {
      e.validationRules[0].condition = { contains: [{ var: 'discount_pct' }, '5'] };
    });
    expect(problems).toEqual([
      expect.objectContaining({ pointer: '/validationRules/0/condition/contains/0', rule: 'filter.operator_not_allowed' }),
    ]);
  });

  it('names the fields of a cycle', () => {
    let i = 0;
    const problems = problemsAfter('order_line', (e) => {
      i = fieldIndex(e, 'line_total');
      field(e, 'line_total').computed = { '+': [{ var: 'margin' }, 1] };
    });
    expect(problems).toEqual([expect.objectContaining({ pointer: `/fields/${i}`, rule: 'rules.cycle' })]);
    expect(problems[0]?.message).toContain('line_total -> margin -> line_total');
  });

  it('finds a cycle through a rollup and its children', () => {
    const problems = problemsAfter('order_line', (e) => {
      field(e, 'line_total').computed = { '*': [{ var: 'quantity' }, { var: 'sales_order.total' }] };
    });
    expect(problems.map((p) => p.rule)).toContain('rules.cycle');
    expect(problems.find((p) => p.rule === 'rules.cycle')?.message).toMatch(
      /sales_order\.total.*order_line\.line_total|order_line\.line_total.*sales_order\.total/,
    );
  });

  it('keeps a rollup filter within the child row', () => {
    const problems = problemsAfter('sales_order', (e) => {
      field(e, 'big_lines').rollup.filter = { '>': [{ var: 'product.unit_price' }, 5] };
    });
    expect(problems).toEqual([
      expect.objectContaining({ rule: 'rules.path_not_allowed', pointer: expect.stringMatching(/\/rollup\/filter\/>\/0$/) }),
    ]);
  });

  it('keeps stored values off the clock and off related lists', () => {
    const problems = problemsAfter('sales_order', (e) => {
      field(e, 'days').computed = { daysBetween: [{ var: 'starts_on' }, { today: [] }] };
    });
    expect(problems).toEqual([expect.objectContaining({ rule: 'filter.volatile' })]);
  });

  it('checks rollup relations and fields', () => {
    const problems = problemsAfter('sales_order', (e) => {
      field(e, 'total').rollup.relation = 'items';
      field(e, 'last_delivery').rollup.field = 'nope';
    });
    expect(problems.map((p) => p.rule)).toEqual(['rules.unknown_relation', 'rules.invalid_rollup_field']);
  });

  it('refuses value options on derived fields and field rules on them', () => {
    const problems = problemsAfter('sales_order', (e) => {
      field(e, 'net_total').min = 0;
      field(e, 'days').requiredWhen = { '==': [{ var: 'stage' }, 'won'] };
    });
    expect(problems.map((p) => p.rule)).toEqual(['rules.option_not_allowed', 'rules.option_not_allowed']);
  });

  it('checks validation rule fields and names', () => {
    const problems = problemsAfter('sales_order', (e) => {
      e.validationRules[1].name = 'discount_range';
      e.validationRules[1].fields = ['starts_on', 'nope'];
    });
    expect(problems.map((p) => [p.pointer, p.rule])).toEqual([
      ['/validationRules/1/name', 'rules.duplicate_name'],
      ['/validationRules/1/fields/1', 'rules.unknown_field'],
    ]);
  });

  it('computes a field with parts part by part', () => {
    const problems = problemsAfter('order_line', (e) => {
      field(e, 'line_value').computed = { amount: { var: 'quantity' } };
    });
    expect(problems.map((p) => p.rule)).toEqual(['rules.computed_parts']);
    const wrongType = problemsAfter('order_line', (e) => {
      field(e, 'line_value').computed = { amount: { var: 'quantity' }, currency: { var: 'quantity' } };
    });
    expect(wrongType).toEqual([
      expect.objectContaining({ rule: 'rules.type_mismatch', pointer: expect.stringMatching(/\/computed\/currency$/) }),
    ]);
  });

  it('recomputes after a child write only what reads that child', () => {
    const model = loadModel([CORE, FIXTURE], { kinds });
    const allowed = kindOperators({ kinds, operators });
    const rules = compileRecordRules({ model, kinds, operators, operatorsFor: (k) => allowed.get(k) ?? [] }).byEntity.get('sales_order');
    const fromLines = rules?.recomputeFrom.get('order_line')?.('t.id = ANY($1::uuid[])', 't.id') ?? '';
    // Rollups over lines, the net total reading them and the score reading both; not the day count.
    for (const column of ['"total"', '"line_count"', '"net_total"', '"order_score"']) expect(fromLines).toContain(`${column} = calc.`);
    expect(fromLines).not.toContain('"days" = calc.');
    expect(rules?.recompute?.('t.id = ANY($1::uuid[])', 't.id')).toContain('"days" = calc.');
  });
});
