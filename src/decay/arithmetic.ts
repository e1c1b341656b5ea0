import { ETA64 } from '../compare/rounding.js';
import type { OracleContext } from '../oracle/context.js';
import type { Decimal } from '../oracle/decimal.js';
import { toDecimal } from '../oracle/exact.js';

/**
 * The arithmetic a decay analysis is evaluated in: float64 (the reference's values) or the
 * oracle's decimal. The analysis is written once over this interface, so both evaluate the same
 * formulas; only rounding and the slack a comparison allows for it differ.
 */
export interface Arithmetic<T> {
  readonly name: 'float64' | 'decimal';
  readonly zero: T;
  readonly one: T;
  /** 1/4 = max sigma'(S), exact in both arithmetics. */
  readonly quarter: T;
  /** A double as T, exactly (max f' of an activation). */
  constant(x: number): T;
  plus(a: T, b: T): T;
  times(a: T, b: T): T;
  /** The Euclidean norm ||x||_2 of the entries x[from], ..., x[to - 1]. */
  norm(x: ArrayLike<T>, from: number, to: number): T;
  /** log10(a / b) as a double: -Infinity for a = 0 < b, NaN for 0 / 0. */
  log10Ratio(a: T, b: T): number;
  toNumber(a: T): number;
  /**
   * Whether `actual <= bound` holds up to this arithmetic's rounding: within the relative slack
   * (`RELATIVE_SLACK_64` or `RELATIVE_SLACK_DECIMAL`) plus `allowance` (absolute, float64 only).
   */
  within(actual: T, bound: T, allowance: number): boolean;
}

/**
 * Relative slack of float64 comparisons. Every quantity of the analysis is a short chain of
 * roundings (a dot product of at most n_l terms, a norm, a product over layers): relative
 * error below (2n + 2L + 8) u, under 1e-13 for the widths and depths used here.
 */
export const RELATIVE_SLACK_64 = 1e-12;

/** Relative slack of decimal comparisons: the oracle rounds each operation to 50 digits (or more). */
export const RELATIVE_SLACK_DECIMAL = 1e-40;

/** ||x||_2 = s sqrt(sum (x_k / s)^2) with s = max |x_k|, so the squares neither overflow nor underflow. */
function norm64(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let k = from; k < to; k++) s = Math.max(s, Math.abs(x[k]!));
  if (s === 0 || !Number.isFinite(s)) return s;
  let sum = 0;
  for (let k = from; k < to; k++) sum += (x[k]! / s) ** 2;
  return s * Math.sqrt(sum);
}

/** Float64: the reference's own arithmetic. */
export const FLOAT64: Arithmetic<number> = {
  name: 'float64',
  zero: 0,
  one: 1,
  quarter: 0.25,
  constant: (x) => x,
  plus: (a, b) => a + b,
  times: (a, b) => a * b,
  norm: norm64,
  log10Ratio: (a, b) => Math.log10(a) - Math.log10(b),
  toNumber: (a) => a,
  within: (actual, bound, allowance) => actual <= bound * (1 + RELATIVE_SLACK_64) + allowance,
};

/** The decimal arithmetic of an oracle context: no underflow, `ctx.precision` significant digits. */
export function decimalArithmetic(ctx: OracleContext): Arithmetic<Decimal> {
  const slack = new ctx.D(1).plus(RELATIVE_SLACK_DECIMAL);
  return {
    name: 'decimal',
    zero: ctx.zero,
    one: ctx.one,
    quarter: new ctx.D('0.25'),
    constant: (x) => toDecimal(ctx, x),
    plus: (a, b) => a.plus(b),
    times: (a, b) => a.times(b),
    norm: (x, from, to) => {
      let sum = ctx.zero;
      for (let k = from; k < to; k++) sum = sum.plus(x[k]!.times(x[k]!));
      return sum.sqrt();
    },
    log10Ratio: (a, b) => {
      if (a.isZero()) return b.isZero() ? Number.NaN : Number.NEGATIVE_INFINITY;
      if (b.isZero()) return Number.POSITIVE_INFINITY;
      // a double's log10 is as good as decimal's for a figure; decimal only outside the doubles' range
      const q = a.div(b);
      const x = q.toNumber();
      return x > 1e-300 && x < 1e300 ? Math.log10(x) : q.log(10).toNumber();
    },
    toNumber: (a) => a.toNumber(),
    within: (actual, bound) => actual.lte(bound.times(slack)),
  };
}

/** The smallest positive float64, the absolute error of one operation whose result underflows. */
export const ETA = ETA64;
