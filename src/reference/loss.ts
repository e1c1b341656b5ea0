import type { Batch, Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import type { ForwardPass } from './forward.js';
import { isRowwiseHead, modulesOf } from '../layers/index.js';

/**
 * E = sum_b sum_i term(S_i, t_i), the loss's stable term from the output pre-activations S (bce:
 * -(t ln Z + (1-t) ln(1-Z)) as softplus of the logit, `src/layers/bce.ts`; mse: (Z - t)^2;
 * cce: -sum_i t_i ln softmax(S)_i row by row through log-softmax, `src/layers/cce.ts`),
 * divided by the reduction's divisor ("mean": B n_L, for cce B).
 */
export function loss(network: Network, batch: Batch, pass: ForwardPass): number {
  const L = pass.S.length;
  const S = pass.S[L - 1]!;
  const Z = pass.Z[L - 1]!;
  const Zc = pass.Zc[L - 1]!;
  const T = batch.T;
  const { head } = modulesOf(network);
  let E = 0;
  if (isRowwiseHead(head)) {
    const n = network.layers[L - 1]!.nOut;
    for (let row = 0; row < S.length; row += n) E += head.termRow(S, T, row, n);
  } else {
    for (let k = 0; k < S.length; k++) E += head.term(S[k]!, Z[k]!, Zc[k]!, T[k]!);
  }
  return E / reductionDivisor(network, batch);
}
