import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Network } from '../../src/network/types.js';
import { forward } from '../../src/reference/forward.js';
import {
  DEFAULT_GENERATE_OPTIONS,
  MAGNITUDE_CLASSES,
  SATURATING_INPUT_RANGE,
  SATURATING_RANGE,
  caseArbitrary,
  caseArbitraryForClass,
  describeCase,
  mixedSaturationArbitrary,
  networkArbitrary,
  resolveGenerateOptions,
  sampleCases,
  type GenerateOptions,
  type GeneratedCase,
  type MagnitudeClass,
} from '../../src/generate/index.js';

const RUNS = { seed: 42, numRuns: 300 };

/** Every weight of a network. */
function weightsOf(network: Network): number[] {
  return network.layers.flatMap((layer) => [...layer.W]);
}

/** Every bias entry of a network. */
function biasesOf(network: Network): number[] {
  return network.layers.flatMap((layer) => (layer.b ? [...layer.b] : []));
}

/** Weights, biases and inputs of a case (not targets). */
function valuesOf(c: GeneratedCase): number[] {
  return [...weightsOf(c.network), ...biasesOf(c.network), ...c.batch.X];
}

/** Every number of a case, targets included. */
function numbersOf(c: GeneratedCase): number[] {
  return [...valuesOf(c), ...c.batch.T];
}

/** First-layer pre-activations `S[b, i] = sum_j X[b, j] W_ji + b_i`. */
function firstLayerS(c: GeneratedCase): number[] {
  const layer = c.network.layers[0]!;
  const out: number[] = [];
  for (let b = 0; b < c.batch.size; b++) {
    for (let i = 0; i < layer.nOut; i++) {
      let s = layer.b ? layer.b[i]! : 0;
      for (let j = 0; j < layer.nIn; j++) s += c.batch.X[b * layer.nIn + j]! * layer.W[j * layer.nOut + i]!;
      out.push(s);
    }
  }
  return out;
}

