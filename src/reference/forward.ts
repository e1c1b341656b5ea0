import { modulesOf } from '../layers/index.js';
import type { Batch, Network } from '../network/types.js';

/** What the forward pass keeps of every layer l: `S`, `Z` and `Zc = 1 - Z`, each [B][n_l]. */
export interface ForwardPass {
  /** The batch's inputs, Y of the first layer. */
  readonly X: Float64Array;
  readonly S: Float64Array[];
  readonly Z: Float64Array[];
  readonly Zc: Float64Array[];
}

/**
 * Forward pass: S_i = sum_j Y_j W_ji (+ b_i), Z_i = f(S_i) and its complement Zc_i (sigmoid: sigma(-S_i))
 * by the layer's activation module (`src/layers`),
 * layer after layer, for every sample. The sum runs in the order b_i, j = 0, 1, ...
 */
export function forward(network: Network, batch: Batch): ForwardPass {
  const B = batch.size;
  const modules = modulesOf(network);
  const S: Float64Array[] = [];
  const Z: Float64Array[] = [];
  const Zc: Float64Array[] = [];
  let Y = batch.X;
  for (let l = 0; l < network.layers.length; l++) {
    const { nIn, nOut, W, b } = network.layers[l]!;
    const activation = modules.activation(l);
    const Sl = new Float64Array(B * nOut);
    const Zl = new Float64Array(B * nOut);
    const Zcl = new Float64Array(B * nOut);
    for (let s = 0; s < B; s++) {
      const row = s * nOut;
      if (b) Sl.set(b, row);
      for (let j = 0; j < nIn; j++) {
        const Yj = Y[s * nIn + j]!;
        if (Yj === 0) continue;
        const Wrow = j * nOut;
        for (let i = 0; i < nOut; i++) Sl[row + i]! += Yj * W[Wrow + i]!;
      }
      activation.forwardRow(Sl, Zl, Zcl, row, nOut);
    }
    S.push(Sl);
    Z.push(Zl);
    Zc.push(Zcl);
    Y = Zl;
  }
  return { X: batch.X, S, Z, Zc };
}

/** Inputs Y of layer l (0-based): the batch for l = 0, else Z of layer l-1. */
export function inputsOf(pass: ForwardPass, l: number): Float64Array {
  return l === 0 ? pass.X : pass.Z[l - 1]!;
}
