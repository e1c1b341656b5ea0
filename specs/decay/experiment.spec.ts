import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/oracle/context.js';
import {
  alignedZeroCase,
  decimalArithmetic,
  decayToJson,
  initLimit,
  initName,
  initNetwork,
  log10FactorPerLayer,
  median,
  parseInit,
  quantile,
  randomBatch,
  ratiosByDepth,
  runDecayExperiment,
  seededRandom,
  spread,
  trainingEffect,
  uniform,
  type DecayExperiment,
} from '../../src/decay/index.js';
import { describeTraining, formatDecay, formatPow10 } from '../../src/report/decay/index.js';

/** The `decay` experiment's parts: generator, initialisations, summaries, the text and JSON reports. */

const SMALL: DecayExperiment = { layers: 4, width: 3, init: parseInit('xavier'), samples: 6, batch: 2, seed: 7, steps: 3, rate: 0.5 };

describe('the seeded generator and the initialisations', () => {
  it('gives the same doubles in [0, 1) for the same seed, others for another seed', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(median(xs) - 0.5)).toBeLessThan(0.05);
    expect(seededRandom(4)()).not.toBe(xs[0]);
    const r = seededRandom(5);
    const us = Array.from({ length: 1000 }, () => uniform(r, 0.25));
    expect(Math.max(...us.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.min(...us)).toBeLessThan(-0.2);
  });

  it('reads uniform, xavier (or glorot), he and scale:A, and names the syntax when it cannot', () => {
    expect(['uniform', 'xavier', 'Glorot', ' he ', 'scale:0.5', 'scale:1e3'].map((t) => initName(parseInit(t)))).toEqual(['uniform', 'xavier', 'xavier', 'he', 'scale:0.5', 'scale:1000']);
    for (const bad of ['normal', 'scale:', 'scale:0', 'scale:-1', 'scale:1001', 'scale:abc', '']) {
      expect(() => parseInit(bad)).toThrow(`the initialisation must be uniform, xavier, he or scale:A (uniform in [-A, A], 0 < A <= 1000), got "${bad}"`);
    }
  });

  it('draws weights within the limit of each initialisation: 1, sqrt(6/(fan_in+fan_out)), sqrt(6/fan_in), A', () => {
    expect(initLimit(parseInit('uniform'), 8, 2)).toBe(1);
    expect(initLimit(parseInit('xavier'), 8, 4)).toBe(Math.sqrt(0.5));
    expect(initLimit(parseInit('he'), 6, 4)).toBe(1);
    expect(initLimit(parseInit('scale:0.5'), 6, 4)).toBe(0.5);
    const network = initNetwork(seededRandom(1), [4, 8, 2], parseInit('xavier'));
    expect(network.layers.map((l) => [l.nIn, l.nOut, l.b])).toEqual([[4, 8, null], [8, 2, null]]);
    network.layers.forEach((layer) => {
      const a = Math.sqrt(6 / (layer.nIn + layer.nOut));
      expect(Math.max(...layer.W.map(Math.abs))).toBeLessThanOrEqual(a);
      expect(Math.max(...layer.W.map(Math.abs))).toBeGreaterThan(a / 2);
    });
    const batch = randomBatch(seededRandom(2), 4, 2, 50);
    expect([batch.size, batch.X.length, batch.T.length]).toEqual([50, 200, 100]);
    expect(new Set(batch.T)).toEqual(new Set([0, 1]));
    expect(Math.max(...batch.X.map(Math.abs))).toBeLessThanOrEqual(1);
  });
});

describe('spreads', () => {
  it('interpolates quantiles linearly, leaves out NaN, keeps -Infinity', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([], 0.5)).toBeNaN();
    expect(spread([3, NaN, 1, 2])).toEqual({ min: 1, q1: 1.5, median: 2, q3: 2.5, max: 3, count: 3 });
    expect(spread([-Infinity, -Infinity, 0]).median).toBe(-Infinity);
    expect(ratiosByDepth([{ above: 1, log10Ratio: -1 }, { above: 0, log10Ratio: 0 }, { above: 1, log10Ratio: -3 }]).map((d) => [d.above, d.log10Ratio.median])).toEqual([[0, 0], [1, -2]]);
  });

  it('fits the factor per layer by least squares', () => {
    expect(log10FactorPerLayer([-3, -2, -1, 0])).toBeCloseTo(-1, 12); // a tenth per layer going down
    expect(log10FactorPerLayer([-Infinity, 0])).toBeNaN();
  });
});

