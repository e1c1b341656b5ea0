import type { Batch, Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import { inputsOf, type ForwardPass } from '../reference/forward.js';
import { outputDelta } from '../reference/backward.js';
import { ETA64, U64, gamma } from './rounding.js';

/**
 * A running error bound for the float64 reference: alongside every value the reference computes,
 * an upper bound on its absolute error is propagated operation by operation (Wilkinson's running
 * error analysis; Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., sec. 3.3).
 * With u = 2^-53, gamma_n = n u / (1 - n u), eta = 2^-1074 (underflow):
 *   dot products  |fl(b + sum Y W) - exact| <= sum |W| eY + gamma_(n+1) (|b| + sum |Y W|) + n eta
 *   sigmoid       eZ <= max_{|x - S| <= eS} sigma'(x) eS + 8u Z + eta   (exp to 1 ulp, +, /)
 *   softplus      propagated eS sigma(x + eS), evaluation 5u, products and 1 - t 3u more
 *   products      e(ab) <= |a| eb + |b| ea + ea eb + u |ab| + eta
 * The bound is rigorous to first order in u for the operations as the reference performs them,
 * and multiplied by SAFETY = 1 + 2^-30 for the rounding of the bound's own evaluation.
 */

const SAFETY = 1 + 2 ** -30;
/** Relative error of the sigmoid pair Z, Zc (exp to 1 ulp, one add, one divide), in units of u. */
const SIGMOID_ROUNDINGS = 8;
/** Relative error of t softplus(-S) + (1-t) softplus(S) at exact S, in units of u. */
const LOSS_TERM_ROUNDINGS = 8;

/**
 * The textbook algorithm's cancellations, each of which can be switched on to bound what an
 * implementation that makes it can lose (PyTorch's sigmoid + BCELoss, TensorFlow.js):
 * - `slope`: sigma'(S) = Z (1 - Z) with 1 - Z formed from the rounded Z (a saturated hidden unit);
 * - `outputDelta`: the output delta Z - t from the rounded Z (an output saturated toward its target);
 * - `logComplement`: the loss -(t ln Z + (1-t) ln(1 - Z)) from the rounded Z (ln(1 - Z) near saturation);
 * - `sigmoidOverflow`: Z = 1 / (1 + e^-S) with e^-S overflowing, so a Z below the normal range
 *   (S < -709.78 in float64, -88.72 in float32) becomes 0.
 */
export interface Cancellations {
  readonly slope: boolean;
  readonly outputDelta: boolean;
  readonly logComplement: boolean;
  readonly sigmoidOverflow: boolean;
}

/** The arithmetic whose errors are bounded: unit roundoff, underflow unit, and cancellations made. */
export interface BoundOptions {
  /** Unit roundoff: 2^-53 for float64 (default), 2^-24 for float32. */
  readonly u: number;
  /** Underflow unit: 2^-1074 for float64 (default), 2^-149 for float32. */
  readonly eta: number;
  /** Smallest normal number: 2^-1022 for float64, 2^-126 for float32. */
  readonly minNormal: number;
  /**
   * With `logComplement`: below this Z (or 1 - Z) textbook losses clamp the logarithm, so their
   * term can take any finite value: PyTorch's BCELoss clamps ln at -100 (Z < e^-100), TensorFlow
   * clips Z to [1e-7, 1 - 1e-7]. Default e^-100 for float64, 1e-7 for float32.
   */
  readonly logClamp?: number;
  /** Which textbook cancellations the algorithm makes (default: none, the stable algorithm). */
  readonly cancellations: Cancellations;
}

/** No cancellation: the stable algorithm of `src/reference`. */
export const STABLE: Cancellations = { slope: false, outputDelta: false, logComplement: false, sigmoidOverflow: false };
/** Every cancellation of the textbook algorithm. */
export const TEXTBOOK: Cancellations = { slope: true, outputDelta: true, logComplement: true, sigmoidOverflow: true };
/** Float64, stable: the bound of the reference itself. */
export const FLOAT64_STABLE: BoundOptions = { u: U64, eta: ETA64, minNormal: 2 ** -1022, logClamp: Math.exp(-100), cancellations: STABLE };

/** Error bounds of one layer's gradients, laid out like the layer. */
export interface LayerBound {
  readonly W: Float64Array;
  readonly b: Float64Array | null;
}

/** Error bounds and magnitudes of everything the reference returns. */
export interface ReferenceBound {
  readonly loss: number;
  readonly layers: LayerBound[];
  /** Error bounds of the outputs Z of the last layer, [B][n_L]. */
  readonly outputs: Float64Array;
}

/** sigma'(x) = sigma(x) sigma(-x), decreasing in |x|. */
function slope(x: number): number {
  const f = Math.exp(-Math.abs(x));
  return f / ((1 + f) * (1 + f));
}

/** sigma(x) for any x, without overflow. */
function sigma(x: number): number {
  const f = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + f) : f / (1 + f);
}

