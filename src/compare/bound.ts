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
/** Relative error of the float64 sigmoid pair Z, Zc (exp to 1 ulp, one add, one divide): 8u. */
const SIGMOID_U = 8 * U64;
/** Relative error of t softplus(-S) + (1-t) softplus(S) at exact S: 8u. */
const LOSS_TERM_U = 8 * U64;

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

/** The bound of the forward pass: eS, eZ, eZc per layer ([B][n_l]). */
interface ForwardBound {
  eS: Float64Array[];
  eZ: Float64Array[];
  eZc: Float64Array[];
}

function forwardBound(network: Network, batch: Batch, pass: ForwardPass): ForwardBound {
  const B = batch.size;
  const eS: Float64Array[] = [];
  const eZ: Float64Array[] = [];
  const eZc: Float64Array[] = [];
  let eY = new Float64Array(batch.X.length); // the inputs are exact
  network.layers.forEach(({ nIn, nOut, W, b }, l) => {
    const Y = inputsOf(pass, l);
    const S = pass.S[l]!;
    const Z = pass.Z[l]!;
    const Zc = pass.Zc[l]!;
    const eSl = new Float64Array(B * nOut);
    const eZl = new Float64Array(B * nOut);
    const eZcl = new Float64Array(B * nOut);
    const g = gamma(nIn + 1);
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
        const e = propagated + g * magnitude + nIn * ETA64;
        // sigma' is largest where |x| is smallest: at max(|S| - eS, 0)
        const moved = slope(Math.max(Math.abs(S[k]!) - e, 0)) * e;
        eSl[k] = e;
        eZl[k] = moved + SIGMOID_U * Z[k]! + ETA64;
        eZcl[k] = moved + SIGMOID_U * Zc[k]! + ETA64;
      }
    }
    eS.push(eSl);
    eZ.push(eZl);
    eZc.push(eZcl);
    eY = eZl;
  });
  return { eS, eZ, eZc };
}

function lossBound(network: Network, batch: Batch, pass: ForwardPass, fb: ForwardBound, E: number): number {
  const L = network.layers.length;
  const S = pass.S[L - 1]!;
  const eS = fb.eS[L - 1]!;
  const T = batch.T;
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
    sumErrors += t * sigma(-s + e) * e + (1 - t) * sigma(s + e) * e + LOSS_TERM_U * term + 4 * ETA64;
  }
  const divisor = reductionDivisor(network, batch);
  const summed = sumErrors + gamma(Math.max(S.length - 1, 0)) * sumTerms;
  return divisor === 1 ? summed : summed / divisor + U64 * Math.abs(E) + ETA64;
}

/**
 * Upper bounds on |reference - exact| for the loss, every gradient entry and the outputs, for the
 * reference's forward pass `pass` of `network` on `batch` (see the module comment for the rules).
 */
export function referenceBound(network: Network, batch: Batch, pass: ForwardPass, E: number): ReferenceBound {
  const B = batch.size;
  const L = network.layers.length;
  const divisor = reductionDivisor(network, batch);
  const fb = forwardBound(network, batch, pass);
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
    const e = (1 - t) * fb.eZ[L - 1]![k]! + t * fb.eZc[L - 1]![k]! + 3 * U64 * magnitude + 2 * ETA64;
    ed[k] = divisor === 1 ? e : e / divisor + U64 * Math.abs(d[k]!) + ETA64;
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
    const gB = gamma(B);
    for (let k = 0; k < eW.length; k++) eW[k] = (eW[k]! + gB * mW[k]! + B * ETA64) * SAFETY;
    if (eb && mb) for (let i = 0; i < nOut; i++) eb[i] = (eb[i]! + gB * mb[i]! + B * ETA64) * SAFETY;
    layers[l] = { W: eW, b: eb };
    if (l === 0) break;

    // delta_j = (Z_j Zc_j) * sum_i W_ji delta_i
    const Zp = pass.Z[l - 1]!;
    const Zcp = pass.Zc[l - 1]!;
    const eZp = fb.eZ[l - 1]!;
    const eZcp = fb.eZc[l - 1]!;
    const gN = gamma(nOut);
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
        eg += gN * mg + nOut * ETA64;
        const k = s * nIn + j;
        const p = Zp[k]! * Zcp[k]!;
        const ep = Zp[k]! * eZcp[k]! + Zcp[k]! * eZp[k]! + eZp[k]! * eZcp[k]! + U64 * p + ETA64;
        dp[k] = p * g;
        edp[k] = p * eg + Math.abs(g) * ep + ep * eg + U64 * Math.abs(p * g) + ETA64;
      }
    }
    d = dp;
    ed = edp;
  }
  const outputs = Float64Array.from(fb.eZ[L - 1]!, (e) => e * SAFETY);
  return { loss: lossBound(network, batch, pass, fb, E) * SAFETY, layers, outputs };
}
