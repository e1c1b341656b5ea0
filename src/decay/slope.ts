import { createContext, type OracleContext } from '../oracle/context.js';
import type { Decimal } from '../oracle/decimal.js';
import { toDecimal } from '../oracle/exact.js';
import { expm1, sigmoidPair } from '../oracle/functions.js';

/** sigma'(S) = Z (1 - Z) at a double S, in decimal, with what shows that it is at most 1/4. */
export interface SlopeAt {
  readonly S: number;
  /** The decimal digits it was computed with (see {@link slopePrecision}). */
  readonly precision: number;
  /** sigma'(S) = Z Zc, from the oracle's sigmoid pair Z = sigma(S), Zc = sigma(-S) = 1 - Z. */
  readonly slope: Decimal;
  /** 1/4 - Z Zc, the difference taken directly. */
  readonly gap: Decimal;
  /** tanh^2(S/2) / 4, the same gap by the identity 1/4 - Z(1-Z) = (Z - 1/2)^2 = tanh^2(S/2) / 4, without cancellation. */
  readonly tanhGap: Decimal;
}

/**
 * Digits enough to tell sigma'(S) from 1/4 with 30 digits of the gap to spare: the gap is about
 * S^2 / 16 for small |S|, so 30 + 2 log10(1/|S|) digits (50 at least, 678 for the smallest subnormal).
 */
export function slopePrecision(S: number): number {
  const small = S === 0 ? 0 : Math.max(0, Math.ceil(-Math.log10(Math.abs(S))));
  return Math.max(50, 30 + 2 * small);
}

const contexts = new Map<number, OracleContext>();
function contextOf(precision: number): OracleContext {
  let ctx = contexts.get(precision);
  if (!ctx) contexts.set(precision, (ctx = createContext(precision)));
  return ctx;
}

/**
 * sigma'(S) = Z (1 - Z) <= 1/4 at the double S, exactly to {@link slopePrecision} digits, with the
 * gap 1/4 - sigma'(S) two ways. The slope is positive while e^-|S| is within decimal.js's exponent
 * range (|S| up to about 2e16); it equals 1/4 exactly when S = 0 and is below it otherwise.
 * Cost: decimal.js's exp of a non-integer argument slows down as |S| grows (2.5 s at |S| = 1.2e5),
 * so keep |S| below about 1e4 (float64's own e^-|S| underflows beyond 745).
 */
export function slopeAt(S: number): SlopeAt {
  const precision = slopePrecision(S);
  const ctx = contextOf(precision);
  const { Z, Zc } = sigmoidPair(ctx, toDecimal(ctx, S));
  const slope = Z.times(Zc); // dZ/dS = Z (1 - Z)
  const quarter = new ctx.D('0.25');
  // tanh(|S|/2) = (1 - e^-|S|) / (1 + e^-|S|) = -expm1(-|S|) / (2 + expm1(-|S|))
  const em = expm1(ctx, toDecimal(ctx, -Math.abs(S)));
  const tanh = em.neg().div(em.plus(2));
  return { S, precision, slope, gap: quarter.minus(slope), tanhGap: tanh.times(tanh).div(4) };
}
