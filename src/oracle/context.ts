import { Decimal, type DecimalConstructor } from './decimal.js';

/** Default working precision of the oracle, in significant decimal digits. */
export const DEFAULT_PRECISION = 50;

/** Extra digits used inside `ln`/`exp` of arguments near 1 (see `log1p`, `expm1`). */
export const GUARD_DIGITS = 20;

/**
 * The oracle's arithmetic: a private decimal.js constructor at `precision` digits, and one with
 * guard digits. This module is the only owner of decimal.js configuration; nothing calls `Decimal.set`.
 */
export interface OracleContext {
  readonly precision: number;
  /** Decimal constructor rounding every operation to `precision` significant digits. */
  readonly D: DecimalConstructor;
  /** Decimal constructor with `precision + GUARD_DIGITS` digits. */
  readonly G: DecimalConstructor;
  /** 10^-(precision + 3): series stop once a term is this small relative to the sum. */
  readonly seriesTolerance: Decimal;
  /** Arguments below this magnitude take the series path of `log1p` and `expm1`. */
  readonly seriesThreshold: Decimal;
  readonly zero: Decimal;
  readonly one: Decimal;
}

/**
 * Creates an oracle context of `precision` significant digits (default 50, at least 20).
 * Rounding is half-even; the exponent range is decimal.js's (about 10^+-9e15), so nothing a
 * float64 network produces under- or overflows (e^-1000 is 5.07e-435, held exactly to precision).
 */
export function createContext(precision: number = DEFAULT_PRECISION): OracleContext {
  if (!Number.isInteger(precision) || precision < 20 || precision > 1000) {
    throw new RangeError(`oracle: precision must be an integer from 20 to 1000 digits, got ${precision}`);
  }
  const D = Decimal.clone({ precision, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
  const G = Decimal.clone({ precision: precision + GUARD_DIGITS, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
  return {
    precision,
    D,
    G,
    seriesTolerance: new D(10).pow(-(precision + 3)),
    seriesThreshold: new D('1e-5'),
    zero: new D(0),
    one: new D(1),
  };
}
