import type { Batch, Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import type { ForwardPass } from './forward.js';
import { crossEntropyFromLogit } from './sigmoid.js';

/**
 * E = -sum_b sum_i (t_i ln Z_i + (1-t_i) ln(1-Z_i)), from the output logits S (stable for every |S|),
 * divided by B n_L for the "mean" reduction.
 */
export function loss(network: Network, batch: Batch, pass: ForwardPass): number {
  const S = pass.S[pass.S.length - 1]!;
  const T = batch.T;
  let E = 0;
  for (let k = 0; k < S.length; k++) E += crossEntropyFromLogit(S[k]!, T[k]!);
  return E / reductionDivisor(network, batch);
}