/**
 * The bound of the forward pass per layer ([B][n_l]): eS, eZ, and the error of 1 - Z two ways:
 * `eZc` computed directly as sigma(-S) (stable), `eZcRounded` formed as 1 - Z from the rounded Z.
 */
interface ForwardBound {
  eS: Float64Array[];
  eZ: Float64Array[];
  eZc: Float64Array[];
  eZcRounded: Float64Array[];
}

function forwardBound(network: Network, batch: Batch, pass: ForwardPass, { u, eta, minNormal, cancellations }: BoundOptions): ForwardBound {
  const B = batch.size;
  const eS: Float64Array[] = [];
  const eZ: Float64Array[] = [];
  const eZc: Float64Array[] = [];
  const eZcRounded: Float64Array[] = [];
  let eY = new Float64Array(batch.X.length); // the inputs are exact
  network.layers.forEach(({ nIn, nOut, W, b }, l) => {
    const Y = inputsOf(pass, l);
    const S = pass.S[l]!;
    const Z = pass.Z[l]!;
    const Zc = pass.Zc[l]!;
    const eSl = new Float64Array(B * nOut);
    const eZl = new Float64Array(B * nOut);
    const eZcl = new Float64Array(B * nOut);
    const eZrl = new Float64Array(B * nOut);
    const g = gamma(nIn + 1, u);
    for (let s = 0; s < B; s++) {
      for (let i = 0; i < nOut; i++) {
        let magnitude = b ? Math.abs(b[i]!) : 0;
        let propagated = 0;
        for (let j = 0; j < nIn; j++) {
          const w = Math.abs(W[j * nOut + i]!);
          magnitude += Math.abs(Y[s * nIn + j]!) * w;
          propagated += w * eY[s * nIn + j]!;
        }
        const k = s * nOut + i;
        const e = propagated + g * magnitude + nIn * eta;
        // sigma' is largest where |x| is smallest: at max(|S| - eS, 0)
        const moved = slope(Math.max(Math.abs(S[k]!) - e, 0)) * e;
        eSl[k] = e;
        // with e^-S overflowing, a Z below the normal range is lost whole (flushed to 0)
        const flushZ = cancellations.sigmoidOverflow && Z[k]! < minNormal ? Z[k]! : 0;
        const flushZc = cancellations.sigmoidOverflow && Zc[k]! < minNormal ? Zc[k]! : 0;
        eZl[k] = moved + SIGMOID_ROUNDINGS * u * Z[k]! + eta + flushZ;
        eZcl[k] = moved + SIGMOID_ROUNDINGS * u * Zc[k]! + eta + flushZc;
        // 1 - Z from a rounded Z errs by Z's whole absolute error, however small 1 - Z is
        eZrl[k] = eZl[k]! + u * (Z[k]! + Zc[k]!) + eta;
      }
    }
    eS.push(eSl);
    eZ.push(eZl);
    eZc.push(eZcl);
    eZcRounded.push(eZrl);
    eY = eZl;
  });
  return { eS, eZ, eZc, eZcRounded };
}

