import type { Activation } from './activation.js';
import type { Exact, ExactTarget } from './exact.js';
import type { Head, Loss, TermValues } from './loss.js';
import { sigmoid } from './sigmoid.js';

/**
 * Binary cross-entropy E = -sum (t ln Z + (1 - t) ln(1 - Z)), paired with a sigmoid output (the
 * only pair it allows). Fused with the sigmoid it is formed from the logit S:
 *   term   = t softplus(-S) + (1 - t) softplus(S),  softplus(x) = max(x, 0) + log1p(e^-|x|)
 *            (two non-negative terms: no cancellation, no ln 0, exact for any |S|);
 *   delta  = dE/dS = Z - t, formed as (1 - t) Z - t Zc (exactly -Zc for t = 1), magnitude (1 - t) Z + t Zc.
 * Notation of the derivation: S, Z = sigma(S), Zc = 1 - Z, t the target, D a moved S's step.
 */

// softplus(x) = ln(1 + e^x) = max(x, 0) + log1p(e^-|x|), exact to a few ulps for every x
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

// term = -(t ln Z + (1-t) ln(1-Z)) = t softplus(-S) + (1-t) softplus(S)
function term(S: number, t: number): number {
  return t * softplus(-S) + (1 - t) * softplus(S);
}

// delta = ((1-t) Z - t Zc) / divisor
function delta(Z: number, Zc: number, t: number, divisor: number): number {
  const d = (1 - t) * Z - t * Zc;
  return divisor === 1 ? d : d / divisor;
}

// softplus(y + D) - softplus(y) from sigma(y) = sy, sigma(y + D) = syD: -log1p(sigma(y + D) expm1(-D)) (|D| < 1/2 or D < 0),
// log1p(sigma(y) expm1(D)) (D >= 1/2); positive log1p arguments; from |D| = 2^41 on the direct difference
function softplusChange<T>(x: Exact<T>, y: T, D: T, sy: T, syD: T): T {
  const top = x.top(D); // 2^(top - 1) <= |D| < 2^top
  if (top > 41) return directSoftplusChange(x, y, D);
  if (top <= -1 || x.isNeg(D)) return x.neg(x.log1p(x.mul(syD, x.expm1(x.neg(D)))));
  return x.log1p(x.mul(sy, x.expm1(D)));
}

// softplus(y + D) - softplus(y), softplus(v) = max(v, 0) + log1p(e^-|v|): the terms that do not cancel first
function directSoftplusChange<T>(x: Exact<T>, y: T, D: T): T {
  const yD = x.add(y, D);
  const small = (v: T): T => x.log1p(x.exp(x.neg(x.abs(v)))); // log1p(e^-|v|)
  const upper = !x.isNeg(y);
  const upperD = !x.isNeg(yD);
  if (upper && upperD) return x.add(D, x.sub(small(yD), small(y)));
  if (!upper && !upperD) return x.sub(small(yD), small(y));
  if (upperD) return x.add(yD, x.sub(small(yD), small(y))); // y < 0 <= y + D
  return x.sub(x.sub(small(yD), y), small(y)); // y + D < 0 <= y
}

