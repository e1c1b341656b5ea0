import { U64 } from '../compare/rounding.js';
import type { ElementwiseActivation } from './activation.js';
import type { Exact, ExactUnit } from './exact.js';

/**
 * The logistic sigmoid Z = sigma(S) = 1 / (1 + e^-S), with its complement Zc = 1 - Z = sigma(-S)
 * formed directly (never as 1 - Z) and slope sigma'(S) = Z Zc. Every form starts from
 * f = e^(-|S|) <= 1, which never overflows:
 *   Z = 1/(1+f), Zc = f/(1+f) for S >= 0 (swapped for S < 0),
 * so a saturated unit keeps all the digits of its small side. Smooth: no kink.
 */

// Z = sigma(S) = 1/(1+f) (S >= 0) or f/(1+f) (S < 0), f = e^-|S|
function value(S: number): number {
  const f = Math.exp(-Math.abs(S));
  return S >= 0 ? 1 / (1 + f) : f / (1 + f);
}

// sigma'(x) = f / (1 + f)^2 with f = e^-|x|: decreasing in |x|
function slopeAt(x: number): number {
  const f = Math.exp(-Math.abs(x));
  return f / ((1 + f) * (1 + f));
}

// near = 1/(1+f), far = f near = f/(1+f), f = e^-|S|: Z and Zc to full relative precision
function sides<T>(x: Exact<T>, S: T): { near: T; far: T; f: T } {
  const f = x.exp(x.neg(x.abs(S)));
  const near = x.div(x.one, x.add(x.one, f));
  const far = x.mul(f, near);
  return { near, far, f };
}

// [Z, Zc] = [near, far] for S >= 0, [far, near] for S < 0
function pair<T>(x: Exact<T>, S: T): [T, T] {
  const { near, far } = sides(x, S);
  return x.isNeg(S) ? [far, near] : [near, far];
}

export const sigmoid: ElementwiseActivation = {
  name: 'sigmoid',
  shape: 'elementwise',
  kink: 'none',
  value,
  // Zc = sigma(-S) = 1 - Z without forming 1 - Z
  complement: (S) => value(-S),
  // sigma'(S) = Z Zc
  slope: (Z, Zc) => Z * Zc,

  // Z_i = near or far, Zc_i = the other, per unit of the row
  forwardRow(S, Z, Zc, row, n) {
    for (let k = row; k < row + n; k++) {
      const Sk = S[k]!;
      const f = Math.exp(-Math.abs(Sk));
      const near = 1 / (1 + f);
      const far = f / (1 + f);
      Z[k] = Sk >= 0 ? near : far;
      Zc[k] = Sk >= 0 ? far : near;
    }
  },

  exact: {
    // Z, Zc from f = e^-|S|; slope = Z Zc = near far
    unit<T>(x: Exact<T>, S: T): ExactUnit<T> {
      const { near, far, f } = sides(x, S);
      const neg = x.isNeg(S);
      return { Z: neg ? far : near, Zc: neg ? near : far, f, slope: x.mul(near, far) };
    },
    pair,
    // sigma(S + D) - sigma(S) = -sigma(S + D) sigma(-S) expm1(-D) (D >= 0),  sigma(S) sigma(-S - D) expm1(D) (D < 0)
    change<T>(x: Exact<T>, S: T, D: T, Z: T, Zc: T): T {
      if (x.isZero(D)) return x.zero;
      const [Zp, Zcp] = pair(x, x.moved(S, D));
      if (!x.isNeg(D)) return x.neg(x.mul(x.mul(Zp, Zc), x.expm1(x.neg(D))));
      return x.mul(x.mul(Z, Zcp), x.expm1(D));
    },
    // sigma(S + D) - sigma(S) = -Z Zc expm1(-D) / (1 + Zc expm1(-D))
    changeFromValues<T>(x: Exact<T>, Z: T, Zc: T, D: T): T {
      const em = x.expm1(x.neg(D));
      return x.div(x.neg(x.mul(x.mul(Z, Zc), em)), x.add(x.one, x.mul(Zc, em)));
    },
  },

  bound: {
    // exp to 1 ulp, one add, one divide, with slack: eZ <= propagated + 8u Z + eta
    roundings: 8,
    // max sigma' over [S - eS, S + eS] times eS: sigma' is largest at max(|S| - eS, 0)
    propagated: (S, eS) => slopeAt(Math.max(Math.abs(S) - eS, 0)) * eS,
    // e(Z Zc) <= Z eZc + Zc eZ + eZ eZc + u |Z Zc| + eta
    slopeError: (Z, Zc, eZ, eZc, p, u, eta) => Z * eZc + Zc * eZ + eZ * eZc + u * p + eta,
  },

  textbook: {
    // Z = fl(1 / fl(1 + fl(e^-S fScale))): monotone in S
    value: (S, fScale, round) => round(1 / round(1 + round(Math.exp(-S) * fScale))),
    // e^-S overflows where -S reaches ln of the largest number (within 4 ulps of the float64 log)
    overflows: (S, overflowAt) => -S >= overflowAt * (1 - 4 * U64),
    // sigma'(S) = fl(Z fl(1 - Z)), 1 - Z from the rounded Z: 0 in saturation (the named cancellation `slope`)
    slope: (Z, round) => round(Z * round(1 - Z)),
    slopePeak: { Z: 0.5, value: 0.25 },
    range: [0, 1],
  },
};
