import type { Activation, ElementwiseActivation } from './activation.js';
import type { Exact, ExactTarget } from './exact.js';
import type { Head, Loss, TermValues } from './loss.js';

/**
 * Mean squared error E = sum (Z - t)^2 with any elementwise output activation Z = f(S) (not
 * softmax). Its head is made for the activation (`mseHead(f)`) and reads f's own forms:
 *   term  = (Z - t)^2, Z - t formed as (1 - t) - Zc where Zc = 1 - Z is the small side (sigmoid, Z > 1/2):
 *           a saturated output keeps its digits (float64 Z = 1 would give Z - 1 = 0),
 *   delta = dE/dS = 2 (Z - t) f'(S), f' = f.slope(Z, Zc) (the stable slope), magnitude 2 (|Z| + |t|) |f'|,
 *   change of the term when S moves by D: dZ (2 (Z - t) + dZ), dZ = f(S + D) - f(S) by f's own change
 *   identity (a product: no difference of the two squares).
 * "mean" divides by batchSize n_L (the callers pass the divisor). Targets are any finite numbers.
 * The textbook delta 2 (Z - t) f'(Z) with f's textbook slope is not monotone in Z (the slope peaks).
 */

/**
 * What mse needs of sigmoid's exact forward values beyond its module: the exact slope from Z, Zc
 * (sigmoid has no `slopeFromValues`; every other module gives its own, which mse reads first), and
 * that its Zc is 1 - Z (then Z - t is formed as (1 - t) - Zc where Z > 1/2, keeping a saturated
 * output's digits). An activation with neither has no exact mse delta from values.
 */
const FROM_VALUES: Record<string, { slope: <T>(x: Exact<T>, Z: T, Zc: T) => T; complementIsOneMinusZ: boolean }> = {
  // sigma'(S) = Z Zc, Zc = 1 - Z
  sigmoid: { slope: (x, Z, Zc) => x.mul(Z, Zc), complementIsOneMinusZ: true },
};

// term = (Z - t)^2
function term(Z: number, t: number): number {
  const d = Z - t;
  return d * d;
}

/** Whether Z - t is formed as (1 - t) - Zc: Zc = 1 - Z and Z > 1/2 (Zc the small side). */
function fromComplement(f: ElementwiseActivation, Z: number): boolean {
  return FROM_VALUES[f.name]?.complementIsOneMinusZ === true && Z > 0.5;
}

/** The mse head of elementwise activation f (one per activation, made once). */
export function mseHead(f: ElementwiseActivation): Head {
  let head = HEADS.get(f);
  if (!head) HEADS.set(f, (head = makeMseHead(f)));
  return head;
}

const HEADS = new WeakMap<ElementwiseActivation, Head>();

