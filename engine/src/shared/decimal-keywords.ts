// `decimalMin` / `decimalMax`: bounds on decimal strings compared exactly (decimal.js), never as floats.
// Used by the record validator and by the metadata checks of defaults, so both judge a value alike.
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

export function addDecimalKeywords(ajv: Ajv2020): Ajv2020 {
  ajv.addKeyword(decimalKeyword('decimalMin'));
  ajv.addKeyword(decimalKeyword('decimalMax'));
  return ajv;
}
