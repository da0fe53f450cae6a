// Exact decimal arithmetic for the memory half of the expression functions, matching PostgreSQL's numeric:
// + - * are exact, rounding is half away from zero, and division rounds its exact quotient once. Runs in
// browsers (decimal.js only, no Node APIs).
import { Decimal } from 'decimal.js';

/**
 * Enough significant digits that + - * of any stored value are exact (numeric fields hold at most 1000
 * digits); PostgreSQL's numeric is exact too, so the halves agree below this bound.
 */
const Exact = Decimal.clone({ precision: 2000, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -9e15, toExpPos: 9e15 });
type Exact = InstanceType<typeof Exact>;

/** Fractional digits of a quotient: `/` rounds its exact result half away from zero to this many places. */
export const DIVISION_SCALE = 10;

const DECIMAL = /^-?\d{1,1000}(\.\d{1,1000})?$/;

/** A decimal string or a finite number as an exact decimal; null for anything else (no value). */
export function toExact(value: unknown): Exact | null {
  if (typeof value === 'string') return DECIMAL.test(value) ? new Exact(value) : null;
  if (typeof value === 'number' && Number.isFinite(value)) return new Exact(value);
  return null;
}

/** The canonical spelling of a decimal result: no exponent, no trailing zeros. */
export function decimalText(value: Exact): string {
  // decimal.js keeps a signed zero ("-0"); PostgreSQL has none.
  return value.isZero() ? '0' : value.toFixed();
}

export const add = (a: Exact, b: Exact): Exact => a.plus(b);
export const subtract = (a: Exact, b: Exact): Exact => a.minus(b);
export const multiply = (a: Exact, b: Exact): Exact => a.times(b);

/** a / b rounded half away from zero to DIVISION_SCALE places, computed on integers so it is rounded once; null when b is 0. */
export function divide(a: Exact, b: Exact): Exact | null {
  if (b.isZero()) return null;
  const scaled = a.times(new Exact(10).pow(DIVISION_SCALE));
  let quotient = scaled.dividedToIntegerBy(b);
  const remainder = scaled.minus(quotient.times(b));
  if (remainder.abs().times(2).gte(b.abs())) quotient = quotient.plus(scaled.isNegative() === b.isNegative() ? 1 : -1);
  return quotient.dividedBy(new Exact(10).pow(DIVISION_SCALE));
}

/** Half away from zero, as PostgreSQL's round(numeric, int). */
export function roundTo(value: Exact, places: number): Exact {
  return value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

export function compareExact(a: Exact, b: Exact): number {
  return a.cmp(b);
}

/**
 * The SQL function behind `/`: the same once-rounded quotient, NULL for a zero divisor. Immutable, so
 * conditions using it may appear in partial indexes; installed with the engine's other SQL functions.
 */
export const DIVIDE_SQL_FUNCTION = `
CREATE OR REPLACE FUNCTION tessera_div(a numeric, b numeric) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN b = 0 THEN NULL ELSE
    (div(a * 1e${DIVISION_SCALE}, b)
      + CASE WHEN 2 * abs(mod(a * 1e${DIVISION_SCALE}, b)) >= abs(b) THEN sign(a) * sign(b) ELSE 0 END)
    * 1e-${DIVISION_SCALE} END
$$`;
