/**
 * The shapes of the protocol in `docs/protocol.md` (what travels as JSON) and the packed
 * Float64Array forms the numeric kernels work on.
 *
 * Notation follows the derivation: layer l maps inputs `Y_j` (j < nIn) to outputs
 * `Z_i` (i < nOut) through `S_i = sum_j Y_j W_ji (+ b_i)` and `Z_i = sigma(S_i)`.
 */

/** How the per-sample, per-output losses are combined. */
export type Reduction = 'sum' | 'mean';

/** The reductions the protocol knows, in a fixed order. */
export const REDUCTIONS: readonly Reduction[] = ['sum', 'mean'];

/** The activations of protocol version 2 (`layer.activation`, default "sigmoid"). */
export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'linear' | 'softmax';
/** Every activation, in the protocol's order. */
export const ACTIVATION_NAMES: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'softmax'];
/** The losses of protocol version 2 (`network.loss`, default "bce"). */
export type LossName = 'bce' | 'cce' | 'mse';
/** Every loss, in the protocol's order. */
export const LOSS_NAMES: readonly LossName[] = ['bce', 'cce', 'mse'];
/** Which piece's derivative an implementation takes at an exact kink (S = 0 of relu, leaky_relu). */
export type KinkSide = 'left' | 'right';
/** leaky_relu's slope below 0 when the layer gives none. */
export const DEFAULT_ALPHA = 0.01;

/** One layer as JSON: `weights[j][i]` is `W_ji` (input j, output i). */
export interface LayerJson {
  weights: number[][];
  bias?: number[] | null;
  /** Protocol version 2; default "sigmoid". */
  activation?: ActivationName;
  /** leaky_relu only; default 0.01. */
  alpha?: number;
}

/** A network as JSON (protocol "Network"). `reduction` defaults to "sum", `loss` to "bce". */
export interface NetworkJson {
  layers: LayerJson[];
  reduction?: Reduction;
  loss?: LossName;
}

/** A batch as JSON (protocol "Batch"): `inputs[b][j]`, `targets[b][i]`. */
export interface BatchJson {
  inputs: number[][];
  targets: number[][];
}

/** What an implementation returns for one network and batch (protocol "Result"). */
export interface ResultJson {
  loss: number;
  gradients: LayerJson[];
  outputs?: number[][];
}

/** What an implementation may say of itself (protocol "Description"). */
export interface Description {
  name?: string;
  precision?: 'float64' | 'float32';
  bias?: boolean;
  reductions?: Reduction[];
  maxLayers?: number;
  /** Protocol version 2: the activations it implements (default ["sigmoid"]). */
  activations?: ActivationName[];
  /** Protocol version 2: the losses it implements (default ["bce"]). */
  losses?: LossName[];
  /** Protocol version 2: its derivative at S = 0 of relu / leaky_relu (default "left"). */
  kink?: KinkSide;
}

/** A case: one network and one batch, as JSON. */
export interface CaseJson {
  network: NetworkJson;
  batch: BatchJson;
}

/**
 * One layer, packed: `W[j * nOut + i]` is `W_ji`; `b` is null for a layer without bias.
 */
export interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly W: Float64Array;
  readonly b: Float64Array | null;
  /** The layer's activation; absent means "sigmoid" (every version-1 network). */
  readonly activation?: ActivationName;
  /** leaky_relu's alpha (absent: 0.01); only on a leaky_relu layer. */
  readonly alpha?: number;
}

/** A validated network with at least one layer; consecutive layers fit; softmax only last, and the loss fits the last activation. */
export interface Network {
  readonly layers: readonly Layer[];
  readonly reduction: Reduction;
  /** The loss; absent means "bce" (every version-1 network). */
  readonly loss?: LossName;
}

/** The activation of a layer (its default "sigmoid" filled in). */
export function activationNameOf(layer: Layer): ActivationName {
  return layer.activation ?? 'sigmoid';
}

/** The loss of a network (its default "bce" filled in). */
export function lossNameOf(network: Network): LossName {
  return network.loss ?? 'bce';
}

/** Whether a network is one protocol version 1 could express: sigmoid layers with bce. */
export function isVersion1(network: Network): boolean {
  return lossNameOf(network) === 'bce' && network.layers.every((layer) => activationNameOf(layer) === 'sigmoid');
}

/** A validated batch: `X[b * nIn + j]` inputs, `T[b * nOut + i]` targets (bce, cce: in [0, 1]; mse: any finite). */
export interface Batch {
  readonly size: number;
  readonly nIn: number;
  readonly nOut: number;
  readonly X: Float64Array;
  readonly T: Float64Array;
}

/** Gradients of one layer, laid out like the layer. */
export interface LayerGradient {
  readonly W: Float64Array;
  readonly b: Float64Array | null;
}

/** A network's gradients and loss as float64 (ours or an implementation's). */
export interface Gradients {
  readonly loss: number;
  readonly layers: readonly LayerGradient[];
}

/** A packed case. */
export interface Case {
  readonly network: Network;
  readonly batch: Batch;
}
