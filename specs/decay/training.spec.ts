import { describe, expect, it } from 'vitest';
import { initNetwork, parseInit, randomBatch, runDecayExperiment, seededRandom, trainingEffect } from '../../src/decay/index.js';
import type { Batch, Network } from '../../src/network/types.js';
import { backward } from '../../src/reference/backward.js';
import { forward } from '../../src/reference/forward.js';
import { cloneNetwork, stepInPlace } from '../../src/reference/step.js';

/**
 * Spec 5 of issue 5: the vanishing gradient in training. On a generated deep sigmoid network
 * (10 layers of width 8, Xavier initialisation, seed 1: the first network of
 * `backprop-oracle decay --seed 1`) the relative change per gradient-descent step of the first
 * layer's weights, r_1 = alpha ||dE/dW^(1)||_F / ||W^(1)||_F, is smaller than the last layer's r_L
 * - never by less than the derived bound says: r_1 / r_L <= (1/4)^(L-1) prod_{m>1} ||W^(m)||_F ...;
 * - and by the derived estimate's order of magnitude: |log10(r_1/r_L) - log10(estimate)| <= 1, the
 *   estimate taking each layer's typical gain ||diag(sigma') W||_F / sqrt(n) for the worst case (1/4) ||W||_F.
 */

const TOLERANCE_ORDERS = 1;
const L = 10;
const WIDTH = 8;

function generated(layers: number, seed: number): { network: Network; batch: Batch } {
  const random = seededRandom(seed);
  const network = initNetwork(random, new Array<number>(layers + 1).fill(WIDTH), parseInit('xavier'));
  return { network, batch: randomBatch(random, WIDTH, WIDTH, 1) };
}

const frobenius = (x: ArrayLike<number>): number => Math.sqrt(Array.from(x).reduce((sum, v) => sum + v * v, 0));

describe('the vanishing gradient in training', () => {
  const { network, batch } = generated(L, 1);
  const effect = trainingEffect(network, batch, { steps: 20, rate: 0.5 });

  it('the first layer moves 10^4 to 10^6 times less per step than the last, never less than the bound allows', () => {
    expect(effect.steps).toHaveLength(20);
    for (const step of effect.steps) {
      expect(step.log10Ratio).toBeLessThanOrEqual(step.log10Bound + 1e-9);
      expect(step.log10Ratio).toBeLessThan(-4);
      expect(step.log10Ratio).toBeGreaterThan(-6);
    }
    // what the report says: by how much, against the bound and the estimate
    expect({ ratio: effect.log10Ratio.toFixed(2), bound: effect.log10Bound.toFixed(2), estimate: effect.log10Estimate.toFixed(2) }).toMatchInlineSnapshot(`
      {
        "bound": "-0.97",
        "estimate": "-5.37",
        "ratio": "-5.11",
      }
    `);
  });

  it(`follows the derived estimate to within ${TOLERANCE_ORDERS} order of magnitude at every step`, () => {
    for (const step of effect.steps) expect(Math.abs(step.log10Ratio - step.log10Estimate)).toBeLessThanOrEqual(TOLERANCE_ORDERS);
  });

  it('measures the step actually taken: ||W_new - W||_F / ||W||_F of the first and last layer', () => {
    const before = cloneNetwork(network);
    const after = cloneNetwork(network);
    stepInPlace(after, backward(before, batch, forward(before, batch)).layers, 0.5);
    const change = (l: number): number => frobenius(after.layers[l]!.W.map((w, k) => w - before.layers[l]!.W[k]!)) / frobenius(before.layers[l]!.W);
    const [first, last] = [effect.steps[0]!.relativeChange[0]!, effect.steps[0]!.relativeChange[L - 1]!];
    expect(Math.abs(change(0) / first - 1)).toBeLessThan(1e-6);
    expect(Math.abs(change(L - 1) / last - 1)).toBeLessThan(1e-12);
  });

  it('is a matter of depth: with 2 layers the first moves within an order of magnitude of the last', () => {
    const shallow = generated(2, 1);
    const two = trainingEffect(shallow.network, shallow.batch, { steps: 20, rate: 0.5 });
    expect(two.log10Ratio).toBeGreaterThan(-1);
    expect(two.log10Ratio).toBeLessThanOrEqual(two.log10Bound + 1e-9);
  });

  it('holds over 20 networks: the median ratio per network within an order of magnitude of the estimate', () => {
    const m = runDecayExperiment({ layers: L, width: WIDTH, init: parseInit('xavier'), samples: 20, batch: 1, seed: 1, steps: 20, rate: 0.5 });
    const t = m.training!;
    expect(Math.abs(t.ratio.median - t.estimate.median)).toBeLessThanOrEqual(TOLERANCE_ORDERS);
    expect(t.ratio.max).toBeLessThan(t.bound.min);
  });
});
