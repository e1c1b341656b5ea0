import type { Activation } from './activation.js';
import type { Exact, ExactTarget } from './exact.js';
import type { Loss, RowwiseHead } from './loss.js';
import { U64 } from '../compare/rounding.js';
import { softmax } from './softmax.js';

/**
 * Categorical cross-entropy E = -sum_k t_k ln Z_k with Z = softmax(S), paired with a softmax output
 * (the only pair it allows). Fused with the softmax it is formed from the logits of the row, with
 * m = max S, e_j = e^(S_j - m), r = sum over j != argmax of e_j (so lse(S) = m + log1p(r)):
 *   term  = sum_k t_k (lse(S) - S_k) = sum_k t_k ((m - S_k) + log1p(r)), two non-negative parts
 *           (no cancellation, no ln 0, finite for every finite row however wide its logit gaps);
 *   delta = dE/dS_k = Z_k sum(t) - t_k, formed as Z_k s_k - t_k Zc_k with s_k = sum over j != k
 *           of t_j (two non-negative products; exactly -Zc_k for a one-hot row at k), magnitude
 *           Z_k s_k + t_k Zc_k. The target row need not sum to exactly 1 (protocol: within n 2^-52):
 *           the exact gradient is Z sum(t) - t, and so is this form.
 * Notation: S, Z = softmax(S), Zc = 1 - Z (the other units' share), t the target, D the step of a
 * moved S_k. "mean" divides by batchSize (the callers pass the divisor).
 */

// s_k = sum over j != k of t_j (row-local k)
function othersSum(T: Float64Array, row: number, n: number, k: number): number {
  let s = 0;
  for (let j = row; j < row + n; j++) if (j !== k) s += T[j]!;
  return s;
}

// term = sum_k t_k ((m - S_k) + log1p(r))
function termRow(S: Float64Array, T: Float64Array, row: number, n: number): number {
  const { m, r } = softmax.shift(S, row, n);
  const lp = Math.log1p(r);
  let E = 0;
  for (let k = row; k < row + n; k++) if (T[k]! !== 0) E += T[k]! * (m - S[k]! + lp);
  return E;
}

// delta_k = (Z_k s_k - t_k Zc_k) / divisor
function deltaRow(Z: Float64Array, Zc: Float64Array, T: Float64Array, row: number, n: number, divisor: number, out: Float64Array): void {
  for (let k = row; k < row + n; k++) {
    const d = Z[k]! * othersSum(T, row, n, k) - T[k]! * Zc[k]!;
    out[k] = divisor === 1 ? d : d / divisor;
  }
}

// |delta_k| <= Z_k s_k + t_k Zc_k
function deltaMagnitudeRow(Z: Float64Array, Zc: Float64Array, T: Float64Array, row: number, n: number, out: Float64Array): void {
  for (let k = row; k < row + n; k++) out[k] = Z[k]! * othersSum(T, row, n, k) + T[k]! * Zc[k]!;
}

// s_k = sum over j != k of t_j, exactly to the working precision (a zero target adds nothing)
function exactOthersSum<T>(x: Exact<T>, target: (k: number) => ExactTarget<T>, row: number, n: number, k: number): T {
  let s = x.zero;
  for (let j = row; j < row + n; j++) if (j !== k && target(j).raw !== 0) s = x.add(s, target(j).t);
  return s;
}

// the moved row relative to S_k (softmax and lse - S_k do not see a common shift): S_j - S_k for j != k, D at k
function movedRow<T>(x: Exact<T>, S: readonly T[], row: number, n: number, k: number, D: T): T[] {
  const R = S.slice(row, row + n).map((Sj) => x.sub(Sj, S[k]!));
  R[k - row] = D;
  return R;
}

/**
 * The change of the row's term when S_k moves by D, E' - E = s_k dL + t_k dN, with
 *   dL = lse(S') - lse(S)            = log1p(Z_k expm1(D))     (D >= 0),  -log1p(Z'_k expm1(-D))  (D < 0),
 *   dN = (lse - S_k)' - (lse - S_k)  = -log1p(Zc'_k expm1(D))  (D >= 0),   log1p(Zc_k expm1(-D))  (D < 0),
 * Z', Zc' the softmax of the moved row itself (formed relative to S_k, so the step D enters unrounded):
 * every log1p argument is non-negative (no 1 + a near 0).
 * From |D| = 2^50 on (e^D leaves the BigFloat range near 1.56e15) dL and dN are the direct differences
 * of lse: not cancellation-free where the change is far below the row's lse (a unit moved out of a
 * row it hardly weighs in); the specs verify the identities up to |D| = 1e15.
 */
