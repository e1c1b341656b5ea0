import { U64 } from '../compare/rounding.js';
import { unitByUnit, type ElementwiseActivation } from './activation.js';
import type { Exact, ExactUnit } from './exact.js';

/**
 * The hyperbolic tangent Z = tanh(S), with Zc = 1 - Z^2 = sech^2(S) (its slope) formed directly,
 * never as 1 - Z^2 from a rounded Z. Every form starts from e^-|S| and e^-2|S| <= 1, which never
 * overflow:
 *   |Z| = -expm1(-2|S|) / (2 + expm1(-2|S|))       (full relative precision also for tiny |S|)
 *   Zc  = 4 g / (1 + g)^2 = (2 f / (1 + g))^2,  f = e^-|S|, g = f^2 = e^-2|S|
 * so a saturated unit keeps all the digits of its slope. 1 - |Z| = 2 g / (1 + g) = Zc / (1 + |Z|)
 * (the distance to saturation) is what the change identities add instead of differencing.
 * Smooth: no kink. Not wired yet: validation refuses "tanh", `modulesOf` never returns it.
 *
 * The exact unit's `f` is e^-|S| (as for every elementwise module); its values come from f^2.
 */

// |Z| = -em / (2 + em), em = expm1(-2|S|); Z has the sign of S
function value(S: number): number {
  const em = Math.expm1(-2 * Math.abs(S));
  const a = -em / (2 + em);
  return S < 0 ? -a : a;
}

// Zc = 1 - tanh^2(S) = (2f / (1 + f^2))^2, f = e^-|S| (squared last: an underflow is lost below eta only)
function complement(S: number): number {
  const f = Math.exp(-Math.abs(S));
  const w = (2 * f) / (1 + f * f);
  return w * w;
}

// tanh'(x) = sech^2(x) = (2f / (1 + f^2))^2 with f = e^-|x|: decreasing in |x|
function slopeAt(x: number): number {
  return complement(x);
}

/** The largest |d sech^2(x) / dx| = 2 |tanh x| sech^2 x, at tanh x = 1/sqrt(3): 4 / (3 sqrt 3), rounded up. */
const COMPLEMENT_SLOPE_MAX = 0.7698004;

// |Z| = -em / (2 + em), Zc = (2f / (1 + g))^2, m = 1 - |Z| = 2g / (1 + g); f = e^-|S|, g = f^2, em = expm1(-2|S|)
function sides<T>(x: Exact<T>, S: T): { Z: T; Zc: T; m: T; f: T } {
  // a moved S may be wider than the arithmetic (x.moved): only exp takes it as it is. Z, whose
  // condition number |S tanh'(S) / tanh(S)| is <= 1, is formed from S rounded to the working
  // precision (x.div(S, 1)); f, g, Zc and m (condition up to 2|S|) from the unrounded S
  const a = x.abs(x.div(S, x.one));
  const f = x.exp(x.neg(x.abs(S)));
  const g = x.mul(f, f);
  const em = x.expm1(x.neg(x.add(a, a)));
  const abs = x.div(x.neg(em), x.add(x.add(x.one, x.one), em));
  const onePlusG = x.add(x.one, g);
  const w = x.div(x.add(f, f), onePlusG);
  const m = x.div(x.add(g, g), onePlusG);
  return { Z: x.isNeg(S) ? x.neg(abs) : abs, Zc: x.mul(w, w), m, f };
}

// tanh(D) = em / (em + 2), em = expm1(2D), odd in D (for D < 0 from |D|: no e^D near 0 lost)
function tanhOf<T>(x: Exact<T>, D: T): T {
  const d = x.abs(D);
  const em = x.expm1(x.add(d, d));
  const t = x.div(em, x.add(em, x.add(x.one, x.one)));
  return x.isNeg(D) ? x.neg(t) : t;
}

// 1 - |tanh(D)| = 2 / (expm1(2|D|) + 2)
function untanhOf<T>(x: Exact<T>, D: T): T {
  const d = x.abs(D);
  const two = x.add(x.one, x.one);
  return x.div(two, x.add(x.expm1(x.add(d, d)), two));
}

// 1 - Z Z' as a sum of positive terms: same signs: (1 - |Z|) + |Z| (1 - |Z'|); else 1 + |Z| |Z'|
function oneMinusProduct<T>(x: Exact<T>, Z: T, m: T, Zp: T, mp: T): T {
  const sameSign = !x.isZero(Z) && !x.isZero(Zp) && x.isNeg(Z) === x.isNeg(Zp);
  if (sameSign) return x.add(m, x.mul(x.abs(Z), mp));
  return x.add(x.one, x.abs(x.mul(Z, Zp)));
}

