import { modulesOf } from '../layers/index.js';
import type { Batch, Network } from '../network/types.js';
import { FLOAT64 } from './arithmetic.js';
import type { LayerDecay } from './analysis.js';
import type { ForwardPass } from '../reference/forward.js';

/**
 * The typical gain of one backward step for sample b, g = ||diag(f'(S^(l)_b)) W^(l+1)||_F / sqrt(n_(l+1))
 * (f' the slope of layer l's activation, from its module: sigmoid Z Zc):
 * for delta^(l+1) of a uniformly random direction,
 *   E ||sigma' (.) (W^(l+1) delta^(l+1))||^2 = sum_j sigma'_j^2 ||W^(l+1)_j.||^2 ||delta^(l+1)||^2 / n_(l+1),
 * where the bound's factor is the worst case max f' ||W^(l+1)||_F (every f' at its max, delta aligned).
 * `l` is 1-based (a hidden layer, 1 <= l < L).
 */
export function typicalGain(network: Network, pass: ForwardPass, l: number, b: number): number {
  const { nIn, nOut, W } = network.layers[l]!; // W^(l+1): nIn = n_l, nOut = n_(l+1)
  const Z = pass.Z[l - 1]!;
  const Zc = pass.Zc[l - 1]!;
  const f = modulesOf(network).elementwise(l - 1);
  const rows = new Float64Array(nIn);
  for (let j = 0; j < nIn; j++) {
    const k = b * nIn + j;
    rows[j] = f.slope(Z[k]!, Zc[k]!) * FLOAT64.norm(W, j * nOut, (j + 1) * nOut); // f'_j ||W_j.||
  }
  return FLOAT64.norm(rows, 0, nIn) / Math.sqrt(nOut);
}

/**
 * The derived estimate of ||dE/dW^(1)||_F / ||dE/dW^(L)||_F: per sample, delta^(1) ~ prod_l g_l delta^(L)
 * (see {@link typicalGain}), and each gradient taken as sum_b ||Y_b|| ||delta_b|| (no cancellation
 * between samples: exact for one sample). Returns log10 of the estimate.
 */
export function log10GradientRatioEstimate(network: Network, batch: Batch, pass: ForwardPass, decay: readonly LayerDecay<number>[]): number {
  const L = decay.length;
  const first = decay[0]!;
  const last = decay[L - 1]!;
  let numerator = 0;
  let denominator = 0;
  for (let b = 0; b < batch.size; b++) {
    let log10Gain = 0;
    for (let l = 1; l < L; l++) log10Gain += Math.log10(typicalGain(network, pass, l, b));
    const deltaL = last.deltaNorms[b]!;
    numerator += first.inputNorms[b]! * deltaL * 10 ** log10Gain;
    denominator += last.inputNorms[b]! * deltaL;
  }
  return Math.log10(numerator) - Math.log10(denominator);
}