function termChange<T>(x: Exact<T>, S: readonly T[], Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, k: number, D: T): T {
  if (x.isZero(D)) return x.zero;
  const Sp = movedRow(x, S, row, n, k, D);
  let dL: T;
  let dN: T;
  if (x.top(D) > 50) {
    const lse = (R: readonly T[]): T => {
      const { m, r } = softmax.exact.shift(x, R, 0, n);
      return x.add(m, x.log1p(r));
    };
    const R = S.slice(row, row + n).map((Sj) => x.sub(Sj, S[k]!)); // the unmoved row relative to S_k
    dL = x.sub(lse(Sp), lse(R));
    dN = x.sub(dL, D);
  } else {
    const Zp: T[] = new Array<T>(n);
    const Zcp: T[] = new Array<T>(n);
    softmax.exact.row(x, Sp, 0, n, Zp, Zcp);
    if (!x.isNeg(D)) {
      const ep = x.expm1(D);
      dL = x.log1p(x.mul(Z[k]!, ep));
      dN = x.neg(x.log1p(x.mul(Zcp[k - row]!, ep)));
    } else {
      const em = x.expm1(x.neg(D));
      dL = x.neg(x.log1p(x.mul(Zp[k - row]!, em)));
      dN = x.log1p(x.mul(Zc[k]!, em));
    }
  }
  const tk = target(k);
  const fromOthers = x.mul(exactOthersSum(x, target, row, n, k), dL);
  return tk.raw === 0 ? fromOthers : x.add(fromOthers, tk.raw === 1 ? dN : x.mul(tk.t, dN));
}

/**
 * The change of the row's term when every S_j moves by D_j at once (null: 0), E = sum_k t_k (lse(S) - S_k):
 *   E' - E = sum_k t_k [(lse(S + D) - lse(S)) - D_k] = sum_k t_k log1p(a_k),
 *   a_k    = sum over j != k of Z_j expm1(D_j - D_k)       (lse(S + D) - lse(S) = ln sum_j Z_j e^(D_j)),
 * a sum of products each held to full precision (no difference of the lse values, which cancel to
 * the change; a common shift of the row, D_j = D_k, gives exactly 0). Where some a_k < -1/2 (a unit
 * moved far above the others: never from the oracle's own steps) 1 + a_k would cancel: there the
 * direct difference of the rows' terms, at the moved row rounded to the working precision.
 */
function termChangeOfRow<T>(x: Exact<T>, S: readonly T[], Z: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, D: readonly (T | null)[]): T {
  const Dj = (j: number): T => D[j] ?? x.zero;
  const half = x.div(x.one, x.add(x.one, x.one));
  let E = x.zero;
  for (let k = 0; k < n; k++) {
    const { t, raw } = target(row + k);
    if (raw === 0) continue;
    let a = x.zero;
    for (let j = 0; j < n; j++) {
      if (j === k) continue;
      const g = x.sub(Dj(j), Dj(k));
      if (!x.isZero(g)) a = x.add(a, x.mul(Z[row + j]!, x.expm1(g)));
    }
    if (x.isNeg(x.add(a, half))) return directRowChange(x, S, target, row, n, D);
    const lp = x.log1p(a);
    E = x.add(E, raw === 1 ? lp : x.mul(t, lp));
  }
  return E;
}

// termRow(S + D) - termRow(S), the moved row rounded to the working precision (the large steps' fallback)
function directRowChange<T>(x: Exact<T>, S: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, D: readonly (T | null)[]): T {
  const R = S.slice(row, row + n);
  const Rp = R.map((Sj, j) => (D[j] ? x.add(Sj, D[j]!) : Sj));
  const t = (k: number): ExactTarget<T> => target(row + k);
  return x.sub(cceSoftmax.exact.termRow(x, Rp, t, 0, n), cceSoftmax.exact.termRow(x, R, t, 0, n));
}

