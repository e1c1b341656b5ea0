import { describe, expect, it } from 'vitest';
import { parseBatch, parseNetwork } from '../../src/network/validate.js';
import { cloneNetwork, step } from '../../src/reference/step.js';
import { train } from '../../src/reference/train.js';
import { forward } from '../../src/reference/forward.js';
import { loss } from '../../src/reference/loss.js';
import { referenceGradients } from '../../src/reference/gradients.js';

/** Every version-2 combination of hidden activation and output pair, on one small network. */
const HIDDEN = [{ activation: 'sigmoid' }, { activation: 'tanh' }, { activation: 'relu' }, { activation: 'leaky_relu', alpha: 0.2 }, { activation: 'linear' }];
const OUTPUTS = [
  { output: { activation: 'sigmoid' }, loss: 'bce', targets: [[1, 0], [0, 1]] },
  { output: { activation: 'softmax' }, loss: 'cce', targets: [[1, 0], [0.25, 0.75]] },
  { output: { activation: 'tanh' }, loss: 'mse', targets: [[0.5, -0.5], [-0.25, 0.75]] },
  { output: { activation: 'relu' }, loss: 'mse', targets: [[1.5, 0], [0, 2]] },
  { output: { activation: 'linear' }, loss: 'mse', targets: [[3, -2], [-1, 4]] },
] as const;

function caseOf(hidden: (typeof HIDDEN)[number], out: (typeof OUTPUTS)[number], reduction: 'sum' | 'mean') {
  const network = parseNetwork({
    layers: [
      { weights: [[0.5, -0.3, 0.8], [0.2, 0.7, -0.6]], bias: [0.1, 0.2, 0.3], ...hidden },
      { weights: [[0.4, -0.2], [0.3, 0.5], [-0.7, 0.1]], bias: [0.05, -0.05], ...out.output },
    ],
    loss: out.loss,
    reduction,
  });
  return { network, batch: parseBatch({ inputs: [[1, 0.5], [-0.5, 2]], targets: out.targets }, network) };
}

describe('the training loop for every version-2 combination', () => {
  for (const hidden of HIDDEN) {
    for (const out of OUTPUTS) {
      it(`${hidden.activation} hidden, ${out.output.activation} / ${out.loss}: a step keeps the family, and small steps lower the loss`, () => {
        for (const reduction of ['sum', 'mean'] as const) {
          const { network, batch } = caseOf(hidden, out, reduction);
          const copy = cloneNetwork(network);
          expect(copy.loss).toBe(network.loss);
          expect(copy.layers.map((l) => [l.activation, l.alpha])).toEqual(network.layers.map((l) => [l.activation, l.alpha]));
          const g = referenceGradients(network, batch);
          const next = step(network, g.layers, 1e-3);
          expect(next.loss).toBe(network.loss);
          expect(loss(next, batch, forward(next, batch))).toBeLessThan(g.loss);
          const result = train(network, batch, { rate: 0.05, maxEpochs: 200 });
          expect(result.network.loss).toBe(network.loss);
          expect(result.network.layers[0]!.activation).toBe(network.layers[0]!.activation);
          expect(result.lossHistory.at(-1)!).toBeLessThan(result.lossHistory[0]!);
          expect(result.stopReason).not.toBe('non-finite');
        }
      });
    }
  }
});
