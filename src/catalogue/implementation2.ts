/**
 * One correct float64 implementation of protocol version 2 with hook points, from which every
 * version-2 buggy implementation of the catalogue is made by swapping a hook (the version-1
 * mistakes keep `implementation.ts`, so their pins do not move). Every activation and loss, in the
 * stable forms of `fixtures/implementations/v2-correct.mjs`: sigmoid's Z and 1 - Z from e^-|S|,
 * tanh's slope 4 e^-2|S| / (1 + e^-2|S|)^2, softmax with the largest logit subtracted and 1 - Z_i
 * as the other units' shares, cce through log-softmax and its fused delta
 * Z_i (the other targets) - t_i (1 - Z_i), mse's delta 2 (Z - t) f'(S) with Z - t of a sigmoid
 * output near 1 as (1 - t) - (1 - Z). Self-contained on purpose: it stands for a user's code, not
 * for the harness's reference.
 */
import type { Implementation } from '../iut/types.js';
import { sigmoidPair, softplus } from './implementation.js';
import { DEFAULT_ALPHA, type ActivationName, type BatchJson, type LossName, type NetworkJson, type Reduction, type ResultJson } from '../network/types.js';

/** The network family an implementation declares (protocol "Description" activations and losses). */
export interface Family {
  readonly activations: readonly ActivationName[];
  readonly losses: readonly LossName[];
}

/** One elementwise unit as the slope hook sees it. */
export interface Unit {
  readonly activation: Exclude<ActivationName, 'softmax'>;
  readonly S: number;
  readonly Z: number;
  /** 1 - Z for sigmoid (formed without cancellation), else undefined. */
  readonly Zc: number | undefined;
  readonly alpha: number;
}

/** A softmax row's forward values. */
export interface SoftmaxRow {
  readonly Z: number[];
  /** 1 - Z_i as the other units' shares. */
  readonly Zc: number[];
  /** -ln Z_i, through log-softmax. */
  readonly minusLnZ: number[];
}

/** One sample's output row as the loss hooks see it. */
export interface OutputRow {
  readonly loss: LossName;
  readonly activation: ActivationName;
  readonly S: readonly number[];
  readonly Z: readonly number[];
  /** 1 - Z (sigmoid and softmax), else undefined. */
  readonly Zc: readonly number[] | undefined;
  /** f'(S_i) of an elementwise output, null for softmax. */
  readonly slope: readonly number[] | null;
  /** -ln Z_i of a softmax row. */
  readonly minusLnZ: readonly number[] | undefined;
  readonly t: readonly number[];
}

/** The places where a version-2 derivation can go wrong. */
export interface Hooks2 {
  /** The reduction's divisor: B n_L for "mean" (bce, mse), B for cce's "mean", 1 for "sum". */
  divisor(loss: LossName, reduction: Reduction, B: number, nL: number): number;
  /** f'(S) of an elementwise unit (the left piece at a rectifier's kink). */
  slope(u: Unit): number;
  /** Softmax of one row of S. */
  softmax(S: readonly number[]): SoftmaxRow;
  /** One row's loss before the divisor. */
  lossRow(r: OutputRow): number;
  /** One row's output delta dE/dS before the divisor. */
  outputDelta(r: OutputRow): number[];
}

/** The sum of the entries of e but entry i, added directly. */
function others(e: readonly number[], i: number): number {
  let sum = 0;
  for (let j = 0; j < e.length; j++) if (j !== i) sum += e[j]!;
  return sum;
}


/** 1 - tanh(S)^2 = 4 e^-2|S| / (1 + e^-2|S|)^2, without cancellation for any S. */
export function tanhSlope(S: number): number {
  const e = Math.exp(-2 * Math.abs(S));
  const d = 1 + e;
  return (4 * e) / (d * d);
}

/** Z_i = e^(S_i - m) / sum_k e^(S_k - m) with m the largest logit; -ln Z_i = log1p(the others' e, seen from the top) - (S_i - m). */
export function stableSoftmax(S: readonly number[]): SoftmaxRow {
  let m = -Infinity;
  for (const s of S) if (s > m) m = s;
  const e = S.map((s) => Math.exp(s - m));
  let sum = 0;
  for (const x of e) sum += x;
  const lnSum = Math.log1p(others(e, e.indexOf(1)));
  return { Z: e.map((x) => x / sum), Zc: e.map((_, i) => others(e, i) / sum), minusLnZ: S.map((s) => lnSum - (s - m)) };
}

/** Z - t of an mse output, for a sigmoid output near 1 as (1 - t) - (1 - Z). */
export function residual(r: OutputRow, i: number): number {
  return r.Zc && r.Z[i]! > 0.5 ? 1 - r.t[i]! - r.Zc[i]! : r.Z[i]! - r.t[i]!;
}

