import type { Decimal, DecimalConstructor } from './decimal.js';
import type { OracleContext } from './context.js';
import { decimalExp, decimalLn } from './decimalBridge.js';

/** e^x and ln x of Decimals, rounded to D's precision. */
export interface DecimalKernel {
  exp(D: DecimalConstructor, x: Decimal): Decimal;
  ln(D: DecimalConstructor, x: Decimal): Decimal;
}

/**
 * The BigInt kernel of `decimalBridge.ts`, digit for digit what decimal.js returns, 5 to 28 times
 * faster: the default of the functions below (claims, decay analysis).
 */
export const FAST_KERNEL: DecimalKernel = { exp: decimalExp, ln: decimalLn };

/**
 * decimal.js's own correctly rounded exp and ln: the plain decimal oracle (`forward.ts`,
 * `finiteDifference.ts`) uses these, so that it shares no arithmetic with the BigFloat core.
 */
export const DECIMAL_JS_KERNEL: DecimalKernel = {
  exp: (D, x) => new D(x).exp(),
  ln: (D, x) => new D(x).ln(),
};

/**
 * ln(1 + x) for x > -1, to the context's precision also when |x| is tiny (where 1 + x would round
 * to 1): the alternating series x - x^2/2 + x^3/3 - ... below `seriesThreshold`, else ln(1 + x) in
 * guard precision (1 + x then loses at most 5 of the guard's 20 extra digits).
 */
export function log1p(ctx: OracleContext, x: Decimal, kernel: DecimalKernel = FAST_KERNEL): Decimal {
  if (x.isZero()) return x;
  if (x.abs().lt(ctx.seriesThreshold)) {
    let power = x;
    let sum = x;
    for (let k = 2; ; k++) {
      power = power.times(x);
      const term = power.div(k);
      sum = k % 2 === 0 ? sum.minus(term) : sum.plus(term);
      if (term.abs().lte(sum.abs().times(ctx.seriesTolerance))) return sum;
    }
  }
  const G = ctx.G;
  return new ctx.D(kernel.ln(G, new G(x).plus(1))).toSignificantDigits(ctx.precision);
}

/**
 * e^x - 1, to the context's precision also when |x| is tiny: the series x + x^2/2! + ... below
 * `seriesThreshold`, else e^x - 1 in guard precision.
 */
export function expm1(ctx: OracleContext, x: Decimal, kernel: DecimalKernel = FAST_KERNEL): Decimal {
  if (x.isZero()) return x;
  if (x.abs().lt(ctx.seriesThreshold)) {
    let term = x;
    let sum = x;
    for (let k = 2; ; k++) {
      term = term.times(x).div(k);
      sum = sum.plus(term);
      if (term.abs().lte(sum.abs().times(ctx.seriesTolerance))) return sum;
    }
  }
  const G = ctx.G;
  return new ctx.D(kernel.exp(G, new G(x)).minus(1)).toSignificantDigits(ctx.precision);
}

/*
 * The plain decimal.js cross-check's own sigmoid and cross-entropy (fenced off from the layer
 * modules on purpose: `src/layers/sigmoid.ts` forms Zc as f * near, this oracle as f / (1 + f), and
 * the two oracles are compared with each other; the change identities, which both need in the same
 * form, are the layer modules' `changeFromValues` in `finiteDifference.ts`).
 */

/** The logistic pair of one pre-activation: Z = sigma(S), Zc = sigma(-S) = 1 - Z, and f = e^(-|S|). */
export interface SigmoidPair {
  readonly Z: Decimal;
  readonly Zc: Decimal;
  readonly f: Decimal;
}

/**
 * Z_i = 1 / (1 + e^(-S_i)) and Zc_i = e^(-S_i) / (1 + e^(-S_i)), from f = e^(-|S|) <= 1, so that
 * both sides are held to full relative precision however saturated the unit is.
 */
export function sigmoidPair(ctx: OracleContext, S: Decimal, kernel: DecimalKernel = FAST_KERNEL): SigmoidPair {
  const f = kernel.exp(ctx.D, S.abs().neg()); // = S.abs().neg().exp(), correctly rounded
  const onePlusF = f.plus(ctx.one);
  const near = ctx.one.div(onePlusF);
  const far = f.div(onePlusF);
  return S.isNeg() ? { Z: far, Zc: near, f } : { Z: near, Zc: far, f };
}

/**
 * Cross-entropy of one output, -(t ln Z + (1-t) ln(1-Z)) = t softplus(-S) + (1-t) softplus(S),
 * with softplus(x) = ln(1 + e^x) = max(x, 0) + log1p(e^(-|x|)): two non-negative terms, exact in
 * saturation (for S = 1000, t = 1 it is e^-1000 to full precision).
 */
export function crossEntropyFromLogit(ctx: OracleContext, S: Decimal, f: Decimal, t: Decimal, kernel: DecimalKernel = FAST_KERNEL): Decimal {
  const lp = log1p(ctx, f, kernel);
  const spPlus = S.isNeg() ? lp : S.plus(lp); // softplus(S)
  const spMinus = S.isNeg() ? lp.minus(S) : lp; // softplus(-S)
  return t.times(spMinus).plus(ctx.one.minus(t).times(spPlus));
}
