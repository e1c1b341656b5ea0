import { parseBatch, parseNetwork } from '../../src/network/index.js';
import type { Batch, Network, NetworkJson } from '../../src/network/index.js';

/** A packed network and batch from plain arrays, for hand-written cases. */
export function makeCase(network: NetworkJson, inputs: number[][], targets: number[][]): { network: Network; batch: Batch } {
  const net = parseNetwork(network);
  return { network: net, batch: parseBatch({ inputs, targets }, net) };
}
