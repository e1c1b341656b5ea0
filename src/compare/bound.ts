import { bceSigmoid, isRowwiseHead, lossOf, modulesOf, sigmoid, type ElementwiseActivation } from '../layers/index.js';
import type { Batch, KinkSide, Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import { inputsOf, type ForwardPass } from '../reference/forward.js';
import { ETA64, U64, gamma } from './rounding.js';

/**
 * A running error bound for the float64 reference: alongside every value the reference computes,
 * an upper bound on its absolute error is propagated operation by operation (Wilkinson's running
 * error analysis; Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., sec. 3.3).
 * With u = 2^-53, gamma_n = n u / (1 - n u), eta = 2^-1074 (underflow):
 *   dot products  |fl(b + sum Y W) - exact| <= sum |W| eY + gamma_(n+1) (|b| + sum |Y W|) + n eta
 *   sigmoid       eZ <= max_{|x - S| <= eS} sigma'(x) eS + 8u Z + eta   (exp to 1 ulp, +, /)
 *   softplus      propagated eS sigma(x + eS), evaluation 5u, products and 1 - t 3u more;
 *                 a soft target (0 < t < 1) u t max(S, 0) + u (1 - t) max(-S, 0) more (t S rounded
 *                 where another stable form cancels it: a backward error of u in t)
 *   products      e(ab) <= |a| eb + |b| ea + ea eb + u |ab| + eta
 * The activation's and the loss's rules (sigmoid, softplus, output delta, slope) are the layer
 * modules' `bound` parts (`src/layers/*.ts`: each elementwise activation's `propagated`,
 * `complementPropagated`, `roundings`, `slopeError`; softmax's `row`; each head's `termError` /
 * `termErrorRow` and `deltaErrorRow`); this module carries them, for every version-2 network:
 *   elementwise Z  eZ  <= propagated(S, eS) + roundings u |Z| + eta,
 *                  eZc <= complementPropagated(S, eS) (absent: propagated) + roundings u |Zc| + eta
 *                  (|Z|, |Zc|: tanh's, leaky_relu's and linear's Z are negative for S < 0);
 *   a row-wise last layer (softmax): eZ, eZc of the row from its eS (`activation.bound.row`);
 *   an exact zero  S = 0 with every product 0 and no propagated error (zero weights and bias, zero
 *                  inputs) has eS = 0 on a layer with a kink (a rectifier), so that only the declared
 *                  side's slope is correct there (smooth layers keep their n eta: version 1's bounds
 *                  are unchanged).
 * A rectifier's slope bound allows 1 - alpha where [S - eS, S + eS] may cross its kink (eS > 0):
 * either piece's slope is correct there; `kinkCrossings` lists those units and
 * `errorBound(..., { kinkCrossings: false })` the bound without that allowance (`judge.ts` notes a
 * value whose allowance includes one: "near a kink").
 * The bound is rigorous to first order in u for the operations as the reference performs them,
 * and multiplied by SAFETY = 1 + 2^-30 for the rounding of the bound's own evaluation.
 *
 * The backward half is written once, over "balls" (a centre and a radius per value), so that the
 * textbook computations of `textbook.ts` propagate their own centres and radii through the same
 * rules.
 */

export const SAFETY = 1 + 2 ** -30;
/**
 * How many times the stable algorithm's bound an implementation may err and still be called
 * correct. The bound is derived for one order of operations with exp and log1p accurate to one ulp;
 * another stable algorithm may sum in another order (covered: gamma_n holds for any order), use an
 * exp or log accurate to a few ulps (numpy, float32 libraries) or a different but stable loss form
 * (max(S,0) - tS + log1p(e^-|S|), log-sigmoid). Measured on 13 correct implementations that differ
 * from the reference (bench/falseAlarms.mjs, 2000 cases per class and a mixed class): reversed,
 * pairwise, blocked and Kahan sums, fused multiply-adds and float32 with float64 accumulators use at
 * most 0.63 of the derived bound (float32 0.46); exp and log1p 2-4 ulps off and a log-space sigmoid
 * 0.65; in the subnormal range errors and bounds are single multiples of 2^-1074 (ratio <= 1). A
 * factor of 4 leaves a margin of 6x in the normal range and 4x in the subnormal one, while a slip
 * of one part in 1e12 in one float64 gradient entry (1e-5 in float32) still exceeds it.
 */
export const STABLE_SLACK = 4;
/** Relative error of the sigmoid pair Z, Zc (exp to 1 ulp, one add, one divide), in units of u. */
export const SIGMOID_ROUNDINGS = sigmoid.bound.roundings;
/** Relative error of t softplus(-S) + (1-t) softplus(S) at exact S, in units of u. */
export const LOSS_TERM_ROUNDINGS = bceSigmoid.bound.termRoundings;

/** The arithmetic whose errors are bounded. */
export interface BoundOptions {
  /** Unit roundoff: 2^-53 for float64 (default), 2^-24 for float32. */
  readonly u: number;
  /** Underflow unit: 2^-1074 for float64 (default), 2^-149 for float32. */
  readonly eta: number;
  /** Smallest normal number: 2^-1022 for float64, 2^-126 for float32. */
  readonly minNormal: number;
  /**
   * The sigmoid formed as 1 / (1 + e^-S), whose e^-S overflows: a Z below the normal range
   * (S < -709.78 in float64, -88.72 in float32) is lost whole (flushed to 0). Default false.
   */
  readonly flushOverflow?: boolean;
  /**
   * The side whose derivative a rectifier takes at an exact kink S = 0 (the implementation's declared
   * convention, `Description.kink`): the centre of the bound's slopes there. Default 'left'.
   */
  readonly kink?: KinkSide;
  /**
   * Whether a rectifier's slope may be either piece's where [S - eS, S + eS] crosses its kink
   * (the allowance 1 - alpha of its `slopeError`). Default true; false gives the bound without any
   * kink crossing, which `judge.ts` compares with to tell whether a value's allowance includes one.
   */
  readonly kinkCrossings?: boolean;
}

/** Float64, stable: the bound of the reference itself. */
export const FLOAT64_STABLE: BoundOptions = { u: U64, eta: ETA64, minNormal: 2 ** -1022 };

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

/** Centres `c` and radii `r` of a list of values: each value lies in [c - r, c + r]. */
export interface Ball {
  readonly c: Float64Array;
  readonly r: Float64Array;
}

/** sigma(x) for any x, without overflow (the sigmoid module's float64 value). */
export function sigma(x: number): number {
  return sigmoid.value(x);
}

/** The bound of the forward pass per layer ([B][n_l]): eS, eZ, and eZc of Zc computed directly as sigma(-S). */
export interface ForwardBound {
  readonly eS: Float64Array[];
  readonly eZ: Float64Array[];
  readonly eZc: Float64Array[];
}

/**
 * The modules the bound reads for `network` (`modulesOf` with the declared kink side); with
 * `kinkCrossings: false`, each rectifier's slope bound without its kink-crossing allowance (the
 * head made again for such an output: mse reads its activation's slope bound).
 */
interface BoundModules {
  activation(l: number): ReturnType<ReturnType<typeof modulesOf>['activation']>;
  elementwise(l: number): ElementwiseActivation;
  readonly head: ReturnType<typeof modulesOf>['head'];
}

const UNCROSSED = new WeakMap<ElementwiseActivation, ElementwiseActivation>();
/** The activation with its slope bound less the kink-crossing part (itself when it has no kink). */
function uncrossed(a: ElementwiseActivation): ElementwiseActivation {
  const crossing = a.bound.kinkCrossing;
  if (!crossing) return a;
  let u = UNCROSSED.get(a);
  if (!u) {
    const bound = a.bound;
    u = { ...a, bound: { ...bound, slopeError: (Z, Zc, eZ, eZc, p, uu, eta) => bound.slopeError(Z, Zc, eZ, eZc, p, uu, eta) - crossing(Z, Zc, eZ, eZc, eta) } };
    UNCROSSED.set(a, u);
  }
  return u;
}

function boundModules(network: Network, { kink = 'left', kinkCrossings = true }: Pick<BoundOptions, 'kink' | 'kinkCrossings'>): BoundModules {
  const modules = modulesOf(network, kink);
  if (kinkCrossings) return modules;
  const L = network.layers.length;
  const last = modules.activation(L - 1);
  let head = modules.head;
  if (last.shape === 'elementwise' && last.bound.kinkCrossing && !isRowwiseHead(head)) {
    // not pairOf: its cache is keyed by name, and this module is not the network's
    const made = lossOf(head.loss).head(uncrossed(last));
    if (made) head = made;
  }
  return {
    activation: (l) => {
      const a = modules.activation(l);
      return a.shape === 'elementwise' ? uncrossed(a) : a;
    },
    elementwise: (l) => uncrossed(modules.elementwise(l)),
    head,
  };
}

/**
 * eS_i = sum_j |W_ji| eY_j + gamma_(n+1) (|b_i| + sum_j |Y_j W_ji|) + n eta of layer l ([B][n_l]),
 * from the bounds eY of its inputs (the batch's are exact): the dot-product rule. On a layer with a
 * kink (a rectifier) an exact zero, every product 0 and nothing propagated, has eS = 0 (the rest keep
 * n eta: version 1 unchanged). `options`: u and eta of the arithmetic, the kink side.
 */
export function preActivationBound(network: Network, batch: Batch, pass: ForwardPass, l: number, eY: Float64Array, { u, eta, kink = 'left' }: Pick<BoundOptions, 'u' | 'eta' | 'kink'>): Float64Array {
  const { nIn, nOut, W, b } = network.layers[l]!;
  const a = modulesOf(network, kink).activation(l);
  // only a layer with a kink needs to know that its S is exactly 0
  const exactZeros = a.shape === 'elementwise' && a.kink !== 'none';
  const Y = inputsOf(pass, l);
  const B = batch.size;
  const eS = new Float64Array(B * nOut);
  const g = gamma(nIn + 1, u);
  for (let s = 0; s < B; s++) {
    for (let i = 0; i < nOut; i++) {
      let magnitude = b ? Math.abs(b[i]!) : 0;
      let propagated = 0;
      // whether some term is not an exact 0 (a product may underflow to 0 in `magnitude` and still be one)
      let someTerm = magnitude !== 0;
      for (let j = 0; j < nIn; j++) {
        const w = Math.abs(W[j * nOut + i]!);
        const y = Math.abs(Y[s * nIn + j]!);
        magnitude += y * w;
        const ey = eY[s * nIn + j]!;
        propagated += w * ey;
        // a term is not an exact 0 when its product is not, or when its input is uncertain (w ey may underflow to 0)
        if (exactZeros && w !== 0 && (y !== 0 || ey !== 0)) someTerm = true;
      }
      eS[s * nOut + i] = exactZeros && !someTerm && propagated === 0 ? 0 : propagated + g * magnitude + nIn * eta;
    }
  }
  return eS;
}

/**
 * eS of each layer by `preActivationBound`, then eZ, eZc from eS per layer: unit by unit by the
 * elementwise activation's rules, or row by row by a row-wise one's (softmax).
 */
export function forwardBound(network: Network, batch: Batch, pass: ForwardPass, { u, eta, minNormal, flushOverflow = false, kink = 'left' }: BoundOptions): ForwardBound {
  const B = batch.size;
  const eS: Float64Array[] = [];
  const eZ: Float64Array[] = [];
  const eZc: Float64Array[] = [];
  let eY = new Float64Array(batch.X.length); // the inputs are exact
  const modules = modulesOf(network, kink);
  network.layers.forEach(({ nOut }, l) => {
    const a = modules.activation(l);
    const activation = a.shape === 'elementwise' ? a : null;
    const S = pass.S[l]!;
    const Z = pass.Z[l]!;
    const Zc = pass.Zc[l]!;
    const eSl = preActivationBound(network, batch, pass, l, eY, { u, eta, kink });
    const eZl = new Float64Array(B * nOut);
    const eZcl = new Float64Array(B * nOut);
    for (let s = 0; s < B; s++) {
      for (let i = 0; i < nOut; i++) {
        const k = s * nOut + i;
        const e = eSl[k]!;
        if (!activation) continue;
        // max |f'| over [S - eS, S + eS] times eS (sigmoid: sigma' at max(|S| - eS, 0)); Zc by its own rule where declared
        const moved = activation.bound.propagated(S[k]!, e);
        const movedC = activation.bound.complementPropagated ? activation.bound.complementPropagated(S[k]!, e) : moved;
        const z = Math.abs(Z[k]!);
        const zc = Math.abs(Zc[k]!);
        // with e^-S overflowing, a Z below the normal range is lost whole (flushed to 0)
        const flushZ = flushOverflow && z < minNormal ? z : 0;
        const flushZc = flushOverflow && zc < minNormal ? zc : 0;
        eZl[k] = moved + activation.bound.roundings * u * z + eta + flushZ;
        eZcl[k] = movedC + activation.bound.roundings * u * zc + eta + flushZc;
      }
      // a row-wise last layer (softmax): the row's eZ, eZc from the eS of all its units
      if (!activation && a.shape === 'rowwise') a.bound.row(S, eSl, Z, Zc, s * nOut, nOut, u, eta, eZl, eZcl);
    }
    eS.push(eSl);
    eZ.push(eZl);
    eZc.push(eZcl);
    eY = eZl;
  });
  return { eS, eZ, eZc };
}

/** A unit whose pre-activation may lie on either side of its activation's kink: S within eS of it (eS > 0). */
export interface KinkCrossing {
  /** The layer (0-based, as `EntryLocation` counts), the sample and the unit. */
  readonly layer: number;
  readonly sample: number;
  readonly unit: number;
  /** The reference's S and its bound eS in the arithmetic judged. */
  readonly S: number;
  readonly eS: number;
}

/** Every unit of the case whose slope bound allows either piece of a kink (the rectifier's `kinkCrossing` > 0), layer by layer. */
export function kinkCrossings(network: Network, pass: ForwardPass, fb: ForwardBound, { eta, kink = 'left' }: BoundOptions): KinkCrossing[] {
  const modules = modulesOf(network, kink);
  const out: KinkCrossing[] = [];
  network.layers.forEach(({ nOut }, l) => {
    const a = modules.activation(l);
    if (a.shape !== 'elementwise' || !a.bound.kinkCrossing) return;
    const Z = pass.Z[l]!;
    const Zc = pass.Zc[l]!;
    const eZ = fb.eZ[l]!;
    const eZc = fb.eZc[l]!;
    for (let k = 0; k < Z.length; k++) {
      if (a.bound.kinkCrossing(Z[k]!, Zc[k]!, eZ[k]!, eZc[k]!, eta) > 0) out.push({ layer: l, sample: Math.floor(k / nOut), unit: k % nOut, S: pass.S[l]![k]!, eS: fb.eS[l]![k]! });
    }
  });
  return out;
}

/** E = sum of the head's stable terms (bce: t softplus(-S) + (1-t) softplus(S); cce row by row), then / divisor: the stable loss's error bound. */
function lossBound(network: Network, batch: Batch, pass: ForwardPass, fb: ForwardBound, E: number, { u, eta, kink = 'left' }: BoundOptions): number {
  const L = network.layers.length;
  const S = pass.S[L - 1]!;
  const Z = pass.Z[L - 1]!;
  const Zc = pass.Zc[L - 1]!;
  const eS = fb.eS[L - 1]!;
  const T = batch.T;
  const { head } = modulesOf(network, kink);
  let sumErrors = 0;
  let sumTerms = 0;
  let terms = S.length;
  if (isRowwiseHead(head)) {
    const n = network.layers[L - 1]!.nOut;
    terms = S.length / n;
    for (let row = 0; row < S.length; row += n) {
      const term = head.termRow(S, T, row, n);
      sumTerms += Math.abs(term);
      sumErrors += head.bound.termErrorRow(S, eS, T, row, n, term, u, eta);
    }
  } else {
    for (let k = 0; k < S.length; k++) {
      const term = head.term(S[k]!, Z[k]!, Zc[k]!, T[k]!);
      sumTerms += Math.abs(term);
      sumErrors += head.bound.termError(S[k]!, eS[k]!, T[k]!, term, u, eta);
    }
  }
  const divisor = reductionDivisor(network, batch);
  const summed = sumErrors + gamma(Math.max(terms - 1, 0), u) * sumTerms;
  return divisor === 1 ? summed : summed / divisor + u * Math.abs(E) + eta;
}

/** delta^(L), the head's stable output delta (bce: (1-t) Z - t Zc; cce: Z_k s_k - t_k Zc_k; mse: 2 (Z - t) f'), then / divisor, with its bound (the head's `deltaErrorRow`). */
export function stableOutputDelta(network: Network, batch: Batch, pass: ForwardPass, fb: ForwardBound, options: BoundOptions): Ball {
  const { u, eta } = options;
  const L = network.layers.length;
  const divisor = reductionDivisor(network, batch);
  const ZL = pass.Z[L - 1]!;
  const ZcL = pass.Zc[L - 1]!;
  const n = network.layers[L - 1]!.nOut;
  const { head } = boundModules(network, options);
  const d = new Float64Array(ZL.length);
  const ed = new Float64Array(ZL.length);
  for (let row = 0; row < ZL.length; row += n) {
    head.deltaRow(ZL, ZcL, batch.T, row, n, divisor, d);
    head.bound.deltaErrorRow(ZL, ZcL, fb.eZ[L - 1]!, fb.eZc[L - 1]!, batch.T, row, n, u, eta, ed);
  }
  if (divisor !== 1) for (let k = 0; k < ZL.length; k++) ed[k] = ed[k]! / divisor + u * Math.abs(d[k]!) + eta;
  return { c: d, r: ed };
}

/** f'(S_j) of layer l (sigmoid: Z_j Zc_j; tanh: Zc_j; a rectifier: 1 or alpha, the declared side's at S = 0), the stable slope, with its bound (the module's `slopeError`). */
export function stableSlope(network: Network, pass: ForwardPass, fb: ForwardBound, l: number, options: BoundOptions): Ball {
  const { u, eta } = options;
  const activation = boundModules(network, options).elementwise(l);
  const Z = pass.Z[l]!;
  const Zc = pass.Zc[l]!;
  const eZ = fb.eZ[l]!;
  const eZc = fb.eZc[l]!;
  const p = new Float64Array(Z.length);
  const ep = new Float64Array(Z.length);
  for (let k = 0; k < Z.length; k++) {
    p[k] = activation.slope(Z[k]!, Zc[k]!);
    ep[k] = activation.bound.slopeError(Z[k]!, Zc[k]!, eZ[k]!, eZc[k]!, p[k]!, u, eta);
  }
  return { c: p, r: ep };
}

/** What the backward pass is run on: the inputs and slopes of each layer and the output delta, each a ball. */
export interface BackwardModel {
  /** Inputs Y of layer l >= 1 (those of layer 0, the batch, are exact). */
  readonly Y: (l: number) => Ball;
  /** The slope f'(S) of hidden layer l (l < L - 1). */
  readonly slope: (l: number) => Ball;
  /** dE/dS of the last layer, divided by the reduction's divisor. */
  readonly delta: Ball;
  /** The rounding unit and underflow unit charged per operation. */
  readonly u: number;
  readonly eta: number;
}

/** The gradients of one layer as balls: centres sum_b Y_j delta_i and sum_b delta_i, with their radii. */
export interface LayerBall {
  readonly W: Ball;
  readonly b: Ball | null;
}

/**
 * The backward pass over balls:
 *   dE/dW_ji = sum_b Y_j delta_i: propagated radii plus gamma_B of the magnitudes;
 *   delta_j = slope_j * sum_i W_ji delta_i: propagated radii, gamma_n of the magnitudes, one product.
 * Radii are multiplied by SAFETY for the rounding of their own evaluation.
 */
export function backwardBall(network: Network, batch: Batch, model: BackwardModel): LayerBall[] {
  const { u, eta } = model;
  const B = batch.size;
  const L = network.layers.length;
  const layers = new Array<LayerBall>(L);
  let { c: d, r: ed } = model.delta;
  for (let l = L - 1; l >= 0; l--) {
    const { nIn, nOut, W, b } = network.layers[l]!;
    const Yball = l === 0 ? null : model.Y(l);
    const Y = Yball ? Yball.c : batch.X;
    const eY = Yball ? Yball.r : null;
    const cW = new Float64Array(nIn * nOut);
    const eW = new Float64Array(nIn * nOut);
    const mW = new Float64Array(nIn * nOut);
    const cb = b ? new Float64Array(nOut) : null;
    const eb = b ? new Float64Array(nOut) : null;
    const mb = b ? new Float64Array(nOut) : null;
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) {
        const yv = Y[s * nIn + j]!;
        const y = Math.abs(yv);
        const ey = eY ? eY[s * nIn + j]! : 0;
        for (let i = 0; i < nOut; i++) {
          const k = s * nOut + i;
          const dd = Math.abs(d[k]!);
          cW[j * nOut + i]! += yv * d[k]!;
          eW[j * nOut + i]! += y * ed[k]! + dd * ey + ey * ed[k]!;
          mW[j * nOut + i]! += y * dd;
        }
      }
      if (cb && eb && mb) {
        for (let i = 0; i < nOut; i++) {
          cb[i]! += d[s * nOut + i]!;
          eb[i]! += ed[s * nOut + i]!;
          mb[i]! += Math.abs(d[s * nOut + i]!);
        }
      }
    }
    const gB = gamma(B, u);
    for (let k = 0; k < eW.length; k++) eW[k] = (eW[k]! + gB * mW[k]! + B * eta) * SAFETY;
    if (eb && mb) for (let i = 0; i < nOut; i++) eb[i] = (eb[i]! + gB * mb[i]! + B * eta) * SAFETY;
    layers[l] = { W: { c: cW, r: eW }, b: cb && eb ? { c: cb, r: eb } : null };
    if (l === 0) break;

    // delta_j = slope_j * sum_i W_ji delta_i
    const { c: P, r: eP } = model.slope(l - 1);
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
        const p = P[k]!;
        const ep = eP[k]!;
        dp[k] = p * g;
        edp[k] = Math.abs(p) * eg + Math.abs(g) * ep + ep * eg + u * Math.abs(p * g) + eta;
      }
    }
    d = dp;
    ed = edp;
  }
  return layers;
}

