import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alignedZeroCase,
  analyseDecay,
  decayViolations,
  decimalArithmetic,
  FLOAT64,
  maxSlopeOf,
  oracleDecay,
  oracleDecayInput,
  positiveRankOneCase,
  ratiosByDepth,
  referenceDecay,
  underflowAllowance,
  type LayerDecay,
} from '../../src/decay/index.js';
import { caseArbitrary, caseArbitraryForClass } from '../../src/generate/index.js';
import { widths } from '../../src/network/shape.js';
import { ACTIVATION_NAMES, type ActivationName, type Network } from '../../src/network/types.js';
import type { Decimal } from '../../src/oracle/decimal.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * Issue 14: the decay bound for every elementwise hidden activation,
 *   ||delta^(l)_b|| <= max f'_l ||W^(l+1)||_F ||delta^(l+1)_b||,  max f' = 1/4 (sigmoid), 1 (tanh, relu, leaky_relu, linear),
 * max f' taken from the layer module; checked on every layer of generated networks of every
 * activation mix and loss (exact and float64), attained on each activation's tightness family,
 * and its ratio summarised per depth.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 100);
const ctx = createContext(50);
const EVERY = { activations: ACTIVATION_NAMES, losses: ['bce', 'cce', 'mse'] as const };

/** Correct digits of actual / bound = 1; 0 <= 0 (a zero gradient under a zero bound) counts as exact. */
function digitsOfOne(actual: Decimal, bound: Decimal): number {
  if (actual.isZero() && bound.isZero()) return Infinity;
  const off = actual.div(bound).minus(1).abs();
  return off.isZero() ? Infinity : -off.log(10).toNumber();
}

/** The fewest digits to which any inequality of an exact analysis is an equality. */
function tightness(layers: readonly LayerDecay<Decimal>[]): number {
  let digits = Infinity;
  for (const d of layers) {
    d.deltaNorms.forEach((norm, b) => {
      if (d.stepBounds) digits = Math.min(digits, digitsOfOne(norm, d.stepBounds[b]!));
      digits = Math.min(digits, digitsOfOne(norm, d.deltaBounds[b]!));
    });
    digits = Math.min(digits, digitsOfOne(d.gradientNorm, d.outerBound), digitsOfOne(d.gradientNorm, d.gradientBound));
  }
  return digits;
}

describe('max f\' per activation, from the layer modules', () => {
  it('is 1/4 for the sigmoid and 1 for tanh, relu, leaky_relu (every alpha) and linear', () => {
    const expected: Record<string, number> = { sigmoid: 0.25, tanh: 1, relu: 1, leaky_relu: 1, linear: 1 };
    for (const name of ACTIVATION_NAMES.filter((a) => a !== 'softmax')) {
      for (const alpha of name === 'leaky_relu' ? [0, 0.01, 0.3, 0.99] : [undefined]) {
        const layer = { nIn: 1, nOut: 1, W: Float64Array.of(1), b: null, ...(name === 'sigmoid' ? {} : { activation: name as ActivationName }), ...(alpha === undefined ? {} : { alpha }) };
        const network: Network = { layers: [layer, { nIn: 1, nOut: 1, W: Float64Array.of(1), b: null }], reduction: 'sum' };
        expect(maxSlopeOf(network, 0)).toBe(expected[name]);
      }
    }
  });
});

