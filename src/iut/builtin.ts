import { gradientsToJson } from '../network/json.js';
import { ACTIVATION_NAMES, LOSS_NAMES, type BatchJson, type NetworkJson, type ResultJson } from '../network/types.js';
import { parseBatch, parseNetwork } from '../network/validate.js';
import { referenceGradients } from '../reference/gradients.js';
import type { Implementation } from './types.js';

/** The built-in float64 reference (src/reference) as an implementation under test: every activation and loss of protocol version 2, the left piece's derivative at a kink. */
export const referenceImplementation: Implementation = {
  describe: () => ({
    name: 'backprop-oracle float64 reference',
    precision: 'float64',
    bias: true,
    reductions: ['sum', 'mean'],
    activations: [...ACTIVATION_NAMES],
    losses: [...LOSS_NAMES],
    kink: 'left',
  }),
  gradients(network: NetworkJson, batch: BatchJson): ResultJson {
    const net = parseNetwork(network);
    const result = referenceGradients(net, parseBatch(batch, net));
    return gradientsToJson(result, net);
  },
};
