import { unitByUnit, type ElementwiseActivation } from './activation.js';
import type { Exact, ExactUnit } from './exact.js';

/**
 * The identity activation Z = S (a linear output layer). Nothing rounds, nothing cancels: the
 * slope is 1 everywhere and a change of S by D changes Z by exactly D. It has no complement; Zc is
 * 0 (nothing of S is removed, as the rectifiers' Zc = min(S, 0) is what they remove). Smooth: no
 * kink. Not wired yet: validation refuses "linear", `modulesOf` never returns it. The exact unit's
 * `f` is e^-|S| (as for every elementwise module; nothing here is formed from it).
 */

// Z = S (+ 0 turns -0 into 0)
function value(S: number): number {
  return S + 0;
}

export const linear: ElementwiseActivation = {
  name: 'linear',
  shape: 'elementwise',
  kink: 'none',
  value,
  // Zc = 0: no complement
  complement: () => 0,
  // f'(S) = 1
  slope: () => 1,

  // Z_i = S_i, Zc_i = 0, per unit of the row
  forwardRow: unitByUnit(value, () => 0),

  exact: {
    // Z = S, Zc = 0, f = e^-|S|, slope = 1
    unit<T>(x: Exact<T>, S: T): ExactUnit<T> {
      return { Z: S, Zc: x.zero, f: x.exp(x.neg(x.abs(S))), slope: x.one };
    },
    // [Z, Zc] = [S, 0]
    pair<T>(x: Exact<T>, S: T): [T, T] {
      return [S, x.zero];
    },
    // f(S + D) - f(S) = D
    change<T>(_x: Exact<T>, _S: T, D: T): T {
      return D;
    },
    // f'(S) = 1
    slopeFromValues: <T>(x: Exact<T>): T => x.one,
    // f(S + D) - f(S) = D
    changeFromValues<T>(_x: Exact<T>, _Z: T, _Zc: T, D: T): T {
      return D;
    },
  },

  bound: {
    // Z = S: no rounding
    roundings: 0,
    // |f'| = 1: Z moves exactly as far as S
    propagated: (_S, eS) => eS,
    // Zc = 0 does not move
    complementPropagated: () => 0,
    // the slope is exactly 1
    slopeError: () => 0,
  },

  textbook: {
    // Z = fl(S): monotone in S (no exponential: fScale is unused)
    value: (S, _fScale, round) => round(S + 0),
    overflows: () => false,
    // f' = 1: no cancellation
    slope: () => 1,
    // constant: its peak anywhere
    slopePeak: { Z: 0, value: 1 },
  },
};