describe('the decay bound for every activation', () => {
  it('is never violated on generated networks of every activation mix and loss, on any layer or sample: exactly (decimal) and in float64', () => {
    const seen = new Set<string>();
    let layers = 0;
    fc.assert(
      fc.property(caseArbitrary({ ...EVERY, minLayers: 1, maxLayers: 8, maxWidth: 6, maxBatch: 3 }), ({ network, batch }) => {
        const exact = oracleDecay(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false }));
        const float = referenceDecay(network, batch);
        layers += exact.length;
        network.layers.slice(0, -1).forEach((layer) => seen.add(layer.activation ?? 'sigmoid'));
        expect(decayViolations(decimalArithmetic(ctx), exact)).toEqual([]);
        expect(decayViolations(FLOAT64, float, underflowAllowance(float, widths(network), batch.size))).toEqual([]);
      }),
      { seed: 1401, numRuns: RUNS },
    );
    expect(layers).toBeGreaterThan(2 * RUNS);
    expect([...seen].sort()).toEqual(['leaky_relu', 'linear', 'relu', 'sigmoid', 'tanh']);
  });

  it('would be violated with a factor below max f\' = 1: the check can fail (tanh, linear and relu families)', () => {
    const cases = [
      alignedZeroCase({ widths: [2, 4, 4, 2], weights: [1, -0.5, 2], activation: 'tanh' }),
      alignedZeroCase({ widths: [2, 4, 4, 2], weights: [1, -0.5, 2], activation: 'linear' }),
      positiveRankOneCase({ widths: [3, 4, 2, 2], weights: [0.5, 0.25, -1], activation: 'relu' }),
    ];
    const exact = decimalArithmetic(ctx);
    for (const { network, batch } of cases) {
      const input = oracleDecayInput(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false }));
      expect(input.maxSlopes).toEqual([1, 1, 0.25]);
      expect(decayViolations(exact, analyseDecay(exact, input))).toEqual([]);
      const lowered = { ...input, maxSlopes: input.maxSlopes!.map((s) => (s === 1 ? 0.9999 : s)) };
      const violated = decayViolations(exact, analyseDecay(exact, lowered));
      expect(new Set(violated.filter((v) => v.inequality !== 'gradient' || v.actual > 0).map((v) => `${v.layer} ${v.inequality}`))).toEqual(
        new Set(['1 step', '1 delta', '2 step', '2 delta', ...(violated.some((v) => v.layer === 2 && v.inequality === 'gradient') ? ['2 gradient'] : []), '1 gradient']),
      );
    }
  });
});

const evenWidth = fc.constantFrom(2, 4, 6, 8);
const signedWeight = fc.tuple(fc.boolean(), fc.double({ min: 1e-2, max: 1e2, noNaN: true })).map(([negative, w]) => (negative ? -w : w));
const positiveWeight = fc.double({ min: 1e-2, max: 2, noNaN: true });
const inputs = fc.array(fc.double({ min: 1e-2, max: 1e2, noNaN: true }), { minLength: 1, maxLength: 3 });
const reduction = fc.constantFrom('sum' as const, 'mean' as const);

const alignedZero = (activation: 'tanh' | 'linear') =>
  fc.integer({ min: 1, max: 8 }).chain((L) =>
    fc.record({
      widths: fc.tuple(fc.array(evenWidth, { minLength: L, maxLength: L }), fc.integer({ min: 1, max: 8 })).map(([w, last]) => [...w, last]),
      weights: fc.array(signedWeight, { minLength: L, maxLength: L }),
      inputs,
      reduction,
      activation: fc.constant(activation),
    }),
  );

const positiveRankOne = (activation: 'relu' | 'leaky_relu' | 'linear') =>
  fc.integer({ min: 1, max: 8 }).chain((L) =>
    fc.record({
      widths: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: L + 1, maxLength: L + 1 }),
      // the output's weight within +-2: a saturated output (S^(L) = -370) leaves float64 2e-12 off equality, the oracle exact
      weights: fc.tuple(fc.array(positiveWeight, { minLength: L - 1, maxLength: L - 1 }), fc.tuple(fc.boolean(), positiveWeight).map(([n, w]) => (n ? -w : w))).map(([w, last]) => [...w, last]),
      inputs,
      reduction,
      activation: fc.constant(activation),
      alpha: fc.constantFrom(0.01, 0.1, 0.5),
    }),
  );

