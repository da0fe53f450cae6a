import { describe, expect, it } from 'vitest';
import { compareCodePoints, isOperandType, operandValues } from '../../../../engine/src/rules/operand-values.js';
import { parseInstant } from '../../../../engine/src/shared/instant.js';

describe('operandValues', () => {
  it('normalises decimal literals to exact plain strings', () => {
    const { literal } = operandValues.decimal;
    expect(literal('12.50')).toEqual({ ok: true, value: '12.5' });
    expect(literal(1e21)).toEqual({ ok: true, value: '1000000000000000000000' });
    expect(literal(1e-7)).toEqual({ ok: true, value: '0.0000001' });
    expect(literal(-0)).toEqual({ ok: true, value: '0' });
    for (const bad of ['1,5', '1e5', ' 1', '', '.5', 'NaN', Number.NaN, Number.POSITIVE_INFINITY, true, null]) {
      expect(literal(bad).ok, String(bad)).toBe(false);
    }
  });

  it('compares decimals exactly, whatever their spelling', () => {
    const { compare } = operandValues.decimal;
    expect(compare('12.50', 12.5)).toBe(0);
    expect(compare('0.1', '0.10000000000000000000001')).toBe(-1);
    expect(compare('-2', '-10.5')).toBe(1);
    expect(compare(null, '1')).toBeNull();
    expect(compare('abc', '1')).toBeNull();
  });

  it('checks dates against the calendar', () => {
    const { literal } = operandValues.date;
    expect(literal('2024-02-29').ok).toBe(true);
    expect(literal('2023-02-29').ok).toBe(false);
    expect(literal('1900-02-29').ok).toBe(false);
    expect(literal('2000-02-29').ok).toBe(true);
    expect(literal('0000-01-01').ok).toBe(false);
    expect(literal('2024-1-01').ok).toBe(false);
    expect(literal('2024-04-31').ok).toBe(false);
  });

  it('reads ISO 8601 instants with an offset to the microsecond', () => {
    expect(parseInstant('1970-01-01T00:00:00Z')).toBe(0n);
    expect(parseInstant('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(parseInstant('1969-12-31T23:59:59.999999Z')).toBe(-1n);
    expect(parseInstant('2024-03-31T08:00Z')).toBe(1_711_872_000_000_000n);
    expect(parseInstant('2024-03-31T13:30:00.5+05:30')).toBe(1_711_872_000_500_000n);
    expect(parseInstant('0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000_000n);
    for (const bad of [
      '2024-03-31T08:00:00',
      '2024-03-31 08:00:00Z',
      '2024-03-31T24:00:00Z',
      '2024-03-31T08:00:60Z',
      '2024-03-31T08:00:00.1234567Z',
      '2024-03-31T08:00:00+15:00',
      '2024-03-31T08:00:00z',
      '2024-02-30T08:00:00Z',
    ]) {
      expect(parseInstant(bad), bad).toBeNull();
    }
  });

  it('compares datetimes in memory as instants, Date objects included', () => {
    const { compare } = operandValues.datetime;
    expect(compare('2024-03-31T10:00:00+02:00', '2024-03-31T08:00:00Z')).toBe(0);
    expect(compare(new Date('2024-03-31T08:00:00Z'), '2024-03-31T08:00:00.001Z')).toBe(-1);
    expect(compare('2024-03-31T08:00:00', '2024-03-31T08:00:00Z')).toBeNull();
  });

  it('orders text by code point, as COLLATE "C" does', () => {
    expect(compareCodePoints('😀', '\uE000')).toBeGreaterThan(0);
    expect('😀' < '\uE000').toBe(true);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('B', 'a')).toBeLessThan(0);
    expect(compareCodePoints('é', 'é')).toBe(0);
  });

  it('refuses strings PostgreSQL cannot hold', () => {
    expect(operandValues.text.literal('a\u0000').ok).toBe(false);
    expect(operandValues.text.literal('\uD83D').ok).toBe(false);
    expect(operandValues.text.literal('😀').ok).toBe(true);
  });

  it('reads ids from belongsTo objects and compares them case-insensitively', () => {
    const id = 'aaaaaaaa-0000-4000-8000-00000000000f';
    expect(operandValues.id.compare({ id, name: 'x' }, id.toUpperCase())).toBe(0);
    expect(operandValues.id.isNull({ name: 'x' })).toBe(true);
    expect(operandValues.id.literal(id.toUpperCase())).toEqual({ ok: true, value: id });
  });

  it('binds each type with a cast that both PostgreSQL 15 and PGlite accept', () => {
    expect(Object.fromEntries(Object.entries(operandValues).map(([k, s]) => [k, s.sqlType]))).toEqual({
      text: 'text',
      enum: 'text',
      integer: 'bigint',
      decimal: 'numeric',
      boolean: 'boolean',
      date: 'date',
      datetime: 'timestamptz',
      multienum: 'text',
      json: null,
      id: 'uuid',
    });
  });

  it('knows its operand types', () => {
    expect(isOperandType('decimal')).toBe(true);
    expect(isOperandType('toString')).toBe(false);
    expect(isOperandType(3)).toBe(false);
  });

  it('accepts only safe integers for integer operands', () => {
    expect(operandValues.integer.literal(2 ** 53).ok).toBe(false);
    expect(operandValues.integer.literal(-(2 ** 31)).ok).toBe(true);
    expect(operandValues.boolean.literal(0).ok).toBe(false);
  });
});