function lossBound(network: Network, batch: Batch, pass: ForwardPass, fb: ForwardBound, E: number, { u, eta, cancellations, logClamp = 0 }: BoundOptions): number {
  const L = network.layers.length;
  const S = pass.S[L - 1]!;
  const eS = fb.eS[L - 1]!;
  const T = batch.T;
  const Z = pass.Z[L - 1]!;
  const Zc = pass.Zc[L - 1]!;
  let sumErrors = 0;
  let sumTerms = 0;
  for (let k = 0; k < S.length; k++) {
    const s = S[k]!;
    const e = eS[k]!;
    const t = T[k]!;
    // softplus' = sigma, increasing: the largest slope on [s - e, s + e] is at the right end
    const tail = Math.log1p(Math.exp(-Math.abs(s)));
    const spPlus = Math.max(s, 0) + tail; // softplus(S)
    const spMinus = Math.max(-s, 0) + tail; // softplus(-S)
    const term = t * spMinus + (1 - t) * spPlus;
    sumTerms += term;
    if (cancellations.logComplement) {
      // ln Z and ln(1 - Z) of rounded values: relative errors eZ/Z, eZc/Zc; nothing is left once
      // the error reaches half the value (ln of 0, or of a value that is all rounding)
      const eZ = fb.eZ[L - 1]![k]!;
      const eZc = fb.eZcRounded[L - 1]![k]!;
      const lost = (t > 0 && (2 * eZ >= Z[k]! || Z[k]! < logClamp)) || (t < 1 && (2 * eZc >= Zc[k]! || Zc[k]! < logClamp));
      sumErrors += lost ? Number.POSITIVE_INFINITY : (t > 0 ? (t * eZ) / (Z[k]! - eZ) : 0) + (t < 1 ? ((1 - t) * eZc) / (Zc[k]! - eZc) : 0) + LOSS_TERM_ROUNDINGS * u * term + 4 * eta;
    } else {
      sumErrors += t * sigma(-s + e) * e + (1 - t) * sigma(s + e) * e + LOSS_TERM_ROUNDINGS * u * term + 4 * eta;
    }
  }
  const divisor = reductionDivisor(network, batch);
  const summed = sumErrors + gamma(Math.max(S.length - 1, 0), u) * sumTerms;
  return divisor === 1 ? summed : summed / divisor + u * Math.abs(E) + eta;
}

/**
 * Upper bounds on |reference - exact| for the loss, every gradient entry and the outputs, for the
 * reference's forward pass `pass` of `network` on `batch` (see the module comment for the rules).
 */
export function referenceBound(network: Network, batch: Batch, pass: ForwardPass, E: number): ReferenceBound {
  return errorBound(network, batch, pass, E, FLOAT64_STABLE);
}

/**
 * Upper bounds on the error of an algorithm with unit roundoff `options.u` that computes the
 * loss, gradients and outputs of `network` on `batch`, making the cancellations `options.cancellations`,
 * evaluated at the reference's forward pass `pass` (whose values stand in for the exact ones: they
 * differ from them by far less than the bounds). Any summation order is covered: gamma_n bounds hold for all.
 */