describe('tightness: each activation\'s family attains the bound', () => {
  it('tanh and linear at S = 0 exactly (rank-one alternating weights, f\'(0) = 1): every inequality an equality to 45 digits', () => {
    for (const activation of ['tanh', 'linear'] as const) {
      let worst = Infinity;
      fc.assert(
        fc.property(alignedZero(activation), (options) => {
          const { network, batch } = alignedZeroCase(options);
          const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
          expect(o.forward.S.every((S) => S.every((s) => s.isZero()))).toBe(true);
          worst = Math.min(worst, tightness(oracleDecay(network, batch, o)));
          for (const d of referenceDecay(network, batch)) if (d.gradientNorm > 0) expect(Math.abs(d.log10Ratio)).toBeLessThan(1e-13);
        }),
        { seed: 1402, numRuns: Math.ceil(RUNS / 4) },
      );
      expect(worst).toBeGreaterThanOrEqual(45);
    }
  });

  it('relu, leaky_relu and linear with positive S and rank-one weights w 1 1^T (every slope 1): every inequality an equality to 45 digits', () => {
    for (const activation of ['relu', 'leaky_relu', 'linear'] as const) {
      let worst = Infinity;
      fc.assert(
        fc.property(positiveRankOne(activation), (options) => {
          const { network, batch } = positiveRankOneCase(options);
          const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
          expect(o.forward.S.slice(0, -1).every((S) => S.every((s) => s.isPos()))).toBe(true);
          worst = Math.min(worst, tightness(oracleDecay(network, batch, o)));
          for (const d of referenceDecay(network, batch)) expect(Math.abs(d.log10Ratio)).toBeLessThan(1e-12);
        }),
        { seed: 1403, numRuns: Math.ceil(RUNS / 5) },
      );
      expect(worst).toBeGreaterThanOrEqual(45);
    }
  });

  it('is attained only there: a dead relu unit (S < 0, slope 0) in layer 2 or one weight of layer 3 changed by 10% (not rank one) puts layers 1-2 strictly under it', () => {
    const base = positiveRankOneCase({ widths: [4, 4, 4, 4, 2], weights: [1.5, 2, 0.75, 1], activation: 'relu' });
    const bent = { ...base.network, layers: base.network.layers.map((layer, l) => (l === 2 ? { ...layer, W: layer.W.map((w, k) => (k === 0 ? 1.1 * w : w)) } : layer)) };
    const dead = { ...base.network, layers: base.network.layers.map((layer, l) => (l === 1 ? { ...layer, W: layer.W.map((w, k) => (k % 4 === 0 ? -w / 3 : w)) } : layer)) };
    for (const network of [bent, dead]) {
      const layers = oracleDecay(network, base.batch, oracle(network, base.batch, { precision: ctx, finiteDifferences: false }));
      const below = layers.filter((d) => d.log10Ratio < -1e-9).map((d) => d.layer);
      expect(below).toEqual([1, 2]);
      expect(layers[3]!.log10Ratio).toBe(0);
    }
  });
});

describe('the ratio per depth, per activation', () => {
  it('is 1 at the output layer of one sample and never above 1 below it; the median falls with the layers above for sigmoid and tanh', () => {
    const figures: string[] = [];
    for (const activation of ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'] as const) {
      const all: LayerDecay<Decimal>[] = [];
      fc.assert(
        // the sigmoid family's typical networks, their hidden layers given the activation (the output sigmoid + bce)
        fc.property(caseArbitraryForClass('typical', { minLayers: 10, maxLayers: 10, maxWidth: 8, maxBatch: 1 }), ({ network: sigmoidNetwork, batch }) => {
          const L = sigmoidNetwork.layers.length;
          const network: Network = activation === 'sigmoid' ? sigmoidNetwork : { ...sigmoidNetwork, layers: sigmoidNetwork.layers.map((layer, l) => (l < L - 1 ? { ...layer, activation } : layer)) };
          all.push(...oracleDecay(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false })));
        }),
        { seed: 1404, numRuns: 25 },
      );
      const byDepth = ratiosByDepth(all);
      expect(byDepth[0]!.log10Ratio.max).toBeCloseTo(0, 40);
      expect(byDepth.every((d) => !(d.log10Ratio.max > 1e-40))).toBe(true); // NaN: every network's gradient 0 and bound 0 there (dead relu layers)
      const medians = byDepth.map((d) => d.log10Ratio.median);
      if (activation === 'sigmoid' || activation === 'tanh') for (let k = 1; k < medians.length; k++) expect(medians[k]!).toBeLessThan(medians[k - 1]!);
      figures.push(`${activation}: ${byDepth.map((d) => `${d.log10Ratio.median.toFixed(2)} (${d.log10Ratio.count})`).join(' ')}`);
    }
    if (process.env.BACKPROP_ORACLE_VERBOSE) console.info(figures.join('\n'));
  });
});