/** The largest |S| of every layer of a case, from the reference's forward pass. */
function layerMaxS(c: GeneratedCase): number[] {
  return forward(c.network, c.batch).S.map((S) => S.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Checks a network against the options (structure, bias, reduction, finiteness, float32). */
function checkNetwork(network: Network, o: GenerateOptions): void {
  const { layers } = network;
  expect(layers.length).toBeGreaterThanOrEqual(o.minLayers);
  expect(layers.length).toBeLessThanOrEqual(o.maxLayers);
  expect(o.reductions).toContain(network.reduction);
  layers.forEach((layer, l) => {
    expect(layer.nIn).toBeGreaterThanOrEqual(1);
    expect(layer.nIn).toBeLessThanOrEqual(o.maxWidth);
    expect(layer.nOut).toBeGreaterThanOrEqual(1);
    expect(layer.nOut).toBeLessThanOrEqual(o.maxWidth);
    if (l > 0) expect(layer.nIn).toBe(layers[l - 1]!.nOut);
    expect(layer.W).toBeInstanceOf(Float64Array);
    expect(layer.W.length).toBe(layer.nIn * layer.nOut);
    if (layer.b !== null) {
      expect(layer.b).toBeInstanceOf(Float64Array);
      expect(layer.b.length).toBe(layer.nOut);
    }
    if (o.bias === true) expect(layer.b).not.toBeNull();
    if (o.bias === false) expect(layer.b).toBeNull();
  });
  const values = [...weightsOf(network), ...biasesOf(network)];
  expect(values.filter((v) => !Number.isFinite(v) || (o.float32 && Math.fround(v) !== v))).toEqual([]);
}

/** Checks a case against the options and its magnitude class's bounds. */
function checkCase(c: GeneratedCase, options: Partial<GenerateOptions> = {}): void {
  const o = resolveGenerateOptions(options);
  const { network, batch } = c;
  checkNetwork(network, o);
  expect(o.classes).toContain(c.magnitude);
  const first = network.layers[0]!;
  const last = network.layers[network.layers.length - 1]!;
  expect(batch.size).toBeGreaterThanOrEqual(1);
  expect(batch.size).toBeLessThanOrEqual(o.maxBatch);
  expect(batch.nIn).toBe(first.nIn);
  expect(batch.nOut).toBe(last.nOut);
  expect(batch.X).toBeInstanceOf(Float64Array);
  expect(batch.T).toBeInstanceOf(Float64Array);
  expect(batch.X.length).toBe(batch.size * batch.nIn);
  expect(batch.T.length).toBe(batch.size * batch.nOut);
  expect(numbersOf(c).filter((v) => !Number.isFinite(v) || (o.float32 && Math.fround(v) !== v))).toEqual([]);
  const hard = o.targets === 'hard' || (o.targets === 'any' && c.magnitude === 'zeros');
  expect([...batch.T].filter((t) => !(t >= 0 && t <= 1) || (hard && t !== 0 && t !== 1))).toEqual([]);
  if (c.magnitude === 'saturating') {
    const [lo, hi] = SATURATING_RANGE;
    const [xLo, xHi] = SATURATING_INPUT_RANGE;
    const slack = o.float32 ? 1e-6 : 1e-12;
    const outside = (v: number, min: number, max: number) => !(v >= min * (1 - slack) && v <= max * (1 + slack));
    expect([...batch.X].filter((x) => outside(Math.abs(x), xLo, xHi))).toEqual([]);
    for (const layer of network.layers) {
      const divisor = layer.nIn + (layer.b ? 1 : 0);
      const raw = [...layer.W, ...(layer.b ?? [])].map((v) => Math.abs(v) * divisor);
      expect(raw.filter((r) => outside(r, lo, hi))).toEqual([]);
    }
  } else {
    expect(valuesOf(c).filter((v) => !(Math.abs(v) <= 2))).toEqual([]);
  }
}

/** The failing case fast-check reports (after shrinking) for a property over `arb`. */
function counterexample<T>(arb: fc.Arbitrary<T>, fails: (value: T) => boolean, seed = 42): T {
  const result = fc.check(
    fc.property(arb, (value) => !fails(value)),
    { seed, numRuns: 200 },
  );
  expect(result.failed).toBe(true);
  return result.counterexample![0];
}

describe('generate options', () => {
  it('has the documented defaults', () => {
    expect(resolveGenerateOptions()).toEqual({
      minLayers: 1,
      maxLayers: 6,
      maxWidth: 8,
      maxBatch: 4,
      bias: 'any',
      reductions: ['sum', 'mean'],
      classes: ['typical', 'zeros', 'tiny', 'saturating'],
      targets: 'any',
      float32: false,
      activations: ['sigmoid'],
      losses: ['bce'],
      alphas: [0.01, 0.1, 0.5, 0],
    });
    expect(resolveGenerateOptions({ maxWidth: undefined, maxBatch: 2 })).toEqual({
      ...DEFAULT_GENERATE_OPTIONS,
      maxBatch: 2,
    });
    expect(MAGNITUDE_CLASSES).toEqual(['typical', 'zeros', 'tiny', 'saturating']);
  });

  it.each<[string, Partial<GenerateOptions>]>([
    ['minLayers 0', { minLayers: 0 }],
    ['fractional minLayers', { minLayers: 1.5 }],
    ['maxLayers < minLayers', { minLayers: 3, maxLayers: 2 }],
    ['maxWidth 0', { maxWidth: 0 }],
    ['maxBatch 0', { maxBatch: 0 }],
    ['no reduction', { reductions: [] }],
    ['unknown reduction', { reductions: ['max' as never] }],
    ['no class', { classes: [] }],
    ['unknown class', { classes: ['huge' as never] }],
    ['bad bias', { bias: 'yes' as never }],
    ['bad targets', { targets: 'medium' as never }],
  ])('rejects %s', (_name, options) => {
    expect(() => resolveGenerateOptions(options)).toThrow(RangeError);
    expect(() => caseArbitrary(options)).toThrow(RangeError);
    expect(() => networkArbitrary(options)).toThrow(RangeError);
  });
});

describe('determinism', () => {
  it('gives the same values for the same seed', () => {
    const arb = caseArbitrary();
    expect(fc.sample(arb, { seed: 7, numRuns: 30 })).toEqual(fc.sample(arb, { seed: 7, numRuns: 30 }));
    expect(fc.sample(networkArbitrary(), { seed: 7, numRuns: 30 })).toEqual(
      fc.sample(networkArbitrary(), { seed: 7, numRuns: 30 }),
    );
    const a = sampleCases({}, 25, 123);
    expect(a).toHaveLength(25);
    expect(sampleCases({}, 25, 123)).toEqual(a);
    expect(sampleCases({}, 25, 124)).not.toEqual(a);
  });

  it('describes cases in one line', () => {
    const c = counterexample(caseArbitraryForClass('zeros', { bias: true, reductions: ['mean'] }), () => true);
    expect(describeCase(c)).toBe('1-1 B=1 mean bias[1] zeros');
    const descriptions = sampleCases({}, 50, 5).map(describeCase);
    for (const d of descriptions) expect(d).toMatch(/^\d+(-\d+)+ B=\d+ (sum|mean) bias\[[01](,[01])*\] (typical|zeros|tiny|saturating)$/);
    expect(descriptions.some((d) => /bias\[[01,]*1[01,]*\]/.test(d) && /bias\[[01,]*0[01,]*\]/.test(d))).toBe(true);
  });
});

describe('validity', () => {
  it.each<[string, Partial<GenerateOptions>]>([
    ['the defaults', {}],
    [
      'narrow options (bias on, mean, hard targets)',
      { minLayers: 2, maxLayers: 3, maxWidth: 3, maxBatch: 2, bias: true, reductions: ['mean'], targets: 'hard' },
    ],
    ['bias off, sum, soft targets, two classes', { bias: false, reductions: ['sum'], targets: 'soft', classes: ['typical', 'tiny'] }],
    ['float32', { float32: true }],
    ['float32, hard targets, bias on', { float32: true, targets: 'hard', bias: true }],
    ['fixed depth, width 1', { minLayers: 6, maxLayers: 6, maxWidth: 1, maxBatch: 1 }],
  ])('generates valid cases with %s', (_name, options) => {
    fc.assert(
      fc.property(caseArbitrary(options), (c) => checkCase(c, options)),
      RUNS,
    );
  });

  it.each(MAGNITUDE_CLASSES)('generates valid %s cases, float64 and float32', (cls) => {
    fc.assert(
      fc.property(caseArbitraryForClass(cls), (c) => {
        expect(c.magnitude).toBe(cls);
        checkCase(c);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(caseArbitraryForClass(cls, { float32: true, classes: ['typical'] }), (c) => {
        expect(c.magnitude).toBe(cls);
        checkCase(c, { float32: true, classes: [cls] });
      }),
      RUNS,
    );
  });

  it('generates valid networks', () => {
    for (const options of [{}, { minLayers: 2, maxLayers: 2, maxWidth: 2, bias: false, float32: true }] as const) {
      const o = resolveGenerateOptions(options);
      fc.assert(
        fc.property(networkArbitrary(options), (network) => checkNetwork(network, o)),
        RUNS,
      );
    }
  });

  it('covers the whole option ranges', () => {
    const cases = sampleCases({}, 1000, 11);
    const layerCounts = new Set(cases.map((c) => c.network.layers.length));
    const widths = new Set(cases.flatMap((c) => c.network.layers.flatMap((l) => [l.nIn, l.nOut])));
    const sizes = new Set(cases.map((c) => c.batch.size));
    expect([...layerCounts].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...widths].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...sizes].sort()).toEqual([1, 2, 3, 4]);
    expect(new Set(cases.map((c) => c.network.reduction))).toEqual(new Set(['sum', 'mean']));
    const biased = cases.flatMap((c) => c.network.layers.map((l) => l.b !== null));
    expect(biased).toContain(true);
    expect(biased).toContain(false);
    const targets = cases.filter((c) => c.magnitude !== 'zeros').flatMap((c) => [...c.batch.T]);
    const hard = targets.filter((t) => t === 0 || t === 1).length / targets.length;
    expect(hard).toBeGreaterThan(0.2);
    expect(hard).toBeLessThan(0.9);
    const soft = sampleCases({ targets: 'soft' }, 300, 3).flatMap((c) => [...c.batch.T]);
    expect(soft.filter((t) => t > 0 && t < 1).length / soft.length).toBeGreaterThan(0.5);
  });
});

describe('magnitude classes', () => {
  const N = 600;
  const sampleOf = (cls: MagnitudeClass, options: Partial<GenerateOptions> = {}): GeneratedCase[] =>
    fc.sample(caseArbitraryForClass(cls, options), { seed: 2024, numRuns: N });

  it('draws the classes evenly, and only the chosen ones', () => {
    const cases = sampleCases({}, 2000, 99);
    for (const cls of MAGNITUDE_CLASSES) {
      const share = cases.filter((c) => c.magnitude === cls).length / cases.length;
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.3);
    }
    const two = sampleCases({ classes: ['zeros', 'saturating'] }, 200, 1).map((c) => c.magnitude);
    expect(new Set(two)).toEqual(new Set(['zeros', 'saturating']));
  });

  it('typical: |x| <= 2, mostly two-decimal values, some full-precision ones', () => {
    const values = sampleOf('typical').flatMap(valuesOf);
    expect(values.filter((v) => !(Math.abs(v) <= 2))).toEqual([]);
    const simple = values.filter((v) => Number(v.toFixed(2)) === v).length / values.length;
    expect(simple).toBeGreaterThan(0.5);
    expect(simple).toBeLessThan(0.95);
    // Full-precision values are uniform, not clustered near 0.
    const precise = values.filter((v) => Number(v.toFixed(6)) !== v).map(Math.abs);
    expect(median(precise)).toBeGreaterThan(0.3);
  });

  it('zeros: about half exact zeros, some -0, hard targets', () => {
    const cases = sampleOf('zeros');
    const values = cases.flatMap(valuesOf);
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.35);
    expect(zeros).toBeLessThan(0.8);
    expect(values.some((v) => Object.is(v, -0))).toBe(true);
    expect(cases.flatMap((c) => [...c.batch.T]).filter((t) => t !== 0 && t !== 1)).toEqual([]);
  });

  it('tiny: subnormal-adjacent values mixed with typical ones', () => {
    const cases = sampleOf('tiny');
    const hasTiny = (c: GeneratedCase) => valuesOf(c).some((v) => v !== 0 && Math.abs(v) < 1e-300);
    expect(cases.filter(hasTiny).length / cases.length).toBeGreaterThan(0.8);
    const values = cases.flatMap(valuesOf).filter((v) => v !== 0).map(Math.abs);
    expect(values.some((v) => v < 2.2250738585072014e-308)).toBe(true); // subnormal
    expect(values.some((v) => v > 1e-3)).toBe(true); // typical-size
    expect(values.filter((v) => !(v < 1e-289 || v >= 1e-20))).toEqual([]);
    // Some first-layer products underflow to 0 or below the normal range.
    const products = cases.flatMap((c) => {
      const layer = c.network.layers[0]!;
      return [...c.batch.X.subarray(0, layer.nIn)].map((x, j) => x * layer.W[j * layer.nOut]!);
    });
    expect(products.some((p) => p === 0)).toBe(true);

    const cases32 = sampleOf('tiny', { float32: true });
    const values32 = cases32.flatMap(valuesOf).filter((v) => v !== 0).map(Math.abs);
    expect(values32.some((v) => v < 1.1754943508222875e-38)).toBe(true); // float32 subnormal
    expect(values32.filter((v) => !(v < 1e-29 || v >= 1e-20))).toEqual([]);
    expect(cases32.filter((c) => valuesOf(c).some((v) => v !== 0 && Math.abs(v) < 1e-30)).length / N).toBeGreaterThan(0.8);
  });

  it.each([false, true])('saturating: median first-layer |S| >= 30 (float32 %s)', (float32) => {
    const cases = sampleOf('saturating', { float32 });
    const S = cases.flatMap(firstLayerS).map(Math.abs);
    expect(median(S)).toBeGreaterThanOrEqual(30);
    expect(S.filter((s) => s >= 30).length / S.length).toBeGreaterThan(0.75);
    expect(S.filter((s) => s > 1000 * 1.0001).length).toBe(0);
    expect(S.some((s) => s >= 500)).toBe(true);
    // Both signs: negative and positive saturation.
    const signed = cases.flatMap(firstLayerS);
    expect(signed.some((s) => s <= -30)).toBe(true);
    expect(signed.some((s) => s >= 30)).toBe(true);
  });

  it.each([false, true])('saturating: |S| reaches the claimed 1000, in every layer (float32 %s)', (float32) => {
    // the specs that judge saturated losses "up to |S| = 1000" rely on this
    const maxima = sampleOf('saturating', { float32 }).map((c) => Math.max(...layerMaxS(c)));
    expect(Math.max(...maxima)).toBeGreaterThan(990);
    expect(Math.max(...maxima)).toBeLessThanOrEqual(1000 * 1.0001);
    expect(maxima.filter((m) => m > 900).length / maxima.length).toBeGreaterThan(0.03);
    expect(maxima.filter((m) => m > 500).length / maxima.length).toBeGreaterThan(0.4);
    expect(median(maxima)).toBeGreaterThan(300);
  });
});

