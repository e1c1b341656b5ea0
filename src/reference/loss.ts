import type { Batch, Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import type { ForwardPass } from './forward.js';
import { modulesOf } from '../layers/index.js';

/**
 * E = -sum_b sum_i (t_i ln Z_i + (1-t_i) ln(1-Z_i)), from the output logits S (stable for every |S|;
 * the term is the head's, `src/layers/bce.ts`),
 * divided by B n_L for the "mean" reduction.
 */
export function loss(network: Network, batch: Batch, pass: ForwardPass): number {
  const L = pass.S.length;
  const S = pass.S[L - 1]!;
  const Z = pass.Z[L - 1]!;
  const Zc = pass.Zc[L - 1]!;
  const T = batch.T;
  const { head } = modulesOf(network);
  let E = 0;
  for (let k = 0; k < S.length; k++) E += head.term(S[k]!, Z[k]!, Zc[k]!, T[k]!);
  return E / reductionDivisor(network, batch);
}
