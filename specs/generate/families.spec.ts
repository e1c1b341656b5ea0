/**
 * Protocol version 2's generators: networks mixing activations per layer and their losses within
 * the options, under the pair rules; targets valid for the loss; the stress classes; shrinking
 * toward fewer layers, simpler numbers and the first allowed names.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ACTIVATION_NAMES, LOSS_NAMES, activationNameOf, isVersion1, lossNameOf, type ActivationName, type LossName } from '../../src/network/types.js';
import { batchToJson, networkToJson } from '../../src/network/json.js';
import { parseBatch, parseNetwork } from '../../src/network/validate.js';
import {
  ALL_MAGNITUDE_CLASSES,
  LOGIT_GAP_RANGE,
  MAGNITUDE_CLASSES,
  SATURATED_TANH_RANGE,
  STRESS_CLASSES,
  caseArbitrary,
  caseArbitraryForClass,
  defaultClassesFor,
  describeCase,
  networkArbitrary,
  resolveGenerateOptions,
  sampleCases,
  type GenerateOptions,
  type GeneratedCase,
  type MagnitudeClass,
} from '../../src/generate/index.js';

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 300);
const ALL: Partial<GenerateOptions> = { activations: ACTIVATION_NAMES, losses: LOSS_NAMES };

/** The pre-activations of the first layer, S[b, i] (exact enough: the spec asks only for 0, tiny or large). */
function firstLayerS(c: GeneratedCase): number[][] {
  const layer = c.network.layers[0]!;
  const rows: number[][] = [];
  for (let b = 0; b < c.batch.size; b++) {
    const row: number[] = [];
    for (let i = 0; i < layer.nOut; i++) {
      let s = layer.b ? layer.b[i]! : 0;
      for (let j = 0; j < layer.nIn; j++) s += c.batch.X[b * layer.nIn + j]! * layer.W[j * layer.nOut + i]!;
      row.push(s);
    }
    rows.push(row);
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Checks a case against its options: round trip through the protocol's JSON, family within the options and the pair rules, targets by loss. */
function checkFamilyCase(c: GeneratedCase, options: Partial<GenerateOptions>): void {
  const o = resolveGenerateOptions(options);
  const { network, batch } = c;
  // validation: the JSON an implementation is sent parses back to the same case
  const parsed = parseNetwork(networkToJson(network));
  expect(parsed).toEqual(network);
  expect(parseBatch(batchToJson(batch), parsed)).toEqual(batch);
  const L = network.layers.length;
  expect(L).toBeGreaterThanOrEqual(o.minLayers);
  expect(L).toBeLessThanOrEqual(o.maxLayers);
  expect(o.classes).toContain(c.magnitude);
  const activations = network.layers.map(activationNameOf);
  for (const a of activations) expect(o.activations).toContain(a);
  expect(o.losses).toContain(lossNameOf(network));
  activations.slice(0, -1).forEach((a) => expect(a).not.toBe('softmax'));
  const last = activations[L - 1]!;
  const loss = lossNameOf(network);
  if (loss === 'bce') expect(last).toBe('sigmoid');
  if (loss === 'cce') expect(last).toBe('softmax');
  if (loss === 'mse') expect(last).not.toBe('softmax');
  network.layers.forEach((layer) => {
    if (layer.activation === 'leaky_relu') expect(o.alphas.map((a) => (o.float32 ? Math.fround(a) : a))).toContain(layer.alpha);
    else expect(layer.alpha).toBeUndefined();
    if (o.bias === true) expect(layer.b).not.toBeNull();
    if (o.bias === false) expect(layer.b).toBeNull();
  });
  const numbers = [...network.layers.flatMap((l) => [...l.W, ...(l.b ?? []), ...(l.alpha !== undefined ? [l.alpha] : [])]), ...batch.X, ...batch.T];
  expect(numbers.filter((v) => !Number.isFinite(v) || (o.float32 && Math.fround(v) !== v))).toEqual([]);
  const n = batch.nOut;
  for (let b = 0; b < batch.size; b++) {
    const row = [...batch.T.subarray(b * n, (b + 1) * n)];
    if (loss === 'cce') {
      expect(row.filter((t) => !(t >= 0 && t <= 1))).toEqual([]);
      // EXACTLY 1 in float64, summed left to right and right to left
      expect(row.reduce((s, t) => s + t, 0)).toBe(1);
      expect(row.reduceRight((s, t) => s + t, 0)).toBe(1);
    } else if (loss === 'bce') {
      expect(row.filter((t) => !(t >= 0 && t <= 1))).toEqual([]);
    }
  }
}

describe('version-2 generation', () => {
  it.each<[string, Partial<GenerateOptions>]>([
    ['every activation and loss', ALL],
    ['every activation and loss, float32', { ...ALL, float32: true }],
    ['rectifiers with mse', { activations: ['relu', 'leaky_relu'], losses: ['mse'], alphas: [0.3, 0] }],
    ['tanh and linear with mse, hard targets, bias on', { activations: ['tanh', 'linear'], losses: ['mse'], bias: true, targets: 'hard' }],
    ['softmax with cce and relu hidden layers, soft targets', { activations: ['relu', 'softmax'], losses: ['cce'], targets: 'soft' }],
    ['softmax alone (one layer)', { activations: ['softmax'], losses: ['cce'] }],
    ['cce, hard targets, float32, no bias', { activations: ['sigmoid', 'softmax'], losses: ['cce', 'bce'], targets: 'hard', float32: true, bias: false }],
    ['every stress class under sigmoid / bce', { classes: STRESS_CLASSES }],
  ])('every case is valid (round trip through the protocol JSON) and respects the options: %s', (_name, options) => {
    fc.assert(
      fc.property(caseArbitrary(options), (c) => checkFamilyCase(c, options)),
      { seed: 42, numRuns: RUNS },
    );
  });

  it.each(ALL_MAGNITUDE_CLASSES)('every %s case of every family is valid, float64 and float32', (cls) => {
    for (const float32 of [false, true]) {
      const options: Partial<GenerateOptions> = { ...ALL, float32, classes: [cls] };
      fc.assert(
        fc.property(caseArbitraryForClass(cls, options), (c) => {
          expect(c.magnitude).toBe(cls);
          checkFamilyCase(c, options);
        }),
        { seed: 7, numRuns: Math.ceil(RUNS / 2) },
      );
    }
  });

  it('networks alone are valid and of every family', () => {
    const networks = fc.sample(networkArbitrary(ALL), { seed: 3, numRuns: 300 });
    for (const network of networks) expect(parseNetwork(networkToJson(network))).toEqual(network);
    expect(new Set(networks.map(lossNameOf))).toEqual(new Set(LOSS_NAMES));
  });

  it('covers every activation, every loss, every allowed output pair, every alpha and every class of the default mixture', () => {
    const cases = sampleCases(ALL, 2000, 11);
    const layers = cases.flatMap((c) => c.network.layers);
    expect(new Set(layers.map(activationNameOf))).toEqual(new Set(ACTIVATION_NAMES));
    expect(new Set(cases.map((c) => lossNameOf(c.network)))).toEqual(new Set(LOSS_NAMES));
    const hidden = new Set(cases.flatMap((c) => c.network.layers.slice(0, -1).map(activationNameOf)));
    expect(hidden).toEqual(new Set(ACTIVATION_NAMES.filter((a) => a !== 'softmax')));
    const pairs = new Set(cases.map((c) => `${activationNameOf(c.network.layers.at(-1)!)}+${lossNameOf(c.network)}`));
    expect(pairs).toEqual(new Set(['sigmoid+bce', 'softmax+cce', ...ACTIVATION_NAMES.filter((a) => a !== 'softmax').map((a) => `${a}+mse`)]));
    expect(new Set(layers.filter((l) => l.activation === 'leaky_relu').map((l) => l.alpha))).toEqual(new Set([0.01, 0.1, 0.5, 0]));
    expect(new Set(cases.map((c) => c.magnitude))).toEqual(new Set(ALL_MAGNITUDE_CLASSES));
    // version-1 networks are drawn too: sigmoid / bce is among the families
    expect(cases.some((c) => isVersion1(c.network))).toBe(true);
  });

  it('draws the default class mixture of the families allowed', () => {
    expect(defaultClassesFor({ activations: ['sigmoid'], losses: ['bce'] })).toEqual(MAGNITUDE_CLASSES);
    expect(defaultClassesFor(resolveGenerateOptions(ALL))).toEqual(ALL_MAGNITUDE_CLASSES);
    expect(resolveGenerateOptions({ activations: ['tanh'], losses: ['mse'] }).classes).toEqual([...MAGNITUDE_CLASSES, 'saturatedTanh']);
    expect(resolveGenerateOptions({ activations: ['relu', 'sigmoid'], losses: ['bce'] }).classes).toEqual([...MAGNITUDE_CLASSES, 'kinks', 'nearKink']);
    expect(resolveGenerateOptions({ activations: ['softmax', 'linear'], losses: ['cce'] }).classes).toEqual([...MAGNITUDE_CLASSES, 'logitGap']);
    // softmax without cce: no logit gaps to stress
    expect(resolveGenerateOptions({ activations: ['softmax', 'sigmoid'], losses: ['bce'] }).classes).toEqual(MAGNITUDE_CLASSES);
    expect(resolveGenerateOptions({ ...ALL, classes: ['typical'] }).classes).toEqual(['typical']);
  });

  it('mse targets: finite, mostly in the output range, sometimes outside', () => {
    const cases = sampleCases({ activations: ['sigmoid', 'tanh', 'relu'], losses: ['mse'] }, 600, 5);
    let inside = 0;
    let outside = 0;
    for (const c of cases) {
      const out = activationNameOf(c.network.layers.at(-1)!);
      const [lo, hi] = out === 'sigmoid' ? [0, 1] : out === 'tanh' ? [-1, 1] : [0, Infinity];
      for (const t of c.batch.T) {
        expect(Number.isFinite(t)).toBe(true);
        if (t >= lo && t <= hi) inside += 1;
        else outside += 1;
      }
    }
    expect(inside / (inside + outside)).toBeGreaterThan(0.7);
    expect(outside / (inside + outside)).toBeGreaterThan(0.05);
    const tanhNegative = cases.filter((c) => c.network.layers.at(-1)!.activation === 'tanh').flatMap((c) => [...c.batch.T]).filter((t) => t < 0 && t >= -1);
    expect(tanhNegative.length).toBeGreaterThan(10);
  });

  it('cce targets: one-hot and soft rows, the soft ones dyadic and not all quarters', () => {
    const cases = sampleCases({ activations: ['softmax'], losses: ['cce'], classes: ['typical'] }, 600, 8).filter((c) => c.batch.nOut >= 2);
    const rows = cases.flatMap((c) => Array.from({ length: c.batch.size }, (_, b) => [...c.batch.T.subarray(b * c.batch.nOut, (b + 1) * c.batch.nOut)]));
    const hot = rows.filter((r) => r.filter((t) => t === 1).length === 1 && r.every((t) => t === 0 || t === 1));
    expect(hot.length / rows.length).toBeGreaterThan(0.2);
    expect(hot.length / rows.length).toBeLessThan(0.8);
    const soft = rows.filter((r) => r.filter((t) => t > 0 && t < 1).length >= 2);
    expect(soft.length / rows.length).toBeGreaterThan(0.2);
    expect(soft.some((r) => r.some((t) => t * 2 ** 20 !== Math.round(t * 2 ** 20)))).toBe(true);
    expect(new Set(rows.filter((r) => r.length >= 2).map((r) => r.indexOf(1)).filter((k) => k >= 0)).size).toBeGreaterThan(2);
  });
});

describe('stress classes', () => {
  const N = 400;
  const sampleOf = (cls: MagnitudeClass, options: Partial<GenerateOptions>): GeneratedCase[] => fc.sample(caseArbitraryForClass(cls, options), { seed: 2024, numRuns: N });

  it('kinks: rectifier layers, S = 0 exactly in many first-layer units, dead units', () => {
    const cases = sampleOf('kinks', ALL);
    const hidden = cases.flatMap((c) => c.network.layers.slice(0, -1).map(activationNameOf));
    expect(hidden.filter((a) => a !== 'relu' && a !== 'leaky_relu')).toEqual([]);
    const S = cases.flatMap((c) => firstLayerS(c).flat());
    expect(S.filter((s) => s === 0).length / S.length).toBeGreaterThan(0.25);
    expect(S.filter((s) => s < -5).length / S.length).toBeGreaterThan(0.1);
    expect(S.filter((s) => s > 0).length / S.length).toBeGreaterThan(0.1);
  });

  it.each([false, true])('nearKink: |S| within 1e-300 of the kink, both sides (float32 %s)', (float32) => {
    const cases = sampleOf('nearKink', { ...ALL, float32 });
    const S = cases.flatMap((c) => firstLayerS(c).flat());
    const near = S.filter((s) => s !== 0 && Math.abs(s) <= (float32 ? 1e-38 : 1e-300));
    expect(near.length / S.length).toBeGreaterThan(0.2);
    expect(near.some((s) => s < 0)).toBe(true);
    expect(near.some((s) => s > 0)).toBe(true);
  });

  it('saturatedTanh: tanh layers, first-layer |S| mostly 20..400', () => {
    const cases = sampleOf('saturatedTanh', ALL);
    const hidden = cases.flatMap((c) => c.network.layers.slice(0, -1).map(activationNameOf));
    expect(hidden.filter((a) => a !== 'tanh')).toEqual([]);
    const S = cases.flatMap((c) => firstLayerS(c).flat()).map(Math.abs);
    const [lo, hi] = SATURATED_TANH_RANGE;
    expect(median(S)).toBeGreaterThanOrEqual(lo);
    expect(S.filter((s) => s >= lo).length / S.length).toBeGreaterThan(0.7);
    expect(S.filter((s) => s > hi * 1.0001).length).toBe(0);
  });

  it('logitGap: softmax / cce, rows whose logits are more than 709 apart', () => {
    const cases = sampleOf('logitGap', { ...ALL, maxLayers: 1 }).filter((c) => c.batch.nOut >= 2);
    for (const c of cases) expect(lossNameOf(c.network)).toBe('cce');
    const gaps = cases.flatMap((c) => firstLayerS(c).map((row) => Math.max(...row) - Math.min(...row)));
    expect(gaps.filter((g) => g > 709).length / gaps.length).toBeGreaterThan(0.5);
    expect(Math.max(...gaps)).toBeGreaterThan(LOGIT_GAP_RANGE[1]);
    // deeper networks: typical hidden layers, the logit layer large
    const deep = sampleOf('logitGap', { ...ALL, minLayers: 2, maxLayers: 3 });
    for (const c of deep) for (const layer of c.network.layers.slice(0, -1)) expect([...layer.W].every((w) => Math.abs(w) <= 2)).toBe(true);
  });
});

describe('refusals', () => {
  it.each<[Partial<GenerateOptions>, string]>([
    [{ activations: ['tanh'], losses: ['bce'] }, 'bce needs a sigmoid output (sigmoid is not allowed)'],
    [{ activations: ['relu', 'sigmoid'], losses: ['cce'] }, 'cce needs a softmax output (softmax is not allowed)'],
    [{ activations: ['softmax'], losses: ['mse', 'bce'] }, 'mse needs an output activation other than softmax (only softmax is allowed)'],
    [{ activations: ['softmax'], losses: ['cce'], minLayers: 2 }, 'admit no valid network of 2 or more layers'],
    [{ activations: [] }, 'generate option activations must be a non-empty subset'],
    [{ losses: ['hinge' as LossName] }, 'generate option losses must be a non-empty subset of bce, cce, mse, got [hinge]'],
    [{ activations: ['gelu' as ActivationName] }, 'got [gelu]'],
    [{ alphas: [1] }, 'generate option alphas must be a non-empty list of numbers in [0, 1), got [1]'],
    [{ classes: ['huge' as MagnitudeClass] }, 'generate option classes must be a non-empty subset'],
  ])('%j is a RangeError saying why', (options, message) => {
    expect(() => caseArbitrary(options)).toThrow(RangeError);
    expect(() => caseArbitrary(options)).toThrow(message);
  });
});

describe('shrinking', () => {
  function counterexample(arb: fc.Arbitrary<GeneratedCase>, fails: (c: GeneratedCase) => boolean, seed = 42): GeneratedCase {
    const result = fc.check(fc.property(arb, (c) => !fails(c)), { seed, numRuns: 300 });
    expect(result.failed).toBe(true);
    return result.counterexample![0];
  }

  it('shrinks any failing case to one 1-1 layer of the first allowed family and simple numbers', () => {
    const c = counterexample(caseArbitrary({ activations: ['tanh', 'relu', 'linear'], losses: ['mse'] }), () => true);
    expect(describeCase(c)).toMatch(/^1-1 B=1 sum bias\[0\] act\[tanh\] mse [a-zA-Z]+$/);
    expect([...c.network.layers[0]!.W]).toEqual([0]);
    expect([...c.batch.X, ...c.batch.T]).toEqual([0, 0]);
    // the first allowed loss is bce: a version-1 network, described as version 1's
    const v1 = counterexample(caseArbitrary(ALL), () => true);
    expect(describeCase(v1)).toMatch(/^1-1 B=1 sum bias\[0\] [a-zA-Z]+$/);
    expect(isVersion1(v1.network)).toBe(true);
  });

  it('shrinks toward the first allowed activation, keeping what the failure needs, the pair rule holding', () => {
    // fails when a relu layer feeds a softmax / cce output: shrinks to that, width 1, at most one
    // layer more (fast-check drops the last hidden layer first: a sigmoid below the relu stays,
    // shrunk from whatever it was to the first allowed; the case shrinker removes it)
    for (const seed of [1, 2, 3, 42]) {
      const c = counterexample(
        caseArbitrary(ALL),
        (k) => lossNameOf(k.network) === 'cce' && k.network.layers.some((l) => l.activation === 'relu'),
        seed,
      );
      expect(describeCase(c)).toMatch(/^1-1-1(-1)? B=1 sum bias\[0,0(,0)?\] act\[(sigmoid,)?relu,softmax\] cce /);
      expect([...c.batch.T]).toEqual([1]);
    }
    // an mse failure that needs two layers shrinks to the first mse output allowed (sigmoid)
    const m = counterexample(caseArbitrary(ALL), (k) => lossNameOf(k.network) === 'mse' && k.network.layers.length >= 2);
    expect(describeCase(m)).toMatch(/^1-1-1 B=1 sum bias\[0,0\] act\[sigmoid,sigmoid\] mse /);
  });

  it('shrinks cce targets as probability rows: a soft row that must stay soft keeps summing to exactly 1', () => {
    const c = counterexample(
      caseArbitrary({ activations: ['softmax'], losses: ['cce'], classes: ['typical'] }),
      (k) => [...k.batch.T].some((t) => t > 0 && t < 1),
    );
    expect(c.batch.nOut).toBe(2);
    expect(c.batch.size).toBe(1);
    expect([...c.batch.T].reduce((s, t) => s + t, 0)).toBe(1);
    expect([...c.batch.T].every((t) => t > 0 && t < 1 && t * 2 ** 52 === Math.round(t * 2 ** 52))).toBe(true);
  });

  it('describes version-2 cases with their family, leaky_relu with its alpha', () => {
    const descriptions = sampleCases({ ...ALL, minLayers: 2 }, 200, 5).map(describeCase);
    for (const d of descriptions) expect(d).toMatch(/^\d+(-\d+)+ B=\d+ (sum|mean) bias\[[01](,[01])*\]( act\[[a-z_().0-9,]+\] (bce|cce|mse))? [a-zA-Z]+$/);
    expect(descriptions.some((d) => /leaky_relu\(0\.1\)/.test(d))).toBe(true);
  });
});