export function errorBound(network: Network, batch: Batch, pass: ForwardPass, E: number, options: BoundOptions): ReferenceBound {
  const { u, eta, cancellations } = options;
  const B = batch.size;
  const L = network.layers.length;
  const divisor = reductionDivisor(network, batch);
  const fb = forwardBound(network, batch, pass, options);
  const layers = new Array<LayerBound>(L);

  // output delta (1-t) Z - t Zc (then / divisor): rounding of 1-t, two products, one difference
  const ZL = pass.Z[L - 1]!;
  const ZcL = pass.Zc[L - 1]!;
  let d = new Float64Array(ZL.length);
  let ed = new Float64Array(ZL.length);
  for (let k = 0; k < ZL.length; k++) {
    const t = batch.T[k]!;
    const magnitude = (1 - t) * ZL[k]! + t * ZcL[k]!;
    d[k] = outputDelta(ZL[k]!, ZcL[k]!, t, divisor);
    // Z - t from a rounded Z errs by Z's absolute error plus a rounding of the difference
    const e = cancellations.outputDelta
      ? fb.eZ[L - 1]![k]! + u * (ZL[k]! + t) + eta
      : (1 - t) * fb.eZ[L - 1]![k]! + t * fb.eZc[L - 1]![k]! + 3 * u * magnitude + 2 * eta;
    ed[k] = divisor === 1 ? e : e / divisor + u * Math.abs(d[k]!) + eta;
  }

  for (let l = L - 1; l >= 0; l--) {
    const { nIn, nOut, W, b } = network.layers[l]!;
    const Y = inputsOf(pass, l);
    const eY = l === 0 ? null : fb.eZ[l - 1]!;
    // dE/dW_ji = sum_b Y_j delta_i: propagated errors plus gamma_B of the magnitudes
    const eW = new Float64Array(nIn * nOut);
    const mW = new Float64Array(nIn * nOut);
    const eb = b ? new Float64Array(nOut) : null;
    const mb = b ? new Float64Array(nOut) : null;
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) {
        const y = Math.abs(Y[s * nIn + j]!);
        const ey = eY ? eY[s * nIn + j]! : 0;
        for (let i = 0; i < nOut; i++) {
          const k = s * nOut + i;
          const dd = Math.abs(d[k]!);
          eW[j * nOut + i]! += y * ed[k]! + dd * ey + ey * ed[k]!;
          mW[j * nOut + i]! += y * dd;
        }
      }
      if (eb && mb) {
        for (let i = 0; i < nOut; i++) {
          eb[i]! += ed[s * nOut + i]!;
          mb[i]! += Math.abs(d[s * nOut + i]!);
        }
      }
    }
    const gB = gamma(B, u);
    for (let k = 0; k < eW.length; k++) eW[k] = (eW[k]! + gB * mW[k]! + B * eta) * SAFETY;
    if (eb && mb) for (let i = 0; i < nOut; i++) eb[i] = (eb[i]! + gB * mb[i]! + B * eta) * SAFETY;
    layers[l] = { W: eW, b: eb };
    if (l === 0) break;

    // delta_j = (Z_j Zc_j) * sum_i W_ji delta_i
    const Zp = pass.Z[l - 1]!;
    const Zcp = pass.Zc[l - 1]!;
    const eZp = fb.eZ[l - 1]!;
    const eZcp = cancellations.slope ? fb.eZcRounded[l - 1]! : fb.eZc[l - 1]!;
    const gN = gamma(nOut, u);
    const dp = new Float64Array(B * nIn);
    const edp = new Float64Array(B * nIn);
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) {
        let g = 0;
        let eg = 0;
        let mg = 0;
        for (let i = 0; i < nOut; i++) {
          const w = W[j * nOut + i]!;
          const k = s * nOut + i;
          g += w * d[k]!;
          eg += Math.abs(w) * ed[k]!;
          mg += Math.abs(w * d[k]!);
        }
        eg += gN * mg + nOut * eta;
        const k = s * nIn + j;
        const p = Zp[k]! * Zcp[k]!;
        const ep = Zp[k]! * eZcp[k]! + Zcp[k]! * eZp[k]! + eZp[k]! * eZcp[k]! + u * p + eta;
        dp[k] = p * g;
        edp[k] = p * eg + Math.abs(g) * ep + ep * eg + u * Math.abs(p * g) + eta;
      }
    }
    d = dp;
    ed = edp;
  }
  const outputs = Float64Array.from(fb.eZ[L - 1]!, (e) => e * SAFETY);
  return { loss: lossBound(network, batch, pass, fb, E, options) * SAFETY, layers, outputs };
}
