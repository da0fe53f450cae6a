// `decimalMin` / `decimalMax`: bounds on decimal strings compared exactly (decimal.js), never as floats;
// `decimalDigits`: the digits a numeric(precision, scale) column holds, said in words when broken. Used by the
// record validator and by the metadata checks of defaults, so both judge a value alike.
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { Decimal } from 'decimal.js';

function decimalKeyword(keyword: 'decimalMin' | 'decimalMax') {
  return {
    keyword,
    type: 'string' as const,
    schemaType: 'string' as const,
    error: { message: (cxt: { schema: unknown }) => `must be ${keyword === 'decimalMin' ? '>=' : '<='} ${String(cxt.schema)}` },
    validate: (limit: string, data: string) => {
      let value: Decimal;
      try {
        value = new Decimal(data);
      } catch {
        return true; // the pattern keyword reports malformed decimals
      }
      return keyword === 'decimalMin' ? value.gte(limit) : value.lte(limit);
    },
  };
}

/** The shape of a decimal string: an optional minus, no leading zeros, an optional fraction. */
export const DECIMAL_SHAPE = '^-?(0|[1-9]\\d*)(\\.\\d+)?$';
const SHAPE = new RegExp(DECIMAL_SHAPE);

interface Digits {
  readonly precision: number;
  readonly scale: number;
}

function example({ precision, scale }: Digits): string {
  const whole = Math.min(Math.max(precision - scale, 1), 3);
  return `${precision - scale > 0 ? '9'.repeat(whole) : '0'}${scale > 0 ? `.${'5'.repeat(scale)}` : ''}`;
}

const decimalDigits = {
  keyword: 'decimalDigits',
  type: 'string' as const,
  schemaType: 'object' as const,
  error: {
    message: (cxt: { schema: unknown }) => {
      const d = cxt.schema as Digits;
      return `must be a decimal string with at most ${d.precision} digits and ${d.scale} decimals, like "${example(d)}"`;
    },
  },
  validate: (d: Digits, data: string) => {
    const m = SHAPE.exec(data);
    if (!m) return false;
    const [whole = '', fraction = ''] = data.replace(/^-/, '').split('.');
    return (whole === '0' ? 0 : whole.length) <= d.precision - d.scale && fraction.length <= d.scale;
  },
};

export function addDecimalKeywords(ajv: Ajv2020): Ajv2020 {
  // Digits first: ajv reports keywords in the order they were added, and a malformed number is the first thing to say.
  ajv.addKeyword(decimalDigits);
  ajv.addKeyword(decimalKeyword('decimalMin'));
  ajv.addKeyword(decimalKeyword('decimalMax'));
  return ajv;
}
