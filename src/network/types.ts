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

/** One layer as JSON: `weights[j][i]` is `W_ji` (input j, output i). */
export interface LayerJson {
  weights: number[][];
  bias?: number[] | null;
}

/** A network as JSON (protocol "Network"). `reduction` defaults to "sum". */
export interface NetworkJson {
  layers: LayerJson[];
  reduction?: Reduction;
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
}

/** A validated network with at least one layer; consecutive layers fit. */
export interface Network {
  readonly layers: readonly Layer[];
  readonly reduction: Reduction;
}

/** A validated batch: `X[b * nIn + j]` inputs, `T[b * nOut + i]` targets in [0, 1]. */
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