// the head of E = sum (Z - t)^2 with Z = f(S): term, delta 2 (Z - t) f'(S), their exact forms, bounds and textbook forms
function makeMseHead(f: ElementwiseActivation): Head {
  const ownsComplement = FROM_VALUES[f.name]?.complementIsOneMinusZ === true;
  // Z - t, as (1 - t) - Zc where Zc = 1 - Z is the small side (Z > 1/2): no digits of a saturated Z lost
  const minusT = (Z: number, Zc: number, t: number): number => (fromComplement(f, Z) ? 1 - t - Zc : Z - t);
  // the same exactly: tc - Zc where Z > 1/2 and Zc = 1 - Z
  const tanhOutput = f.name === 'tanh';
  const exactMinusT = <T>(x: Exact<T>, Z: T, Zc: T, t: T): T => {
    if (ownsComplement && x.isNeg(x.sub(Zc, Z))) return x.sub(x.sub(x.one, t), Zc);
    // tanh with |Z| > 0.618 (Zc = 1 - Z^2 < |Z|): 1 - |Z| = Zc / (1 + |Z|) keeps its digits where Z - t
    // would cancel at the oracle's precision (|S| above about 60: tanh(S) = 1 - 2e^-2|S| to 176 bits)
    if (tanhOutput && x.isNeg(x.sub(Zc, x.abs(Z)))) {
      const m = x.div(Zc, x.add(x.one, x.abs(Z)));
      // Z > 0: Z - t = (1 - t) - m;  Z < 0: Z - t = m - (1 + t)
      return x.isNeg(Z) ? x.sub(m, x.add(x.one, t)) : x.sub(x.sub(x.one, t), m);
    }
    return x.sub(Z, t);
  };
  // dZ (2 (Z - t) + dZ) = (Z + dZ - t)^2 - (Z - t)^2
  const changeOfSquare = <T>(x: Exact<T>, Zt: T, dZ: T): T => x.mul(dZ, x.add(x.mul(x.add(x.one, x.one), Zt), dZ));

  return {
    loss: 'mse',
    activation: f.name,
    // term = (Z - t)^2, Z - t from the small side
    term: (_S, Z, Zc, t) => {
      const d = minusT(Z, Zc, t);
      return d * d;
    },
    // delta = 2 (Z - t) f'(S) / divisor
    deltaRow(Z, Zc, T, row, n, divisor, out) {
      for (let k = row; k < row + n; k++) {
        const d = 2 * minusT(Z[k]!, Zc[k]!, T[k]!) * f.slope(Z[k]!, Zc[k]!);
        out[k] = divisor === 1 ? d : d / divisor;
      }
    },
    // |delta| <= 2 (|Z| + |t|) |f'|
    deltaMagnitudeRow(Z, Zc, T, row, n, out) {
      for (let k = row; k < row + n; k++) out[k] = 2 * (Math.abs(Z[k]!) + Math.abs(T[k]!)) * Math.abs(f.slope(Z[k]!, Zc[k]!));
    },

    exact: {
      // term = (Z - t)^2 with Z = f(S) exactly (f, sigmoid's e^-|S|, is not needed)
      term<T>(x: Exact<T>, S: T, _f: T, { t }: ExactTarget<T>): T {
        const [Z, Zc] = f.exact.pair(x, S);
        const d = exactMinusT(x, Z, Zc, t);
        return x.mul(d, d);
      },
      // delta = 2 (Z - t) f'(S), magnitude 2 (|Z| + |t|) |f'(S)|, f' from Z, Zc exactly
      deltaRow<T>(x: Exact<T>, Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, d: T[], m: T[]): void {
        const slope = f.exact.slopeFromValues ? (y: Exact<T>, Z: T, Zc: T): T => f.exact.slopeFromValues!(y, Z, Zc) : FROM_VALUES[f.name]?.slope;
        if (!slope) throw new Error(`mse: no exact slope from the forward values of the ${f.name} activation yet`);
        const two = x.add(x.one, x.one);
        for (let k = row; k < row + n; k++) {
          const { t } = target(k);
          const p = slope(x, Z[k]!, Zc[k]!);
          d[k] = x.mul(x.mul(two, exactMinusT(x, Z[k]!, Zc[k]!, t)), p);
          m[k] = x.mul(x.mul(two, x.add(x.abs(Z[k]!), x.abs(t))), x.abs(p));
        }
      },
      // E' - E = dZ (2 (Z - t) + dZ), dZ = f(S + D) - f(S) from f at the moved S itself
      termChange<T>(x: Exact<T>, S: T, D: T, Z: T, Zc: T, { t }: ExactTarget<T>): T {
        if (x.isZero(D)) return x.zero;
        return changeOfSquare(x, exactMinusT(x, Z, Zc, t), f.exact.change(x, S, D, Z, Zc));
      },
      // acc + dZ (2 (Z - t) + dZ), dZ from the unmoved Z, Zc and expm1 of the step alone
      addTermChangeFromValues<T>(x: Exact<T>, acc: T, Z: T, Zc: T, D: T, t: T): T {
        return x.add(acc, changeOfSquare(x, exactMinusT(x, Z, Zc, t), f.exact.changeFromValues(x, Z, Zc, D)));
      },
      // (Z + d - t)^2 - (Z - t)^2 = d (2 (Z - t) + d)
      termChangeInZ<T>(x: Exact<T>, Z: T, Zc: T, d: T, t: T): T {
        return changeOfSquare(x, exactMinusT(x, Z, Zc, t), d);
      },
      // |dE/dZ| <= 2 (|Z| + |t|)
      slopeInZMagnitude<T>(x: Exact<T>, Z: T, _Zc: T, t: T): T {
        return x.mul(x.add(x.one, x.one), x.add(x.abs(Z), x.abs(t)));
      },
    },

    bound: {
      // one difference, one product
      termRoundings: 3,
      // eD of d = Z - t (eZ + u |d|) or (1 - t) - Zc (eZc + u |1 - t| + u |d|); e(d^2) <= 2 |d| eD + eD^2 + 2u term + 2 eta
      termError(S, eS, t, termValue, u, eta) {
        const Z = f.value(S);
        const Zc = f.complement(S);
        const d = Math.abs(minusT(Z, Zc, t));
        const eD = fromComplement(f, Z)
          ? f.bound.propagated(S, eS) + f.bound.roundings * u * Math.abs(Zc) + eta + u * Math.abs(1 - t) + u * d
          : f.bound.propagated(S, eS) + f.bound.roundings * u * Math.abs(Z) + eta + u * d;
        return 2 * d * eD + eD * eD + 2 * u * termValue + 2 * eta;
      },
      // e(2 d p) <= 2 (eD |p| + (|d| + eD) ep) + 4u |d| |p| + 2 eta, d = Z - t within eD (eZ, or eZc + u |1 - t|), ep = f's slopeError
      deltaErrorRow(Z, Zc, eZ, eZc, T, row, n, u, eta, out) {
        for (let k = row; k < row + n; k++) {
          const p = f.slope(Z[k]!, Zc[k]!);
          const ep = f.bound.slopeError(Z[k]!, Zc[k]!, eZ[k]!, eZc[k]!, p, u, eta);
          const d = Math.abs(minusT(Z[k]!, Zc[k]!, T[k]!));
          const eD = (fromComplement(f, Z[k]!) ? eZc[k]! + u * Math.abs(1 - T[k]!) : eZ[k]!) + u * d;
          out[k] = 2 * (eD * Math.abs(p) + (d + eD) * ep) + 4 * u * d * Math.abs(p) + 2 * eta;
        }
      },
    },

    textbook: {
      // delta = fl(fl(fl(2 fl(Z - t)) f'(Z)) / divisor) with f's textbook slope from the rounded Z (its named cancellation); not monotone in Z
      delta(Z, t, divisor, round) {
        const d = round(round(2 * round(Z - t)) * f.textbook.slope(Z, round));
        return divisor === 1 ? d : round(d / divisor);
      },
      // fl(fl(2 fl(Z - t)) p) over Z in [lo, hi]: 2 (Z - t) is increasing, p = f's textbook slope takes
      // [min at an end, its peak where [lo, hi] holds it, else max at an end]: the product's range is
      // among the four corner products (rounding is monotone), then the divisor's
      deltaOver(lo, hi, t, divisor, round) {
        const dLo = round(2 * round(lo - t));
        const dHi = round(2 * round(hi - t));
        const pa = f.textbook.slope(lo, round);
        const pb = f.textbook.slope(hi, round);
        const peak = f.textbook.slopePeak;
        const pLo = Math.min(pa, pb);
        const pHi = lo <= peak.Z && hi >= peak.Z ? peak.value : Math.max(pa, pb);
        const corners = [dLo * pLo, dLo * pHi, dHi * pLo, dHi * pHi].map((x) => (divisor === 1 ? round(x) : round(round(x) / divisor)));
        return [Math.min(...corners), Math.max(...corners)];
      },
      // other orders (2 f' first, Z f' - t f') round differently: 2 uR (|Z| + |t|) |f'| and the slope's own rounding
      deltaOrders(Z, t, divisor, uR) {
        const p = Math.abs(f.textbook.slope(Z, (v) => v));
        return (4 * uR * (Math.abs(Z) + Math.abs(t)) * p) / divisor;
      },
      // fl(fl(2 fl(Z - t)) p) and fl(2 fl(fl(Z p) - fl(t p))), p = f's textbook slope from the rounded Z, then / divisor
      deltaForms(Z, t, divisor, round) {
        const p = f.textbook.slope(Z, round);
        const forms = [round(round(2 * round(Z - t)) * p), round(2 * round(round(Z * p) - round(t * p)))];
        return divisor === 1 ? forms : forms.map((d) => round(d / divisor));
      },
      // (Z - t)^2 over Z in [lo, hi], rounded: decreasing below t, increasing above; no logarithm (form unused)
      term(lo, hi, t, _form, ar): TermValues {
        const sq = (z: number): number => {
          const d = ar.round(z - t);
          return ar.round(d * d);
        };
        const low = lo <= t && t <= hi ? 0 : Math.min(sq(lo), sq(hi));
        return [[low, Math.max(sq(lo), sq(hi))]];
      },
    },
  };
}

/** Mean squared error: defined on every elementwise output (not softmax). */
export const mse: Loss = {
  name: 'mse',
  head: (last: Activation) => (last.shape === 'elementwise' ? mseHead(last) : undefined),
};

/** The scalar float64 kernel, for the reference's exports. */
export const mseKernels = { term };
