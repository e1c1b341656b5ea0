import type { RowwiseActivation } from './activation.js';
import type { Exact } from './exact.js';

/**
 * Softmax over one row, Z_k = e^(S_k) / sum_j e^(S_j), formed with the largest logit m subtracted:
 *   e_k = e^(S_k - m) <= 1 (the largest is exactly 1, so the sum is in [1, n] and never overflows),
 *   Z_k = e_k / (1 + r),  r = sum over j != a of e_j (a the first index of the maximum),
 * and the complement kept beside Z is Zc_k = 1 - Z_k = (sum over j != k of e_j) / (1 + r), a sum of
 * the other units (never 1 - Z_k), so the dominant unit keeps the digits of its small complement.
 * ln Z_k = (S_k - m) - log1p(r) is a sum of two non-positive numbers (`logRow`): cce's term.
 * Row-wise: only a last layer's, fused with cce (its head gives dE/dS); no per-unit slope.
 */

/** The row's shift: the index a of its first largest logit and r = sum over j != a of e^(S_j - m), m = S_a. */
function shiftOf(S: ArrayLike<number>, row: number, n: number): { a: number; m: number; r: number } {
  let a = row;
  for (let k = row + 1; k < row + n; k++) if (S[k]! > S[a]!) a = k;
  const m = S[a]!;
  let r = 0;
  for (let k = row; k < row + n; k++) if (k !== a) r += Math.exp(S[k]! - m);
  return { a, m, r };
}

// Z_k = e^(S_k - m) / (1 + r), Zc_k = sum over j != k of e^(S_j - m) / (1 + r)
function forwardRow(S: Float64Array, Z: Float64Array, Zc: Float64Array, row: number, n: number): void {
  const { m, r } = shiftOf(S, row, n);
  const sum = 1 + r;
  for (let k = row; k < row + n; k++) {
    let others = 0;
    for (let j = row; j < row + n; j++) if (j !== k) others += Math.exp(S[j]! - m);
    Z[k] = Math.exp(S[k]! - m) / sum;
    Zc[k] = others / sum;
  }
}

/** The exact shift of a row: the index a of its first largest logit, m = S_a, e_k = e^(S_k - m), r = sum over j != a of e_j. */
function exactShift<T>(x: Exact<T>, S: readonly T[], row: number, n: number): { a: number; m: T; e: T[]; r: T } {
  let a = row;
  for (let k = row + 1; k < row + n; k++) if (x.isNeg(x.sub(S[a]!, S[k]!))) a = k;
  const m = S[a]!;
  const e: T[] = [];
  let r = x.zero;
  for (let k = row; k < row + n; k++) {
    const ek = k === a ? x.one : x.exp(x.sub(S[k]!, m));
    e.push(ek);
    if (k !== a) r = x.add(r, ek);
  }
  return { a, m, e, r };
}

// Z_k = e_k / (1 + r), Zc_k = (sum over j != k of e_j) / (1 + r), e_k = e^(S_k - m)
function exactRow<T>(x: Exact<T>, S: readonly T[], row: number, n: number, Z: T[], Zc: T[]): void {
  const { e } = exactShift(x, S, row, n);
  let sum = x.zero;
  for (const ek of e) sum = x.add(sum, ek);
  for (let k = 0; k < n; k++) {
    let others = x.zero;
    for (let j = 0; j < n; j++) if (j !== k) others = x.add(others, e[j]!);
    Z[row + k] = x.div(e[k]!, sum);
    Zc[row + k] = x.div(others, sum);
  }
}

// ln Z_k = (S_k - m) - log1p(r): two non-positive parts, no cancellation (out[row + k])
function exactLogRow<T>(x: Exact<T>, S: readonly T[], row: number, n: number, out: T[]): void {
  const { m, r } = exactShift(x, S, row, n);
  const lp = x.log1p(r);
  for (let k = row; k < row + n; k++) out[k] = x.sub(x.sub(S[k]!, m), lp);
}

/**
 * The relative error of the float64 e_k = fl(e^fl(S_k - m)) at exact S: S_k - m rounds by u |S_k - m|
 * (absolute), which e^ turns into a relative error of that size, plus exp's own rounding (2u).
 */
function shiftedExpError(S: number, m: number, u: number): number {
  return u * Math.abs(S - m) + 2 * u;
}