/** The correct hooks: the derivation of docs/family.md. */
export const CORRECT_HOOKS2: Hooks2 = {
  // bce and mse average over B n_L terms, cce over B rows
  divisor: (loss, reduction, B, nL) => (reduction === 'mean' ? (loss === 'cce' ? B : B * nL) : 1),
  // f'(S); the rectifiers' left piece at S = 0
  slope: ({ activation, S, Z, Zc, alpha }) => {
    switch (activation) {
      case 'sigmoid': return Z * Zc!;
      case 'tanh': return tanhSlope(S);
      case 'relu': return S > 0 ? 1 : 0;
      case 'leaky_relu': return S > 0 ? 1 : alpha;
      case 'linear': return 1;
    }
  },
  softmax: stableSoftmax,
  // bce: sum_i t softplus(-S) + (1 - t) softplus(S); cce: sum_i t_i (-ln Z_i); mse: sum_i (Z - t)^2
  lossRow: (r) => {
    let E = 0;
    for (let i = 0; i < r.t.length; i++) {
      if (r.loss === 'bce') E += r.t[i]! * softplus(-r.S[i]!) + (1 - r.t[i]!) * softplus(r.S[i]!);
      else if (r.loss === 'cce') E += r.t[i]! !== 0 ? r.t[i]! * r.minusLnZ![i]! : 0;
      else E += residual(r, i) ** 2;
    }
    return E;
  },
  // bce: (1 - t) Z - t (1 - Z); cce: Z_i sum(t) - t_i = Z_i (the other targets) - t_i (1 - Z_i); mse: 2 (Z - t) f'(S)
  outputDelta: (r) =>
    r.t.map((t, i) => {
      if (r.loss === 'bce') return (1 - t) * r.Z[i]! - t * r.Zc![i]!;
      if (r.loss === 'cce') return r.Z[i]! * others(r.t, i) - t * r.Zc![i]!;
      return 2 * residual(r, i) * r.slope![i]!;
    }),
};

interface Activated {
  readonly Z: number[];
  readonly Zc: number[] | undefined;
  readonly slope: number[] | null;
  readonly minusLnZ: number[] | undefined;
}

function activate(hooks: Hooks2, activation: ActivationName, alpha: number, S: number[]): Activated {
  if (activation === 'softmax') {
    const r = hooks.softmax(S);
    return { Z: r.Z, Zc: r.Zc, slope: null, minusLnZ: r.minusLnZ };
  }
  const pairs = activation === 'sigmoid' ? S.map(sigmoidPair) : null;
  const value = (s: number, i: number): number => {
    switch (activation) {
      case 'sigmoid': return pairs![i]![0];
      case 'tanh': return Math.tanh(s);
      case 'relu': return s > 0 ? s : 0;
      case 'leaky_relu': return s > 0 ? s : alpha * s;
      case 'linear': return s;
    }
  };
  const Z = S.map(value);
  const Zc = pairs ? pairs.map((p) => p[1]) : undefined;
  return { Z, Zc, slope: S.map((s, i) => hooks.slope({ activation, S: s, Z: Z[i]!, Zc: Zc?.[i], alpha })), minusLnZ: undefined };
}

/** Loss, gradients and outputs of a version-2 network for a batch, with the given hooks. */
export function hookedGradients2(hooks: Hooks2, network: NetworkJson, batch: BatchJson): ResultJson {
  const layers = network.layers;
  const L = layers.length;
  const B = batch.inputs.length;
  const loss = network.loss ?? 'bce';
  const nL = layers[L - 1]!.weights[0]!.length;
  const divisor = hooks.divisor(loss, network.reduction ?? 'sum', B, nL);
  // forward: S = Y W + b, then the layer's activation, per sample
  const Ys: number[][][] = [batch.inputs];
  const Ss: number[][][] = [];
  const As: Activated[][] = [];
  for (const layer of layers) {
    const Y = Ys[Ys.length - 1]!;
    const S = Y.map((y) => layer.weights[0]!.map((_, i) => y.reduce((sum, yj, j) => sum + yj * layer.weights[j]![i]!, layer.bias?.[i] ?? 0)));
    const A = S.map((row) => activate(hooks, layer.activation ?? 'sigmoid', layer.alpha ?? DEFAULT_ALPHA, row));
    Ss.push(S);
    As.push(A);
    Ys.push(A.map((a) => a.Z));
  }
  const activation = layers[L - 1]!.activation ?? 'sigmoid';
  const rows = As[L - 1]!.map((a, s): OutputRow => ({ loss, activation, S: Ss[L - 1]![s]!, Z: a.Z, Zc: a.Zc, slope: a.slope, minusLnZ: a.minusLnZ, t: batch.targets[s]! }));
  const E = rows.reduce((sum, r) => sum + hooks.lossRow(r), 0);
  let delta = rows.map((r) => hooks.outputDelta(r).map((d) => d / divisor));
  const gradients = new Array<{ weights: number[][]; bias: number[] | null }>(L);
  for (let l = L - 1; l >= 0; l--) {
    const { weights: W, bias } = layers[l]!;
    const Y = Ys[l]!;
    const d = delta;
    // dE/dW_ji = sum_s Y_j delta_i, dE/db_i = sum_s delta_i
    gradients[l] = { weights: W.map((row, j) => row.map((_, i) => Y.reduce((g, y, s) => g + y[j]! * d[s]![i]!, 0))), bias: bias ? bias.map((_, i) => d.reduce((g, row) => g + row[i]!, 0)) : null };
    if (l === 0) break;
    // delta_j = f'(S_j) sum_i W_ji delta_i
    delta = Y.map((y, s) => y.map((_, j) => As[l - 1]![s]!.slope![j]! * d[s]!.reduce((g, di, i) => g + W[j]![i]! * di, 0)));
  }
  return { loss: E / divisor, gradients, outputs: As[L - 1]!.map((a) => a.Z) };
}

/** A float64 version-2 implementation (protocol "In-process") declaring `family`, with some hooks swapped. */
export function buildImplementation2(name: string, family: Family, overrides: Partial<Hooks2> = {}): Implementation {
  const hooks: Hooks2 = { ...CORRECT_HOOKS2, ...overrides };
  return {
    describe: () => ({ name, precision: 'float64', activations: [...family.activations], losses: [...family.losses] }),
    gradients: (network, batch) => hookedGradients2(hooks, network, batch),
  };
}