describe('mixed saturation: a saturated layer next to a typical one', () => {
  const N = 400;
  const [lo, hi] = SATURATING_RANGE;
  const [xLo, xHi] = SATURATING_INPUT_RANGE;

  /** Each layer's kind by its numbers: typical (|x| <= 2), saturating (raw magnitudes in range), or null. */
  function kindOf(layer: Network['layers'][number], float32: boolean): 'typical' | 'saturating' | null {
    const values = [...layer.W, ...(layer.b ?? [])];
    if (values.every((v) => Math.abs(v) <= 2)) return 'typical';
    const divisor = layer.nIn + (layer.b ? 1 : 0);
    const slack = float32 ? 1e-6 : 1e-12;
    return values.every((v) => Math.abs(v) * divisor >= lo * (1 - slack) && Math.abs(v) * divisor <= hi * (1 + slack)) ? 'saturating' : null;
  }

  it.each([false, true])('every case has >= 2 layers, each saturating or typical, at least one of each (float32 %s)', (float32) => {
    const options: Partial<GenerateOptions> = { float32 };
    fc.assert(
      fc.property(mixedSaturationArbitrary(options), (c) => {
        expect(c.magnitude).toBe('saturating');
        checkNetwork(c.network, resolveGenerateOptions({ ...options, minLayers: 2 }));
        const kinds = c.network.layers.map((l) => kindOf(l, float32));
        expect(kinds).not.toContain(null);
        expect(new Set(kinds)).toEqual(new Set(['typical', 'saturating']));
        // inputs from the first layer's class
        const inputsOk = kinds[0] === 'typical' ? (x: number) => Math.abs(x) <= 2 : (x: number) => Math.abs(x) >= xLo && Math.abs(x) <= xHi;
        expect([...c.batch.X].filter((x) => !inputsOk(x))).toEqual([]);
        expect([...c.batch.T].filter((t) => !(t >= 0 && t <= 1))).toEqual([]);
        if (float32) expect(numbersOf(c).filter((v) => Math.fround(v) !== v)).toEqual([]);
      }),
      { seed: 42, numRuns: N },
    );
  });

  it('mixes them both ways: typical layers fed saturated outputs keep |S| of order 1, saturated layers reach |S| in the hundreds', () => {
    const cases = fc.sample(mixedSaturationArbitrary(), { seed: 2024, numRuns: N });
    let typicalAboveSaturated = 0;
    let saturatedAboveTypical = 0;
    const typicalS: number[] = [];
    const saturatedS: number[] = [];
    for (const c of cases) {
      const kinds = c.network.layers.map((l) => kindOf(l, false));
      const maxS = layerMaxS(c);
      kinds.forEach((k, l) => (k === 'typical' ? typicalS : saturatedS).push(maxS[l]!));
      for (let l = 1; l < kinds.length; l++) {
        if (kinds[l] === 'typical' && kinds[l - 1] === 'saturating') typicalAboveSaturated += 1;
        if (kinds[l] === 'saturating' && kinds[l - 1] === 'typical') saturatedAboveTypical += 1;
      }
    }
    expect(typicalAboveSaturated / N).toBeGreaterThan(0.3);
    expect(saturatedAboveTypical / N).toBeGreaterThan(0.3);
    expect(median(typicalS)).toBeLessThan(5);
    expect(median(saturatedS)).toBeGreaterThan(30);
    expect(Math.max(...saturatedS)).toBeGreaterThan(900);
  });

  it('gives the same cases for the same seed, and leaves the default generator alone', () => {
    const arb = mixedSaturationArbitrary({ maxLayers: 3 });
    expect(fc.sample(arb, { seed: 7, numRuns: 20 })).toEqual(fc.sample(arb, { seed: 7, numRuns: 20 }));
    // the default generator's saturating class stays saturated in every layer: mixing is opt-in
    const saturating = sampleCases({}, 200, 7).filter((c) => c.magnitude === 'saturating');
    expect(saturating.length).toBeGreaterThan(20);
    expect(saturating.filter((c) => c.network.layers.some((l) => kindOf(l, false) !== 'saturating'))).toEqual([]);
  });

  it('shrinks to a saturated unit (raw weight 30, input 0.5) feeding a typical one (weight 0)', () => {
    const c = counterexample(mixedSaturationArbitrary(), () => true);
    expect(describeCase(c)).toBe('1-1-1 B=1 sum bias[0,0] saturating');
    expect(c.network.layers.map((l) => [...l.W])).toEqual([[30], [0]]);
    expect([...c.batch.X]).toEqual([0.5]);
    expect([...c.batch.T]).toEqual([0]);
  });

  it('rejects fewer than 2 layers and invalid options', () => {
    expect(() => mixedSaturationArbitrary({ maxLayers: 1 })).toThrow('mixed saturation needs maxLayers >= 2 (a saturated and a typical layer), got 1');
    expect(() => mixedSaturationArbitrary({ maxWidth: 0 })).toThrow(RangeError);
    expect(fc.sample(mixedSaturationArbitrary({ minLayers: 1, maxLayers: 2 }), { seed: 1, numRuns: 20 }).every((c) => c.network.layers.length === 2)).toBe(true);
  });
});