// eZ_k = r_k + (Z_k + r_k) expm1(2E), r_k = 2 Z_k (a_k + sum_j Z_j a_j + (n + 2) u) + 2 eta, E = max eS, a_j of e_j (Zc_k: a over j != k)
function boundRow(S: Float64Array, eS: Float64Array, Z: Float64Array, Zc: Float64Array, row: number, n: number, u: number, eta: number, eZ: Float64Array, eZc: Float64Array): void {
  let E = 0;
  for (let k = row; k < row + n; k++) E = Math.max(E, eS[k]!);
  // ln Z_k = S_k - lse(S) moves by at most 2E when every S moves by at most E (lse is 1-Lipschitz in the max norm)
  const propagated = Math.expm1(2 * E);
  const { m } = shiftOf(S, row, n);
  let sumError = 0; // the sum's relative error, weighted by its terms: sum_j Z_j a_j
  for (let j = row; j < row + n; j++) sumError += Z[j]! * shiftedExpError(S[j]!, m, u);
  const roundings = (n + 2) * u;
  for (let k = row; k < row + n; k++) {
    let othersError = 0; // sum over j != k of Z_j a_j, relative to Zc_k
    for (let j = row; j < row + n; j++) if (j !== k) othersError += Z[j]! * shiftedExpError(S[j]!, m, u);
    const relZ = shiftedExpError(S[k]!, m, u) + sumError + roundings;
    const relZc = (Zc[k]! > 0 ? othersError / Zc[k]! : 0) + sumError + roundings;
    // the rounding at exact S (twice over for slack), then the exact value's own move, from at most Z + rounding
    const rZ = 2 * Z[k]! * relZ + 2 * eta;
    const rZc = 2 * Zc[k]! * relZc + 2 * eta;
    // a softmax output and its complement lie in [0, 1] whatever S is: no error exceeds 1 (plus the roundings), however wide eS
    const most = 1 + 2 * roundings + 2 * eta;
    eZ[k] = Math.min(rZ + (Z[k]! + rZ) * propagated, most);
    eZc[k] = Math.min(rZc + (Zc[k]! + rZc) * propagated, most);
  }
}

/** The textbook softmax and its named cancellation: e^(S_k) / sum_j e^(S_j) without the max shift. */
export interface SoftmaxTextbook {
  /** Z_k = fl(fl(e^S_k) / fl(sum_j fl(e^S_j))), no shift: e^S overflows from S = 709.78 (Inf / Inf = NaN where the truth is finite). */
  row(S: Float64Array, Z: Float64Array, row: number, n: number, round: (x: number) => number): void;
  /** Whether some e^(S_k) of the row overflows, given ln of the largest number (within 4 ulps of the float64 log). */
  overflows(S: Float64Array, row: number, n: number, overflowAt: number): boolean;
}

/** The softmax activation: the row-wise module, with its log-softmax and its textbook form. */
export interface Softmax extends RowwiseActivation {
  /** The float64 shift of one row: index a of the first largest logit, m = S_a, r = sum over j != a of e^(S_j - m). */
  shift(S: ArrayLike<number>, row: number, n: number): { a: number; m: number; r: number };
  readonly exact: RowwiseActivation['exact'] & {
    /** The row's shift exactly: a, m, e_k = e^(S_k - m) (e[k - row]), r. */
    shift<T>(x: Exact<T>, S: readonly T[], row: number, n: number): { a: number; m: T; e: T[]; r: T };
    /** ln Z_k of one row, (S_k - m) - log1p(r), into out[row + k]. */
    logRow<T>(x: Exact<T>, S: readonly T[], row: number, n: number, out: T[]): void;
  };
  /** The relative error of the float64 shifted exponential e^(S_k - m) at exact S (the bound rule's a_k). */
  shiftedExpError(S: number, m: number, u: number): number;
  readonly textbook: SoftmaxTextbook;
}

export const softmax: Softmax = {
  // activation.ts's names do not list 'softmax' yet (issue 12's wiring adds it there)
  name: 'softmax',
  shape: 'rowwise',
  kink: 'none',
  forwardRow,
  shift: shiftOf,
  exact: { row: exactRow, shift: exactShift, logRow: exactLogRow },
  bound: { row: boundRow },
  shiftedExpError,
  textbook: {
    // Z_k = fl(fl(e^S_k) / sum): the named cancellation `softmaxOverflow` (no max shift)
    row(S, Z, row, n, round) {
      let sum = 0;
      for (let k = row; k < row + n; k++) sum = round(sum + round(Math.exp(S[k]!)));
      for (let k = row; k < row + n; k++) Z[k] = round(round(Math.exp(S[k]!)) / sum);
    },
    overflows(S, row, n, overflowAt) {
      for (let k = row; k < row + n; k++) if (S[k]! >= overflowAt * (1 - 4 * 2 ** -53)) return true;
      return false;
    },
  },
};