/**
 * Upper bounds on |reference - exact| for the loss, every gradient entry and the outputs, for the
 * reference's forward pass `pass` of `network` on `batch` (see the module comment for the rules).
 */
export function referenceBound(network: Network, batch: Batch, pass: ForwardPass, E: number): ReferenceBound {
  return errorBound(network, batch, pass, E, FLOAT64_STABLE);
}

/**
 * Upper bounds on the error of a stable algorithm with unit roundoff `options.u` that computes the
 * loss, gradients and outputs of `network` on `batch`, evaluated at the reference's forward pass
 * `pass` (whose values stand in for the exact ones: they differ from them by far less than the
 * bounds). Any summation order is covered: gamma_n bounds hold for all.
 */
export function errorBound(network: Network, batch: Batch, pass: ForwardPass, E: number, options: BoundOptions): ReferenceBound {
  return boundsFrom(network, batch, pass, E, forwardBound(network, batch, pass, options), options);
}

/** The loss, gradient and output bounds from the forward bound `fb`. */
function boundsFrom(network: Network, batch: Batch, pass: ForwardPass, E: number, fb: ForwardBound, options: BoundOptions): ReferenceBound {
  const L = network.layers.length;
  const model: BackwardModel = {
    Y: (l) => ({ c: pass.Z[l - 1]!, r: fb.eZ[l - 1]! }),
    slope: (l) => stableSlope(network, pass, fb, l, options),
    delta: stableOutputDelta(network, batch, pass, fb, options),
    u: options.u,
    eta: options.eta,
  };
  const layers = backwardBall(network, batch, model).map(({ W, b }): LayerBound => ({ W: W.r, b: b ? b.r : null }));
  const outputs = Float64Array.from(fb.eZ[L - 1]!, (e) => e * SAFETY);
  return { loss: lossBound(network, batch, pass, fb, E, options) * SAFETY, layers, outputs };
}

/** The error bound with what its kink crossings add: the units that may cross, and the bound without any crossing (null when none may). */
export interface KinkedBound {
  readonly bound: ReferenceBound;
  readonly crossings: readonly KinkCrossing[];
  readonly uncrossed: ReferenceBound | null;
}

/**
 * `errorBound` (with `options.kinkCrossings` as given, default true), the units whose
 * pre-activation may cross a kink, and, where there are any, the bound without their allowance:
 * an entry whose bound is larger than that one's has a kink crossing in its allowance.
 */
export function errorBoundWithKinks(network: Network, batch: Batch, pass: ForwardPass, E: number, options: BoundOptions): KinkedBound {
  const fb = forwardBound(network, batch, pass, options);
  const bound = boundsFrom(network, batch, pass, E, fb, options);
  const crossings = options.kinkCrossings === false ? [] : kinkCrossings(network, pass, fb, options);
  const uncrossed = crossings.length === 0 ? null : boundsFrom(network, batch, pass, E, fb, { ...options, kinkCrossings: false });
  return { bound, crossings, uncrossed };
}