export const tanh: ElementwiseActivation = {
  name: 'tanh',
  shape: 'elementwise',
  kink: 'none',
  value,
  // Zc = 1 - Z^2 = sech^2(S) without forming 1 - Z^2
  complement,
  // tanh'(S) = 1 - Z^2 = Zc
  slope: (_Z, Zc) => Zc,

  // Z_i = sign(S) (-em / (2 + em)), Zc_i = (2f / (1 + f^2))^2, per unit of the row
  forwardRow: unitByUnit(value, complement),

  exact: {
    // Z, Zc from f = e^-|S|, g = f^2, expm1(-2|S|); slope = Zc
    unit<T>(x: Exact<T>, S: T): ExactUnit<T> {
      const { Z, Zc, f } = sides(x, S);
      return { Z, Zc, f, slope: Zc };
    },
    // [Z, Zc] = [tanh(S), sech^2(S)]
    pair<T>(x: Exact<T>, S: T): [T, T] {
      const { Z, Zc } = sides(x, S);
      return [Z, Zc];
    },
    // tanh(S + D) - tanh(S) = tanh(D) (1 - tanh(S) tanh(S + D)), the bracket a sum of positive terms
    change<T>(x: Exact<T>, S: T, D: T, Z: T, Zc: T): T {
      if (x.isZero(D)) return x.zero;
      const moved = sides(x, x.moved(S, D));
      const m = x.div(Zc, x.add(x.one, x.abs(Z)));
      return x.mul(tanhOf(x, D), oneMinusProduct(x, Z, m, moved.Z, moved.m));
    },
    // tanh'(S) = 1 - Z^2 = Zc
    slopeFromValues: <T>(_x: Exact<T>, _Z: T, Zc: T): T => Zc,
    // tanh(S + D) - tanh(S) = tanh(D) Zc / (1 + Z tanh(D)), the denominator a sum of positive terms
    changeFromValues<T>(x: Exact<T>, Z: T, Zc: T, D: T): T {
      if (x.isZero(D)) return x.zero;
      const tD = tanhOf(x, D);
      const m = x.div(Zc, x.add(x.one, x.abs(Z)));
      const opposite = !x.isZero(Z) && x.isNeg(Z) !== x.isNeg(D);
      // 1 + Z tD = (1 - |Z|) + |Z| (1 - |tD|) when Z tD < 0
      const denominator = opposite ? x.add(m, x.mul(x.abs(Z), untanhOf(x, D))) : x.add(x.one, x.abs(x.mul(Z, tD)));
      return x.div(x.mul(tD, Zc), denominator);
    },
  },

  bound: {
    // Z: expm1, one add, one divide; Zc: exp, a square, an add, a divide and a square (relative
    // errors doubled by the squares), with slack: eZ <= propagated + 16u |Z| + eta
    roundings: 16,
    // max tanh' over [S - eS, S + eS] times eS: sech^2 is largest at max(|S| - eS, 0)
    propagated: (S, eS) => slopeAt(Math.max(Math.abs(S) - eS, 0)) * eS,
    // max |d sech^2 / dS| = 2 |tanh| sech^2 <= min(2 sech^2(max(|S| - eS, 0)), 4 / (3 sqrt 3)), times eS
    complementPropagated: (S, eS) => Math.min(2 * slopeAt(Math.max(Math.abs(S) - eS, 0)), COMPLEMENT_SLOPE_MAX) * eS,
    // the slope is Zc itself: e(p) = eZc
    slopeError: (_Z, _Zc, _eZ, eZc) => eZc,
  },

  textbook: {
    // Z = fl(fl(1 - e) / fl(1 + e)), e = fl(e^-2S fScale): monotone in S. Near S = 0 (e > 1/2, |S| < ln(2) / 2)
    // 1 - e would cancel, losing Z's relative digits: no named computation forms Z so (a library's tanh does
    // not), so there Z is the stable value rounded, moved by fScale's part as the exponential would move it
    value: (S, fScale, round) => {
      if (Math.abs(S) < Math.LN2 / 2) {
        const Z = value(S);
        return round(Z - Math.abs(Z) * (fScale - 1));
      }
      const e = round(Math.exp(-2 * S) * fScale);
      return round(round(1 - e) / round(1 + e));
    },
    // e^-2S overflows where -2S reaches ln of the largest number (within 4 ulps of the float64 log)
    overflows: (S, overflowAt) => -2 * S >= overflowAt * (1 - 4 * U64),
    // tanh'(S) = fl(1 - fl(Z Z)), 1 - Z^2 from the rounded Z: 0 in saturation (the named cancellation `slope`)
    slope: (Z, round) => round(1 - round(Z * Z)),
    slopePeak: { Z: 0, value: 1 },
    range: [-1, 1],
  },
};
