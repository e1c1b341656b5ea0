import { unitByUnit, type ElementwiseActivation } from './activation.js';
import type { Exact, ExactUnit } from './exact.js';

/**
 * The rectifiers: leaky ReLU Z = S (S > 0), alpha S (S <= 0), 0 <= alpha < 1, and ReLU (alpha = 0).
 * Piecewise linear, so every exact identity is exact up to one product alpha S; the float64
 * forward rounds only that product (ReLU: nothing).
 *
 * Zc is the negative part of S, min(S, 0), kept exactly: with Z (which is S for S >= 0) it keeps S
 * itself, so the slope, the kink and `changeFromValues` need nothing else (ReLU's Z = 0 alone would
 * not tell S < 0 from S = 0, nor how far below the kink S lies).
 *
 * The kink at S = 0: the slope there is the left piece's (alpha; ReLU 0) unless the module is made
 * with kink 'right' (1). Not wired yet: validation refuses "relu" and "leaky_relu", `modulesOf`
 * never returns them. The exact unit's `f` is e^-|S| (as for every elementwise module; nothing here
 * is formed from it).
 */

/** A rectifier module, its alpha beside it. */
export type Rectifier = ElementwiseActivation & { readonly alpha: number };

/**
 * The double v (finite, >= 0) in the arithmetic x, from its integer significand m and 2^-k (v = m
 * 2^-k): exact in a binary arithmetic of >= 53 bits, to the working precision in decimal.
 */
function exactNumber<T>(x: Exact<T>, v: number): T {
  let m = v;
  let k = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    k++;
  }
  let r = x.zero;
  for (const bit of m.toString(2)) r = bit === '1' ? x.add(x.add(r, r), x.one) : x.add(r, r);
  const half = x.div(x.one, x.add(x.one, x.one));
  for (let q = 0; q < k; q++) r = x.mul(r, half);
  return r;
}

/** A leaky ReLU of slope `alpha` below the kink, 0 <= alpha < 1, with the slope at S = 0 from the `kink` side. */
export function leakyRelu(alpha: number, kink: 'left' | 'right' = 'left'): Rectifier {
  return rectifier('leaky_relu', alpha, kink);
}

/** ReLU (alpha = 0), with the slope at S = 0 from the `kink` side (left: 0, right: 1). */
export function reluWithKink(kink: 'left' | 'right'): Rectifier {
  return rectifier('relu', 0, kink);
}