/** The head of bce with a sigmoid output. */
export const bceSigmoid: Head = {
  loss: 'bce',
  activation: 'sigmoid',
  term: (S, _Z, _Zc, t) => term(S, t),
  deltaRow(Z, Zc, T, row, n, divisor, out) {
    for (let k = row; k < row + n; k++) out[k] = delta(Z[k]!, Zc[k]!, T[k]!, divisor);
  },
  // |delta| <= (1-t) Z + t Zc
  deltaMagnitudeRow(Z, Zc, T, row, n, out) {
    for (let k = row; k < row + n; k++) out[k] = (1 - T[k]!) * Z[k]! + T[k]! * Zc[k]!;
  },

  exact: {
    // term = t softplus(-S) + (1-t) softplus(S) with softplus(+-S) = max(+-S, 0) + log1p(f), f = e^-|S|
    term<T>(x: Exact<T>, S: T, f: T, { t, tc, raw }: ExactTarget<T>): T {
      const lp = x.log1p(f);
      const neg = x.isNeg(S);
      const spPlus = neg ? lp : x.add(S, lp);
      const spMinus = neg ? x.sub(lp, S) : lp;
      return raw === 1 ? spMinus : raw === 0 ? spPlus : x.add(x.mul(t, spMinus), x.mul(tc, spPlus));
    },
    // delta = (1-t) Z - t Zc, magnitude (1-t) Z + t Zc (a hard target drops the vanishing side exactly)
    deltaRow<T>(x: Exact<T>, Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, d: T[], m: T[]): void {
      for (let k = row; k < row + n; k++) {
        const { t, tc, raw } = target(k);
        const a = raw === 0 ? Z[k]! : x.mul(tc, Z[k]!);
        const c = raw === 1 ? Zc[k]! : x.mul(t, Zc[k]!);
        d[k] = raw === 1 ? x.neg(c) : raw === 0 ? a : x.sub(a, c);
        m[k] = raw === 1 ? c : raw === 0 ? a : x.add(a, c);
      }
    },
    // E' - E = t [softplus(-S - D) - softplus(-S)] + (1 - t) [softplus(S + D) - softplus(S)], sigma at the moved S itself
    termChange<T>(x: Exact<T>, S: T, D: T, Z: T, Zc: T, { t, tc, raw }: ExactTarget<T>): T {
      if (x.isZero(D)) return x.zero;
      const [Zp, Zcp] = sigmoid.exact.pair(x, x.moved(S, D));
      let dE = x.zero;
      if (raw !== 0) {
        const dMinus = softplusChange(x, x.neg(S), x.neg(D), Zc, Zcp);
        dE = raw === 1 ? dMinus : x.mul(t, dMinus);
      }
      if (raw !== 1) {
        const dPlus = softplusChange(x, S, D, Z, Zp);
        dE = x.add(dE, raw === 0 ? dPlus : x.mul(tc, dPlus));
      }
      return dE;
    },
    // acc + t log1p(Zc expm1(-D)) + (1-t) log1p(Z expm1(D)), expm1(D) = -expm1(-D) / (1 + expm1(-D))
    addTermChangeFromValues<T>(x: Exact<T>, acc: T, Z: T, Zc: T, D: T, t: T): T {
      const em = x.expm1(x.neg(D));
      const ep = x.div(x.neg(em), x.add(em, x.one));
      const dMinus = x.log1p(x.mul(Zc, em));
      const dPlus = x.log1p(x.mul(Z, ep));
      return x.add(x.add(acc, x.mul(t, dMinus)), x.mul(x.sub(x.one, t), dPlus));
    },
    // -(t ln Z + (1-t) ln Zc) changes by -(t log1p(d/Z) + (1-t) log1p(-d/Zc)) when Z moves by d
    termChangeInZ<T>(x: Exact<T>, Z: T, Zc: T, d: T, t: T): T {
      return x.neg(x.add(x.mul(t, x.log1p(x.div(d, Z))), x.mul(x.sub(x.one, t), x.log1p(x.div(x.neg(d), Zc)))));
    },
    // |dE/dZ| <= ((1-t) Z + t Zc) / (Z Zc)
    slopeInZMagnitude<T>(x: Exact<T>, Z: T, Zc: T, t: T): T {
      return x.div(x.add(x.mul(x.sub(x.one, t), Z), x.mul(t, Zc)), x.mul(Z, Zc));
    },
  },

  bound: {
    termRoundings: 8,
    // softplus' = sigma, increasing: eS sigma(+-S + eS) propagated per side, 8u of the term, a soft target's
    // t S rounded where the other stable form max(S,0) - t S + log1p(e^-|S|) cancels it (backward error u in t)
    termError(S, eS, t, term, u, eta) {
      const softTarget = t > 0 && t < 1 ? u * (t * Math.max(S, 0) + (1 - t) * Math.max(-S, 0)) : 0;
      return t * sigmoid.value(-S + eS) * eS + (1 - t) * sigmoid.value(S + eS) * eS + 8 * u * term + softTarget + 4 * eta;
    },
    // e((1-t) Z - t Zc) <= (1-t) eZ + t eZc + 3u ((1-t) Z + t Zc) + 2 eta: rounding of 1 - t, two products, one difference
    deltaErrorRow(Z, Zc, eZ, eZc, T, row, n, u, eta, out) {
      for (let k = row; k < row + n; k++) {
        const t = T[k]!;
        const magnitude = (1 - t) * Z[k]! + t * Zc[k]!;
        out[k] = (1 - t) * eZ[k]! + t * eZc[k]! + 3 * u * magnitude + 2 * eta;
      }
    },
  },

  textbook: {
    // delta = fl(fl(Z - t) / divisor), Z - t from the rounded Z (the named cancellation `outputDelta`)
    delta: (Z, t, divisor, round) => (divisor === 1 ? round(Z - t) : round(round(Z - t) / divisor)),
    // other orders of the same steps (Z / divisor - t / divisor) round differently
    deltaOrders: (Z, t, divisor, uR) => (uR * (Math.abs(Z) + Math.abs(t))) / divisor,
    // fl(Z - t) (exact where Z is near t), with a divisor fl(fl(Z - t) / d) and fl(fl(Z / d) - fl(t / d))
    deltaForms: (Z, t, divisor, round) => (divisor === 1 ? [round(Z - t)] : [round(round(Z - t) / divisor), round(round(Z / divisor) - round(t / divisor))]),
    /**
     * -(t ln Z + (1 - t) ln(1 - Z)), 1 - Z from the rounded Z, over Z in [lo, hi], the logarithms as
     * `form` takes them (the named cancellations logComplement, logClamp, logClip); empty where no
     * value is finite. Under the clamp the term jumps at Z = 1 (ln 0 clamped to -100, where the
     * smallest 1 - Z below gives only -36.7 in float64): that value is kept apart, not bridged.
     */
    term(lo, hi, t, form, ar): TermValues {
      const negLn = (x: number): number => (form === 'clamp' ? Math.min(-Math.log(x), 100) : -Math.log(x));
      const between = (a: number, b: number): [number, number] => {
        const ca = ar.round(1 - a); // the largest 1 - Z
        const cb = ar.round(1 - b); // the smallest
        const low = (t > 0 ? t * negLn(b) : 0) + (t < 1 ? (1 - t) * negLn(ca) : 0);
        const high = (t > 0 ? t * negLn(a) : 0) + (t < 1 ? (1 - t) * negLn(cb) : 0);
        return [low, high];
      };
      if (form === 'clip') return [between(Math.min(Math.max(lo, ar.clipLow), ar.clipHigh), Math.min(Math.max(hi, ar.clipLow), ar.clipHigh))];
      if (form === 'plain') {
        // ln 0 is -inf and 0 ln 0 is NaN: only the Z in (0, 1) give a finite term
        const a = Math.max(lo, ar.minPositive);
        const b = Math.min(hi, ar.belowOne);
        return a > b ? [] : [between(a, b)];
      }
      if (hi < 1 || t === 1 || lo === 1) return [between(lo, hi)];
      return [between(lo, Math.min(hi, ar.belowOne)), between(1, 1)];
    },
    /**
     * E_i = (1 - t) S - log sigma(S), log sigma(S) = min(S, 0) - log1p(e^-|S|), as PyTorch's
     * BCEWithLogitsLoss forms it (the named cancellation `logits`): the difference cancels where
     * the term is small (a well-classified output), losing u (|(1 - t) S| + |log sigma(S)|).
     */
    logits(S, t, round) {
      const a = round(round(1 - t) * S);
      const b = round(Math.min(S, 0) - round(Math.log1p(round(Math.exp(-Math.abs(S))))));
      const value = round(a - b);
      return { value, scale: 2 * Math.abs(a) + 2 * Math.abs(b) + Math.abs(value) };
    },
  },
};

/** Binary cross-entropy: defined on a sigmoid output only. */
export const bce: Loss = {
  name: 'bce',
  head: (last: Activation) => (last.name === 'sigmoid' ? bceSigmoid : undefined),
};

/** The scalar float64 kernels, for the reference's exports. */
export const bceKernels = { term, delta };