export const cceSoftmax: RowwiseHead = {
  shape: 'rowwise',
  loss: 'cce',
  activation: softmax.name,
  termRow,
  deltaRow,
  deltaMagnitudeRow,

  exact: {
    // term = sum_k t_k (-ln Z_k), ln Z_k = (S_k - m) - log1p(r) (a zero target drops its unit exactly)
    termRow<T>(x: Exact<T>, S: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number): T {
      const lnZ: T[] = new Array<T>(S.length);
      softmax.exact.logRow(x, S, row, n, lnZ);
      let E = x.zero;
      for (let k = row; k < row + n; k++) {
        const { t, raw } = target(k);
        if (raw !== 0) E = x.sub(E, raw === 1 ? lnZ[k]! : x.mul(t, lnZ[k]!));
      }
      return E;
    },
    // delta_k = Z_k s_k - t_k Zc_k, magnitude Z_k s_k + t_k Zc_k
    deltaRow<T>(x: Exact<T>, Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, d: T[], m: T[]): void {
      for (let k = row; k < row + n; k++) {
        const { t, raw } = target(k);
        const a = x.mul(Z[k]!, exactOthersSum(x, target, row, n, k));
        const c = raw === 0 ? x.zero : raw === 1 ? Zc[k]! : x.mul(t, Zc[k]!);
        d[k] = x.sub(a, c);
        m[k] = x.add(a, c);
      }
    },
    termChange,
    // acc + s_k log1p(Z_k expm1(D)) + t_k log1p(Zc_k expm1(-D)), expm1(D) = -expm1(-D) / (1 + expm1(-D))
    addTermChangeFromValues<T>(x: Exact<T>, acc: T, Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, k: number, D: T): T {
      const em = x.expm1(x.neg(D));
      const ep = x.div(x.neg(em), x.add(em, x.one));
      const dL = x.log1p(x.mul(Z[k]!, ep));
      const dN = x.log1p(x.mul(Zc[k]!, em));
      return x.add(x.add(acc, x.mul(exactOthersSum(x, target, row, n, k), dL)), x.mul(target(k).t, dN));
    },
    // sum_k t_k log1p(sum over j != k of Z_j expm1(D_j - D_k)): several S of the row moved at once
    termChangeOfRow,
  },

  bound: {
    /**
     * E is convex in S with gradient g_k = Z_k sum(t) - t_k = Z_k s_k - t_k Zc_k (s_k the other
     * targets' sum, Zc_k = 1 - Z_k the others' share: for the hot class of a saturated row no
     * cancellation, as `deltaRow` forms it). Over the box S +- eS every Z_k and Zc_k moves by at most
     * a factor e^(+-2E) (E = max eS: ln Z_k and ln Zc_k are S_k, resp. a log-sum of the others, less
     * lse(S)), so |g_k| <= |Z_k s_k - t_k Zc_k| + (Z_k s_k + t_k Zc_k) expm1(2E), and
     * |dE| <= sum_k max |g_k| eS_k. Z_k, Zc_k are formed here from S in float64 (relative (n + 4) u64
     * each, charged on the magnitude). Rounding, twice over for slack: each part (m - S_k) + log1p(r)
     * is non-negative, so the row's term carries (n + 8) u relative, plus log1p(r)'s share of the
     * sum's error (weighted a_j of softmax).
     */
    termErrorRow(S, eS, T, row, n, term, u, eta) {
      const { m, r } = softmax.shift(S, row, n);
      let E = 0;
      let s = 0;
      for (let k = row; k < row + n; k++) {
        E = Math.max(E, eS[k]!);
        s += T[k]!;
      }
      const sum = 1 + r;
      const grow = Math.expm1(2 * E);
      const e = new Float64Array(n);
      for (let k = row; k < row + n; k++) e[k - row] = Math.exp(S[k]! - m);
      let propagated = 0;
      let rError = 0; // sum over j != argmax of e_j a_j, the absolute error of r
      for (let k = row; k < row + n; k++) {
        const ek = e[k - row]!;
        let others = 0;
        for (let j = 0; j < n; j++) if (j !== k - row) others += e[j]!;
        const Zk = ek / sum;
        const Zck = others / sum;
        const sk = othersSum(T, row, n, k);
        const magnitude = Zk * sk + T[k]! * Zck;
        // and never more than s_k + t_k (Z_k, Zc_k in [0, 1]: the box may be wider than the float64 range of e^(2E))
        const g = magnitude === 0 ? 0 : Math.min(Math.abs(Zk * sk - T[k]! * Zck) + magnitude * (grow + (n + 6) * U64), (sk + T[k]!) * (1 + 2 * U64));
        propagated += g * eS[k]!;
        if (ek < 1) rError += ek * softmax.shiftedExpError(S[k]!, m, u);
      }
      const lpError = rError / sum + n * u * (r / sum); // log1p(r)'s absolute error from r's
      return propagated + 2 * ((n + 8) * u * term + s * lpError) + 4 * n * eta;
    },
    // e(Z_k s_k - t_k Zc_k) <= s_k eZ_k + t_k eZc_k + (n + 2) u (Z_k s_k + t_k Zc_k) + 2 eta
    deltaErrorRow(Z, Zc, eZ, eZc, T, row, n, u, eta, out) {
      for (let k = row; k < row + n; k++) {
        const s = othersSum(T, row, n, k);
        const t = T[k]!;
        out[k] = s * eZ[k]! + t * eZc[k]! + (n + 2) * u * (Z[k]! * s + t * Zc[k]!) + 2 * eta;
      }
    },
  },
};