function rectifier(name: 'relu' | 'leaky_relu', alpha: number, kink: 'left' | 'right'): Rectifier {
  if (!(alpha >= 0 && alpha < 1)) throw new Error(`the ${name} activation needs 0 <= alpha < 1, got ${alpha}`);
  const leftAtKink = kink === 'left';
  /** The arithmetic's alpha, made once per arithmetic. */
  const alphas = new WeakMap<object, unknown>();
  const alphaIn = <T>(x: Exact<T>): T => {
    let a = alphas.get(x) as T | undefined;
    if (a === undefined) alphas.set(x, (a = exactNumber(x, alpha)));
    return a;
  };

  // Z = S (S >= 0), alpha S (S < 0); + 0 turns ReLU's -0 into 0
  const value = (S: number): number => (S < 0 ? alpha * S + 0 : S + 0);
  // Zc = min(S, 0), the negative part of S
  const complement = (S: number): number => (S < 0 ? S : 0);
  // f'(S) = 1 (S > 0), alpha (S < 0), the kink side's at S = 0; S is Zc where negative, else Z
  const slope = (Z: number, Zc: number): number => (Zc < 0 ? alpha : Z > 0 ? 1 : leftAtKink ? alpha : 1);

  // f(S) = max(S, 0) + alpha min(S, 0), exact up to the product alpha S
  function valueIn<T>(x: Exact<T>, S: T): T {
    return x.isNeg(S) ? x.mul(alphaIn(x), S) : S;
  }

  // f(S') - f(S) = (max(S', 0) - max(S, 0)) + alpha (min(S', 0) - min(S, 0)), S' = S + D: D or alpha D
  // on one side; S' - alpha S or alpha S' - S (a sum of two terms of one sign) across the kink
  function changeBetween<T>(x: Exact<T>, S: T, Sp: T, D: T): T {
    const below = x.isNeg(S);
    const belowAfter = x.isNeg(Sp);
    if (below === belowAfter) return below ? x.mul(alphaIn(x), D) : D;
    return below ? x.sub(Sp, x.mul(alphaIn(x), S)) : x.sub(x.mul(alphaIn(x), Sp), S);
  }

  // 1 - alpha where [S - eS, S + eS] may cross the kink (read from eZ, eZc = the forward rule's bounds), else 0
  const crossing = (Z: number, Zc: number, eZ: number, eZc: number, eta: number): number => {
    const mayCross = Zc < 0 ? -Zc <= eZc : Z > 0 ? Z <= eZ : Math.max(eZ, eZc) > eta;
    return mayCross ? 1 - alpha : 0;
  };

  return {
    name,
    alpha,
    shape: 'elementwise',
    kink,
    value,
    complement,
    slope,

    // Z_i = f(S_i), Zc_i = min(S_i, 0), per unit of the row
    forwardRow: unitByUnit(value, complement),

    exact: {
      // Z = f(S), Zc = min(S, 0), f = e^-|S|, slope = 1 / alpha / the kink side's at S = 0
      unit<T>(x: Exact<T>, S: T): ExactUnit<T> {
        const positive = !x.isNeg(S) && !x.isZero(S);
        const slopeIsOne = positive || (x.isZero(S) && !leftAtKink);
        return {
          Z: valueIn(x, S),
          Zc: x.isNeg(S) ? S : x.zero,
          f: x.exp(x.neg(x.abs(S))),
          slope: slopeIsOne ? x.one : alphaIn(x),
        };
      },
      // [Z, Zc] = [f(S), min(S, 0)]
      pair<T>(x: Exact<T>, S: T): [T, T] {
        return [valueIn(x, S), x.isNeg(S) ? S : x.zero];
      },
      // f(S + D) - f(S) piecewise from the moved pre-activation S' = S + D, rounded to the working
      // precision (its sign exact; x.moved is not needed, nothing takes exp of S', and it may drop a tiny D)
      change<T>(x: Exact<T>, S: T, D: T): T {
        if (x.isZero(D)) return x.zero;
        return changeBetween(x, S, x.add(S, D), D);
      },
      // f'(S) = alpha (Zc = S < 0), 1 (Z = S > 0), the kink side's at S = 0 (Z = Zc = 0)
      slopeFromValues<T>(x: Exact<T>, Z: T, Zc: T): T {
        if (x.isNeg(Zc)) return alphaIn(x);
        if (!x.isZero(Z)) return x.one;
        return leftAtKink ? alphaIn(x) : x.one;
      },
      // f(S + D) - f(S) piecewise, S = Zc (S < 0) or Z (S >= 0) recovered exactly from the values
      changeFromValues<T>(x: Exact<T>, Z: T, Zc: T, D: T): T {
        if (x.isZero(D)) return x.zero;
        const S = x.isNeg(Zc) ? Zc : Z;
        return changeBetween(x, S, x.add(S, D), D);
      },
    },

    bound: {
      // the product alpha S rounds once, and alpha itself once in an arithmetic narrower than float64
      // (a float32 implementation holds fl32(alpha); ReLU: no rounding at all)
      roundings: alpha === 0 ? 0 : 2,
      // max |f'| over [S - eS, S + eS] times eS: 1 where the interval reaches the right piece (S > 0, or S = 0 with kink 'right'), else alpha
      propagated: (S, eS) => ((leftAtKink ? S + eS > 0 : S + eS >= 0) ? eS : alpha * eS),
      // Zc = min(S, 0) moves with slope 1 where the interval reaches S < 0, else not at all
      complementPropagated: (S, eS) => (S - eS < 0 ? eS : 0),
      // the slope is 1 or alpha (as the arithmetic rounds it) unless [S - eS, S + eS] may cross the kink: then 1 - alpha more.
      // S > 0: crosses only if S <= eS <= eZ; S < 0: only if |S| <= eS <= eZc; S = 0: only if eS > 0, i.e. eZ or eZc > eta
      // on the alpha piece alpha itself as the arithmetic holds it, within u alpha + eta (exact in float64)
      slopeError: (Z, Zc, eZ, eZc, p, u, eta) => crossing(Z, Zc, eZ, eZc, eta) + (alpha !== 0 && p === alpha ? u * alpha + eta : 0),
      // the whole slope bound is the crossing's: 1 - alpha where S may lie on either side of 0
      kinkCrossing: (Z, Zc, eZ, eZc, eta) => crossing(Z, Zc, eZ, eZc, eta),
    },

    textbook: {
      // Z = fl(S) (S > 0), fl(alpha S) (S <= 0): monotone in S (no exponential: fScale is unused)
      value: (S, _fScale, round) => round(S > 0 ? S : alpha * S + 0),
      overflows: () => false,
      // f' from the rounded Z: 1 where Z > 0, else alpha (at Z = 0 the left piece's: the kink is the only difference from the stable slope)
      slope: (Z) => (Z > 0 ? 1 : alpha),
      // alpha up to the smallest positive Z, 1 from there on: non-decreasing on either side of it
      slopePeak: { Z: Number.MIN_VALUE, value: 1 },
    },
  };
}

/** ReLU, Z = max(S, 0), slope 0 at the kink (the left piece's). */
export const relu: Rectifier = reluWithKink('left');
