import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary } from '../../src/generate/index.js';
import { backward, forward, gradientNorm, loss, referenceGradients, step, train } from '../../src/reference/index.js';
import { makeCase } from './helpers.js';

/** A linearly separable problem: t = 1 when x0 + x1 > 0, learnable by one sigmoid unit. */
function separable() {
  const inputs = [[1, 0.5], [0.8, 0.9], [-1, -0.2], [-0.6, -0.9], [0.3, 0.4], [-0.4, -0.1]];
  const targets = inputs.map(([a, b]) => [a! + b! > 0 ? 1 : 0]);
  return makeCase({ layers: [{ weights: [[0.1], [-0.2]], bias: [0] }] }, inputs, targets);
}

describe('gradient descent and the training loop', () => {
  it('a step with a small enough rate lowers the loss, on every generated typical network', () => {
    fc.assert(
      fc.property(caseArbitrary({ classes: ['typical'], maxLayers: 4 }), ({ network, batch }) => {
        const g = referenceGradients(network, batch);
        const norm = gradientNorm(g.layers);
        fc.pre(norm > 1e-6);
        // the loss is smooth with curvature bounded on this scale: a step of 1e-3 / ||g|| moves by 1e-3
        const next = step(network, g.layers, 1e-3 / norm);
        const after = loss(next, batch, forward(next, batch));
        return after < g.loss;
      }),
      { seed: 21, numRuns: 200 },
    );
  });

  it('training on a separable problem drives the gradient norm below the tolerance', () => {
    const { network, batch } = separable();
    const result = train(network, batch, { rate: 2, gradientTolerance: 1e-3, maxEpochs: 200_000 });
    expect(result.stopReason).toBe('gradient-tolerance');
    expect(result.gradientNormHistory.at(-1)).toBeLessThan(1e-3);
    expect(result.lossHistory.at(-1)!).toBeLessThan(result.lossHistory[0]! / 10);
    // the loss history is non-increasing at this rate
    for (let k = 1; k < result.lossHistory.length; k++) expect(result.lossHistory[k]!).toBeLessThanOrEqual(result.lossHistory[k - 1]!);
    // the argument is not modified
    expect(Array.from(network.layers[0]!.W)).toEqual([0.1, -0.2]);
  });

  it('each stopping rule stops the loop: loss target, epoch limit, gradient tolerance, non-finite', () => {
    const { network, batch } = separable();
    const byLoss = train(network, batch, { rate: 1, lossTarget: 1, gradientTolerance: 0 });
    expect(byLoss.stopReason).toBe('loss-target');
    expect(byLoss.lossHistory.at(-1)!).toBeLessThanOrEqual(1);
    expect(byLoss.lossHistory.at(-2)!).toBeGreaterThan(1);

    const byEpochs = train(network, batch, { rate: 1, maxEpochs: 7, gradientTolerance: 0 });
    expect(byEpochs.stopReason).toBe('max-epochs');
    expect(byEpochs.epochs).toBe(7);
    expect(byEpochs.lossHistory).toHaveLength(8);

    const byTolerance = train(network, batch, { rate: 1, gradientTolerance: 1e9 });
    expect(byTolerance.stopReason).toBe('gradient-tolerance');
    expect(byTolerance.epochs).toBe(0);

    const diverging = train(network, batch, { rate: 1e308, gradientTolerance: 0, maxEpochs: 50 });
    expect(diverging.stopReason).toBe('non-finite');
  });

  it('rejects a rate that is not a positive finite number, and a bad epoch limit', () => {
    const { network, batch } = separable();
    expect(() => train(network, batch, { rate: 0 })).toThrow('train: rate must be a positive finite number, got 0');
    expect(() => train(network, batch, { rate: Number.NaN })).toThrow('got NaN');
    expect(() => train(network, batch, { rate: 1, maxEpochs: 1.5 })).toThrow('train: maxEpochs must be a non-negative integer, got 1.5');
  });

  it('the gradient norm is the 2-norm of all entries, without overflow', () => {
    const big = { W: new Float64Array([3e200, 4e200]), b: null };
    expect(gradientNorm([big])).toBeCloseTo(5e200, -186);
    expect(gradientNorm([{ W: new Float64Array([3, 0]), b: new Float64Array([4]) }])).toBe(5);
    expect(gradientNorm([{ W: new Float64Array([0]), b: null }])).toBe(0);
  });

  it('the backward pass gives delta = Z - t at the output and the seed\'s (Z_i - t_i) Y_j for one layer', () => {
    const { network, batch } = makeCase({ layers: [{ weights: [[0.5], [-1]], bias: null }] }, [[2, 1]], [[1]]);
    const pass = forward(network, batch);
    const { delta, layers } = backward(network, batch, pass);
    const Z = 1 / (1 + Math.exp(-(2 * 0.5 - 1)));
    expect(pass.Z[0]![0]).toBe(Z);
    expect(delta[0]![0]).toBeCloseTo(Z - 1, 16);
    expect(Array.from(layers[0]!.W)).toEqual([2 * delta[0]![0]!, 1 * delta[0]![0]!]);
    expect(layers[0]!.b).toBeNull();
  });
});