describe('the decay experiment', () => {
  const m = runDecayExperiment(SMALL);

  it('is the same for the same seed, and checks every inequality without a violation', () => {
    expect(runDecayExperiment(SMALL)).toEqual(m);
    expect(m.layers.map((s) => [s.layer, s.above, s.gradient.count])).toEqual([[1, 3, 6], [2, 2, 6], [3, 1, 6], [4, 0, 6]]);
    expect(m.checked).toBe(6 * (4 * (2 * 2 + 2) - 2));
    expect(m.violations).toBe(0);
    expect(m.layers.every((s) => s.ratio.max <= 0 && s.gradient.median <= s.bound.median)).toBe(true);
    expect(m.training).toMatchObject({ steps: 3, rate: 0.5 });
    expect(m.training!.ratio.count).toBe(6);
    expect(runDecayExperiment({ ...SMALL, steps: 0 }).training).toBeNull();
  });

  it('prints a table with one row per layer, output layer first, the check and the training result', () => {
    const text = formatDecay(m);
    const lines = text.split('\n');
    expect(lines[0]).toBe('backprop-oracle decay: 6 networks of 4 sigmoid layers, width 3, xavier init (Glorot uniform: weights in [-a, a], a = sqrt(6/(fan_in+fan_out)) = 1.00), batch 2, seed 7');
    expect(lines[2]).toMatch(/^layer {2}above {2}gradient norm {2}middle half +full range +bound +ratio +ratio range$/);
    expect(lines.slice(3, 7).map((l) => l.trim().split(/\s+/)[0])).toEqual(['4', '3', '2', '1']);
    expect(text).toContain(`bound checked: ${m.checked} inequalities, none violated.`);
    expect(text).toContain('training: 3 gradient-descent steps at rate 0.5 on each network.');
    expect(formatDecay({ ...m, violations: 2, training: null })).toContain(`bound checked: ${m.checked} inequalities, 2 VIOLATED.`);
  });

  it('names every initialisation and says when norms underflowed', () => {
    const heads = ['uniform', 'he', 'scale:0.25'].map((init) => formatDecay(runDecayExperiment({ ...SMALL, init: parseInit(init), steps: 0 })).split('\n')[0]);
    expect(heads).toEqual([
      'backprop-oracle decay: 6 networks of 4 sigmoid layers, width 3, uniform init (weights uniform in [-1, 1]), batch 2, seed 7',
      'backprop-oracle decay: 6 networks of 4 sigmoid layers, width 3, he init (He uniform: weights in [-a, a], a = sqrt(6/fan_in) = 1.41), batch 2, seed 7',
      'backprop-oracle decay: 6 networks of 4 sigmoid layers, width 3, scale:0.25 init (weights uniform in [-0.25, 0.25]), batch 2, seed 7',
    ]);
    const saturated = runDecayExperiment({ ...SMALL, layers: 30, width: 2, init: parseInit('scale:1000'), samples: 1, steps: 0 });
    expect(saturated.layers[0]!.zeros).toBe(1);
    expect(formatDecay(saturated)).toMatch(/\d+ layer gradient norm\(s\) are 0 in float64 \(underflow\)/);
    const one = formatDecay(runDecayExperiment({ ...SMALL, layers: 1, samples: 1, steps: 0 }));
    expect(one.split('\n')[0]).toContain('1 network of 1 sigmoid layer,');
    expect(one).not.toContain('per layer going down'); // no fit through one point
  });

  it('writes the figures as JSON, log10 -Infinity as null', () => {
    const json = JSON.parse(decayToJson(m)) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'backprop-oracle-decay', version: 1, experiment: { layers: 4, width: 3, init: 'xavier', samples: 6, batch: 2, seed: 7 }, checked: m.checked, violations: 0 });
    expect((json.layers as unknown[]).length).toBe(4);
    const zero = JSON.parse(decayToJson(runDecayExperiment({ ...SMALL, layers: 30, width: 2, init: parseInit('scale:1000'), samples: 1, steps: 0 }))) as { layers: { gradient: { median: unknown } }[] };
    expect(zero.layers[0]!.gradient.median).toBeNull();
  });
});