/** The textbook forms of cce + softmax in a declared precision (`round`), with their named cancellations. */
export const cceTextbook = {
  /** -t ln Z from the rounded softmax output Z (the cancellation `lnRoundedZ`): Inf where Z underflowed to 0, digits lost where Z is subnormal or near 1. */
  termFromZ: (Z: number, t: number, round: (x: number) => number): number => (t === 0 ? 0 : round(-round(t * round(Math.log(Z))))),
  /** dE/dS_k = fl(fl(Z - t) / divisor) from the rounded Z, the target row taken to sum to 1 (the cancellation `outputDelta`: Z near 1, t = 1). Monotone in Z. */
  delta: (Z: number, t: number, divisor: number, round: (x: number) => number): number => (divisor === 1 ? round(Z - t) : round(round(Z - t) / divisor)),
  /** `delta` from one rounded Z in each order of its steps: fl(Z - t), with a divisor fl(fl(Z - t) / d) and fl(fl(Z / d) - fl(t / d)). */
  deltaForms: (Z: number, t: number, divisor: number, round: (x: number) => number): number[] => (divisor === 1 ? [round(Z - t)] : [round(round(Z - t) / divisor), round(round(Z / divisor) - round(t / divisor))]),
  /** lse(S) - S_k as fl(fl(m + fl(ln(sum))) - S_k): the shifted log-sum-exp rounded at |m| before S_k is taken off (the cancellation `lseMinusS`). */
  lseMinusS(S: Float64Array, row: number, n: number, k: number, round: (x: number) => number): number {
    const { m } = softmax.shift(S, row, n);
    let sum = 0;
    for (let j = row; j < row + n; j++) sum = round(sum + round(Math.exp(S[j]! - m)));
    return round(round(m + round(Math.log(sum))) - S[k]!);
  },
  /** -sum_k t_k ln(e^S_k / sum_j e^S_j) with neither shift nor log-softmax (the cancellation `softmaxOverflow`): not finite once some e^S overflows (Inf / Inf, ln 0). */
  termUnshifted(S: Float64Array, T: Float64Array, row: number, n: number, round: (x: number) => number): number {
    const Z = new Float64Array(S.length);
    softmax.textbook.row(S, Z, row, n, round);
    let E = 0;
    for (let k = row; k < row + n; k++) if (T[k]! !== 0) E = round(E - round(T[k]! * round(Math.log(Z[k]!))));
    return E;
  },
};

/** Categorical cross-entropy: defined on a softmax output only. */
export const cce: Loss = {
  name: 'cce',
  head: (last: Activation) => (last === softmax ? cceSoftmax : undefined),
};