describe('shrinking', () => {
  const isSimple = (v: number) => Number(v.toFixed(2)) === v;

  it('shrinks any failing case to 1 layer, width 1, batch 1 and simple numbers', () => {
    const c = counterexample(caseArbitrary(), () => true);
    expect(c.network.layers).toHaveLength(1);
    expect([c.network.layers[0]!.nIn, c.network.layers[0]!.nOut]).toEqual([1, 1]);
    expect(c.batch.size).toBe(1);
    expect(c.network.reduction).toBe('sum');
    for (const v of numbersOf(c)) expect(isSimple(v)).toBe(true);
  });

  it.each<[MagnitudeClass, number[], number[]]>([
    ['typical', [0], [0]],
    ['zeros', [0], [0]],
    ['tiny', [0], [0]],
    ['saturating', [30], [0.5]],
  ])('shrinks a failing %s case to its simplest values', (cls, W, X) => {
    const c = counterexample(caseArbitraryForClass(cls), () => true);
    expect(describeCase(c)).toBe(`1-1 B=1 sum bias[0] ${cls}`);
    expect(c.network.layers[0]!.b).toBeNull();
    expect([...c.network.layers[0]!.W]).toEqual(W);
    expect([...c.batch.X]).toEqual(X);
    expect([...c.batch.T]).toEqual([0]);
  });

  it('shrinks saturating weights with a bias to 30 / (fan-in + 1)', () => {
    const c = counterexample(caseArbitraryForClass('saturating', { bias: true }), () => true);
    expect([...c.network.layers[0]!.W]).toEqual([15]);
    expect([...c.network.layers[0]!.b!]).toEqual([15]);
  });

  it.each([1, 2, 3, 42])('shrinks "some weight > 1" to a single simple weight in (1, 2] (seed %i)', (seed) => {
    for (const arb of [caseArbitraryForClass('typical'), caseArbitrary({ classes: ['typical', 'zeros', 'tiny'] })]) {
      const c = counterexample(arb, (k) => weightsOf(k.network).some((w) => w > 1), seed);
      const weights = weightsOf(c.network);
      const big = weights.filter((w) => w > 1);
      expect(big).toHaveLength(1);
      expect(big[0]!).toBeLessThanOrEqual(2);
      expect(isSimple(big[0]!)).toBe(true);
      for (const w of weights) expect(w > 1 || w === 0).toBe(true);
      expect(c.batch.size).toBe(1);
      expect([...c.batch.X].every((x) => x === 0)).toBe(true);
    }
  });

  it('shrinks structure independently of numbers', () => {
    // Fails only for deep, batched, mean-reduced cases: shrinks to exactly the boundary.
    const c = counterexample(
      caseArbitrary({ bias: true }),
      (k) => k.network.layers.length >= 3 && k.batch.size >= 2 && k.network.reduction === 'mean',
    );
    expect(describeCase(c)).toMatch(/^1-1-1-1 B=2 mean bias\[1,1,1\] /);
    for (const v of numbersOf(c)) expect(isSimple(v)).toBe(true);
  });

  it('shrinks a failing network to one 1x1 layer', () => {
    const network = counterexample(networkArbitrary(), () => true);
    expect(network.layers).toHaveLength(1);
    expect([network.layers[0]!.nIn, network.layers[0]!.nOut, network.layers[0]!.b]).toEqual([1, 1, null]);
    expect([0, 30]).toContain(network.layers[0]!.W[0]);
  });
});