describe('the arithmetics', () => {
  it('give log10(a / b) as -Infinity for 0 / b, Infinity for a / 0 and NaN for 0 / 0, in decimal as in float64', () => {
    const ctx = createContext(30);
    const d = decimalArithmetic(ctx);
    const [zero, two] = [ctx.zero, new ctx.D(2)];
    expect([d.log10Ratio(zero, two), d.log10Ratio(two, zero), d.log10Ratio(zero, zero), d.log10Ratio(new ctx.D(20), two)]).toEqual([-Infinity, Infinity, NaN, 1]);
    expect(d.norm([new ctx.D(3), new ctx.D(4)], 0, 2).toString()).toBe('5');
  });
});

describe('formatting powers of ten', () => {
  it('writes 10^x with two significant digits, 0 for -Infinity, - for NaN, far outside the doubles', () => {
    expect([-3.5, 0, 2, -400, Math.log10(9.96), -Infinity, Infinity, NaN].map((x) => formatPow10(x))).toEqual(['3.2e-4', '1.0e+0', '1.0e+2', '1.0e-400', '1.0e+1', '0', 'inf', '-']);
    expect(formatPow10(Math.log10(2.5), 3)).toBe('2.50e+0');
  });

  it('says "times more" when the first layer moves more than the last', () => {
    const m = runDecayExperiment(SMALL);
    const t = { ...m.training!, ratio: { ...m.training!.ratio, median: 1 } };
    expect(describeTraining({ ...m, training: t })).toContain('10 times more.');
    expect(describeTraining({ ...m, training: { ...t, ratio: { ...t.ratio, median: -7 } } })).toContain('1.0e+7 times less.');
    expect(describeTraining({ ...m, training: null })).toBeNull();
  });
});

describe('argument checks', () => {
  it('training needs a positive whole number of steps and a positive finite rate', () => {
    const { network, batch } = alignedZeroCase({ widths: [2, 2], weights: [1] });
    expect(() => trainingEffect(network, batch, { steps: 0, rate: 1 })).toThrow('training: steps must be a positive integer, got 0');
    expect(() => trainingEffect(network, batch, { steps: 1, rate: Infinity })).toThrow('training: rate must be a positive number, got Infinity');
  });

  it('the aligned family needs even widths below the output, L weights, non-zero weights and positive inputs', () => {
    expect(() => alignedZeroCase({ widths: [2, 3, 2], weights: [1, 1] })).toThrow('aligned case: the widths n_0..n_(L-1) must be even, got 2-3-2');
    expect(() => alignedZeroCase({ widths: [2, 2], weights: [1, 1] })).toThrow('aligned case: give L + 1 widths and L weights, got 2 widths and 2 weights');
    expect(() => alignedZeroCase({ widths: [2, 2], weights: [0] })).toThrow('aligned case: every weight size must be finite and non-zero');
    expect(() => alignedZeroCase({ widths: [2, 2], weights: [1], inputs: [-1] })).toThrow('aligned case: every input size must be positive and finite');
    const { network, batch } = alignedZeroCase({ widths: [2, 4, 3], weights: [0.5, -2], inputs: [1, 3], reduction: 'mean' });
    expect(Array.from(network.layers[0]!.W)).toEqual([0.5, -0.5, 0.5, -0.5, -0.5, 0.5, -0.5, 0.5]);
    expect([Array.from(batch.X), Array.from(batch.T), network.reduction]).toEqual([[1, 1, 3, 3], [0, 1, 0, 0, 1, 0], 'mean']);
  });
});
