/**
 * One correct float64 implementation of the protocol with hook points, from which every buggy
 * implementation of the catalogue is made by swapping a hook. Numerically stable like
 * `fixtures/implementations/correct.mjs`: Z and 1 - Z from e^(-|S|), the loss from the logit,
 * the output delta (1 - t) Z - t (1 - Z).
 */
import type { Implementation } from '../iut/types.js';
import type { BatchJson, NetworkJson, ResultJson } from '../network/types.js';

/** What the output-layer hooks see for one sample and unit i. */
export interface OutputUnit {
  readonly S: number;
  readonly Z: number;
  /** 1 - Z, formed without cancellation. */
  readonly Zc: number;
  readonly t: number;
  /** B n_L for "mean", 1 for "sum" (as the `divisor` hook says). */
  readonly divisor: number;
}

/** The places where a derivation can go wrong. */
export interface Hooks {
  /** The reduction's divisor of the summed loss: B n_L for "mean", 1 for "sum". */
  divisor(reduction: 'sum' | 'mean', B: number, nL: number): number;
  /** One output's loss term before the divisor: t softplus(-S) + (1 - t) softplus(S). */
  lossTerm(u: OutputUnit): number;
  /** dE/dS_i at the output: ((1 - t) Z - t (1 - Z)) / divisor. */
  outputDelta(u: OutputUnit): number;
  /** dZ/dS of a hidden unit: Z (1 - Z). */
  slope(u: { S: number; Z: number; Zc: number }): number;
  /** The error reaching hidden unit j: sum_i W_ji delta_i (W is the layer above's [j][i] matrix). */
  backSum(W: readonly (readonly number[])[], delta: readonly number[], j: number): number;
  /** One sample's term of dE/dW_ji: Y_j delta_i (`output`: the layer is the last; Z: unit i's output). */
  weightTerm(q: { Y: number; delta: number; W: number; Z: number; output: boolean }): number;
  /** dE/db_i from unit i's per-sample deltas: their sum. */
  biasGradient(deltas: readonly number[]): number;
}

/** [Z, 1 - Z] = [sigma(S), sigma(-S)], each without cancellation. */
export function sigmoidPair(S: number): [number, number] {
  const f = Math.exp(-Math.abs(S));
  const near = 1 / (1 + f);
  const far = f / (1 + f);
  return S >= 0 ? [near, far] : [far, near];
}

/** ln(1 + e^x), to a few ulps for every x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** The correct hooks: the derivation of the README. */
export const CORRECT_HOOKS: Hooks = {
  divisor: (reduction, B, nL) => (reduction === 'mean' ? B * nL : 1),
  lossTerm: ({ S, t }) => t * softplus(-S) + (1 - t) * softplus(S),
  outputDelta: ({ Z, Zc, t, divisor }) => ((1 - t) * Z - t * Zc) / divisor, // dE/dS = Z - t
  slope: ({ Z, Zc }) => Z * Zc, // dZ/dS = Z (1 - Z)
  backSum: (W, delta, j) => delta.reduce((g, d, i) => g + W[j]![i]! * d, 0), // sum_i W_ji delta_i
  weightTerm: ({ Y, delta }) => Y * delta, // dS/dW_ji = Y_j
  biasGradient: (deltas) => deltas.reduce((g, d) => g + d, 0), // dS/db_i = 1, summed over the batch
};

interface Forward {
  /** Ys[l]: inputs of layer l, [B][n]; Ys[L] the outputs. */
  readonly Ys: number[][][];
  readonly Ss: number[][][];
  readonly Zcs: number[][][];
}

function forward(network: NetworkJson, batch: BatchJson): Forward {
  const Ys = [batch.inputs];
  const Ss: number[][][] = [];
  const Zcs: number[][][] = [];
  for (const layer of network.layers) {
    const Y = Ys[Ys.length - 1]!;
    const S = Y.map((y) => layer.weights[0]!.map((_, i) => y.reduce((sum, yj, j) => sum + yj * layer.weights[j]![i]!, layer.bias?.[i] ?? 0)));
    Ss.push(S);
    Ys.push(S.map((row) => row.map((s) => sigmoidPair(s)[0])));
    Zcs.push(S.map((row) => row.map((s) => sigmoidPair(s)[1])));
  }
  return { Ys, Ss, Zcs };
}

/** Loss, gradients and outputs of a network for a batch, with the given hooks. */
export function hookedGradients(hooks: Hooks, network: NetworkJson, batch: BatchJson): ResultJson {
  const { Ys, Ss, Zcs } = forward(network, batch);
  const L = network.layers.length;
  const B = batch.inputs.length;
  const ZL = Ys[L]!;
  const nL = ZL[0]!.length;
  const divisor = hooks.divisor(network.reduction ?? 'sum', B, nL);
  const unit = (s: number, i: number): OutputUnit => ({ S: Ss[L - 1]![s]![i]!, Z: ZL[s]![i]!, Zc: Zcs[L - 1]![s]![i]!, t: batch.targets[s]![i]!, divisor });
  let E = 0;
  for (let s = 0; s < B; s++) for (let i = 0; i < nL; i++) E += hooks.lossTerm(unit(s, i));
  let delta = ZL.map((row, s) => row.map((_, i) => hooks.outputDelta(unit(s, i))));
  const gradients = new Array<{ weights: number[][]; bias: number[] | null }>(L);
  for (let l = L - 1; l >= 0; l--) {
    const { weights: W, bias } = network.layers[l]!;
    const Y = Ys[l]!;
    const Z = Ys[l + 1]!;
    const d = delta;
    const weights = W.map((row, j) => row.map((w, i) => Y.reduce((g, y, s) => g + hooks.weightTerm({ Y: y[j]!, delta: d[s]![i]!, W: w, Z: Z[s]![i]!, output: l === L - 1 }), 0)));
    gradients[l] = { weights, bias: bias ? bias.map((_, i) => hooks.biasGradient(d.map((row) => row[i]!))) : null };
    if (l === 0) break;
    delta = Y.map((y, s) => y.map((_, j) => hooks.slope({ S: Ss[l - 1]![s]![j]!, Z: y[j]!, Zc: Zcs[l - 1]![s]![j]! }) * hooks.backSum(W, d[s]!, j)));
  }
  return { loss: E / divisor, gradients, outputs: ZL };
}

/** A float64 implementation (protocol "In-process") with some hooks swapped. */
export function buildImplementation(name: string, overrides: Partial<Hooks> = {}): Implementation {
  const hooks: Hooks = { ...CORRECT_HOOKS, ...overrides };
  return {
    describe: () => ({ name, precision: 'float64' }),
    gradients: (network, batch) => hookedGradients(hooks, network, batch),
  };
}
