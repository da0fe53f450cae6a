// decimalDigits checks what a numeric(precision, scale) column holds and says it in words (#18 review: the
// message used to be read back from a regex that let numeric(2,2) take "5.55").
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../../../engine/src/shared/create-ajv.js';
import { addDecimalKeywords } from '../../../../engine/src/shared/decimal-keywords.js';

const ajv = addDecimalKeywords(createAjv());
const check = (precision: number, scale: number) => ajv.compile({ type: 'string', decimalDigits: { precision, scale } });

describe('decimalDigits', () => {
  it.each([
    [5, 2, ['0', '-0.5', '999.99', '123.4', '-999'], ['1000', '1.234', '01.5', '1e3', '', '-', '.5', '5.']],
    [2, 2, ['0', '0.55', '-0.5'], ['5.55', '1', '0.555']],
    [3, 0, ['0', '999', '-12'], ['1000', '1.5', '1.0']],
  ])('numeric(%i,%i)', (precision, scale, good, bad) => {
    const validate = check(precision, scale);
    for (const value of good) expect(validate(value), value).toBe(true);
    for (const value of bad) expect(validate(value), value).toBe(false);
  });

  it('says what the column holds, with an example', () => {
    const validate = check(2, 2);
    validate('5.55');
    expect(validate.errors?.[0]?.message).toBe('must be a decimal string with at most 2 digits and 2 decimals, like "0.55"');
  });
});
