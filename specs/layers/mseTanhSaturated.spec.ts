import { describe, expect, it } from 'vitest';
import { parseCase } from '../../src/network/index.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * The oracle's mse term of a saturated tanh output: Z - t for t = +-1 cancels at the oracle's own
 * precision once |S| is above about 60 (tanh(S) = 1 - 2 e^-2|S| needs more than its 176 bits), so
 * it is formed as (1 - t) - (1 - |Z|) with 1 - |Z| = Zc / (1 + |Z|) from tanh's complement.
 * The truth: E = (1 - tanh(S))^2 = (2 g / (1 + g))^2, g = e^-2S; dE/dS = 2 (Z - t) (1 - Z^2).
 */
const ctx = createContext(50);

function caseAt(S: number, t: number) {
  return parseCase({ network: { layers: [{ weights: [[S]], bias: null, activation: 'tanh' }], loss: 'mse' }, batch: { inputs: [[1]], targets: [[t]] } });
}

describe('mse of a saturated tanh output keeps its digits in the oracle', () => {
  for (const S of [20, 80, 300, -80, -300]) {
    it(`S = ${S}, t = ${Math.sign(S)}: the loss and the gradient to 30 digits`, () => {
      const t = Math.sign(S);
      const c = caseAt(S, t);
      const o = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
      const D = ctx.D;
      const g = new D(-2 * Math.abs(S)).exp();
      const m = g.times(2).div(g.plus(1)); // 1 - |tanh(S)|
      const E = m.times(m);
      const Zc = m.times(new D(2).minus(m)); // 1 - Z^2 = (1 - |Z|)(1 + |Z|)
      const dW = m.times(-2 * t).times(Zc); // 2 (Z - t) (1 - Z^2) * x, x = 1
      const rel = (a: { minus(b: unknown): { abs(): { div(c: unknown): { toNumber(): number } } } }, b: InstanceType<typeof D>) => a.minus(b).abs().div(b.abs()).toNumber();
      expect(rel(o.forward.loss, E)).toBeLessThan(1e-30);
      expect(rel(o.backward.layers[0]!.W[0]!, dW)).toBeLessThan(1e-30);
    });
  }
});
