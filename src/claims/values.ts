/** How claims' reports write numbers. */
import type { Decimal } from '../oracle/decimal.js';

/** A Decimal to `digits` significant digits (default 12), in decimal.js's shortest notation. */
export function formatValue(d: Decimal, digits = 12): string {
  return d.toSignificantDigits(digits).toString();
}

/** Correct digits for a report: one decimal, "all" when exact, "none" when not finite. */
export function formatDigits(digits: number): string {
  if (digits === Number.POSITIVE_INFINITY) return 'all';
  if (!Number.isFinite(digits)) return 'none';
  return digits.toFixed(1);
}

/**
 * Correct digits of `a` against `b` relative to `scale`, -log10(|a - b| / scale), from the ratio's
 * 12-digit scientific form (the same figure as `decimalDigits` of src/compare, without a 50-digit
 * logarithm per entry): Infinity when equal, -Infinity when the scale is 0 and they differ.
 */
export function digitsOf(a: Decimal, b: Decimal, scale: Decimal): number {
  const diff = a.minus(b).abs();
  if (diff.isZero()) return Number.POSITIVE_INFINITY;
  if (scale.isZero()) return Number.NEGATIVE_INFINITY;
  const [mantissa, exponent] = diff.div(scale).toExponential(12).split('e');
  return -(Math.log10(Number(mantissa)) + Number(exponent));
}
