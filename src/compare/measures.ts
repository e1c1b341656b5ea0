import { exactDecimalString, type Decimal, type DecimalConstructor } from '../oracle/api.js';
import { ulp } from './rounding.js';

/** How far a float64 value lies from the exact one, measured several ways. */
export interface ErrorMeasure {
  /** |value - exact|, as the nearest double. */
  readonly error: number;
  /** The scale the error is judged against (the quantity's magnitude, see `oracleBackward`). */
  readonly scale: number;
  /** error / scale. */
  readonly relative: number;
  /** Correct decimal digits relative to scale, -log10(error / scale); Infinity when exact. */
  readonly digits: number;
  /** error in units of the last place of the scale: error / ulp(scale). */
  readonly ulpsOfScale: number;
  /** error in units of the last place of the exact value: error / ulp(exact). */
  readonly ulps: number;
}

/**
 * Measures `value` against the `exact` Decimal relative to `scale` (>= |exact|). The difference
 * is taken in decimal, so it is exact to the oracle's precision even when value and exact agree
 * in every digit a double has.
 */
export function measure(value: number, exact: Decimal, scale: number): ErrorMeasure {
  if (!Number.isFinite(value)) {
    return { error: Number.POSITIVE_INFINITY, scale, relative: Number.POSITIVE_INFINITY, digits: Number.NEGATIVE_INFINITY, ulpsOfScale: Number.POSITIVE_INFINITY, ulps: Number.POSITIVE_INFINITY };
  }
  // value enters as the decimal it is exactly (a plain number argument would be read as its shortest form)
  const Ctor = exact.constructor as DecimalConstructor;
  const error = exact.minus(new Ctor(exactDecimalString(value))).abs().toNumber();
  const relative = error === 0 ? 0 : scale > 0 ? error / scale : Number.POSITIVE_INFINITY;
  return {
    error,
    scale,
    relative,
    digits: relative === 0 ? Number.POSITIVE_INFINITY : -Math.log10(relative),
    ulpsOfScale: error / ulp(scale),
    ulps: error / ulp(exact.toNumber()),
  };
}

/** Correct digits of `a` against `b` (both Decimals) relative to `scale`: -log10(|a - b| / scale). */
export function decimalDigits(a: Decimal, b: Decimal, scale: Decimal): number {
  const diff = a.minus(b).abs();
  if (diff.isZero()) return Number.POSITIVE_INFINITY;
  if (scale.isZero()) return Number.NEGATIVE_INFINITY;
  return -diff.div(scale).log(10).toNumber();
}
