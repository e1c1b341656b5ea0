import type { Batch, LayerGradient, Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import { bceKernels } from '../layers/bce.js';
import { modulesOf } from '../layers/index.js';
import { inputsOf, type ForwardPass } from './forward.js';

/** The backward pass: the error signal `delta` of every layer ([B][n_l]) and the gradients. */
export interface BackwardPass {
  readonly delta: Float64Array[];
  readonly layers: LayerGradient[];
}

/**
 * Output delta dE/dS_i = (Z_i - t_i) / divisor, formed as (1-t) Z - t (1-Z) so that a
 * saturated output with a hard target keeps its digits (for t = 1 it is exactly -Zc).
 */
export function outputDelta(Z: number, Zc: number, t: number, divisor: number): number {
  return bceKernels.delta(Z, Zc, t, divisor);
}

/**
 * Backward pass of the derivation:
 *   delta^(L)_i = Z_i - t_i                                  (dE/dZ * dZ/dS, simplified: the head's fused delta)
 *   delta^(l)_j = f'(S_j) * sum_i W^(l+1)_ji delta^(l+1)_i    (sigmoid: Z_j (1 - Z_j), formed as Z * Zc)
 *   dE/dW_ji = sum_b Y_j delta_i,   dE/db_i = sum_b delta_i
 * with the output delta and the slope from the layer modules (`src/layers`).
 */
export function backward(network: Network, batch: Batch, pass: ForwardPass): BackwardPass {
  const B = batch.size;
  const L = network.layers.length;
  const divisor = reductionDivisor(network, batch);
  const modules = modulesOf(network);
  const delta: Float64Array[] = new Array<Float64Array>(L);
  const layers: LayerGradient[] = new Array<LayerGradient>(L);

  const ZL = pass.Z[L - 1]!;
  const ZcL = pass.Zc[L - 1]!;
  const dL = new Float64Array(ZL.length);
  const nL = network.layers[L - 1]!.nOut;
  for (let s = 0; s < B; s++) modules.head.deltaRow(ZL, ZcL, batch.T, s * nL, nL, divisor, dL);
  delta[L - 1] = dL;

  for (let l = L - 1; l >= 0; l--) {
    const { nIn, nOut, W, b } = network.layers[l]!;
    const d = delta[l]!;
    const Y = inputsOf(pass, l);
    // dE/dW_ji = sum_b Y_j delta_i ; dE/db_i = sum_b delta_i
    const GW = new Float64Array(nIn * nOut);
    const Gb = b ? new Float64Array(nOut) : null;
    for (let s = 0; s < B; s++) {
      const row = s * nOut;
      for (let j = 0; j < nIn; j++) {
        const Yj = Y[s * nIn + j]!;
        const Grow = j * nOut;
        for (let i = 0; i < nOut; i++) GW[Grow + i]! += Yj * d[row + i]!;
      }
      if (Gb) for (let i = 0; i < nOut; i++) Gb[i]! += d[row + i]!;
    }
    layers[l] = { W: GW, b: Gb };
    if (l === 0) break;
    // delta^(l-1)_j = f'(S_j) * sum_i W_ji delta_i
    const below = modules.elementwise(l - 1);
    const Zp = pass.Z[l - 1]!;
    const Zcp = pass.Zc[l - 1]!;
    const dp = new Float64Array(B * nIn);
    for (let s = 0; s < B; s++) {
      const row = s * nOut;
      for (let j = 0; j < nIn; j++) {
        const Wrow = j * nOut;
        let g = 0;
        for (let i = 0; i < nOut; i++) g += W[Wrow + i]! * d[row + i]!;
        const k = s * nIn + j;
        dp[k] = below.slope(Zp[k]!, Zcp[k]!) * g;
      }
    }
    delta[l - 1] = dp;
  }
  return { delta, layers };
}
