/**
 * The fixture implementations in fixtures/implementations do what their header comments say:
 * the correct ones agree with the float64 reference, each buggy one differs exactly where its bug
 * says, and the textbook ones are right on ordinary networks but lose accuracy in saturation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModule, startCommand, type Iut } from '../../src/iut/index.js';
import { forward } from '../../src/reference/forward.js';
import { referenceGradients } from '../../src/reference/index.js';
import { parseBatch, parseGradients, parseNetwork } from '../../src/network/index.js';
import type { BatchJson, Gradients, NetworkJson } from '../../src/network/index.js';
import { deep, small, withReduction } from './helpers.js';

const DIR = 'fixtures/implementations';

/** Every fixture, loaded once for the whole file (correct.py as a command). */
const iuts = new Map<string, Iut>();
const MODULES = [
  'correct.mjs',
  'correct.ts',
  'correct-float32.mjs',
  'textbook.mjs',
  'textbook-float32.mjs',
  'buggy-wrong-sign.mjs',
  'buggy-missing-slope.mjs',
  'buggy-transposed.mjs',
  'buggy-scaled.mjs',
  'buggy-float32-sum.mjs',
  'buggy-float32-1e-3.mjs',
  'buggy-mean.mjs',
];

beforeAll(async () => {
  for (const name of MODULES) iuts.set(name, await loadModule(`${DIR}/${name}`));
  iuts.set('correct.py', await startCommand(`python3 ${DIR}/correct.py`));
});

afterAll(async () => {
  await Promise.all([...iuts.values()].map((iut) => iut.close()));
});

type Item = { network: NetworkJson; batch: BatchJson };

/** Flat list of every value of a result: loss, then each layer's weights and bias, then outputs. */
interface Flat {
  loss: number;
  layers: { W: number[]; b: number[] | null }[];
  outputs: number[];
}

function flatten(g: Gradients & { outputs?: Float64Array }): Flat {
  return {
    loss: g.loss,
    layers: g.layers.map((layer) => ({ W: Array.from(layer.W), b: layer.b ? Array.from(layer.b) : null })),
    outputs: g.outputs ? Array.from(g.outputs) : [],
  };
}

/** The reference's answer for a case, flattened. */
function reference(item: Item): Flat {
  const network = parseNetwork(item.network);
  return flatten(referenceGradients(network, parseBatch(item.batch, network)));
}

/** A fixture's answer for a case, checked by parseGradients and flattened. */
async function answer(name: string, item: Item): Promise<Flat> {
  const raw = await iuts.get(name)!.gradients(item.network, item.batch);
  const network = parseNetwork(item.network);
  return flatten(parseGradients(raw, network, name, item.batch.inputs.length));
}

/** Largest relative difference |a - r| / |r| over two lists (0 where both are 0). */
function worst(a: readonly number[], r: readonly number[]): number {
  expect(a).toHaveLength(r.length);
  let most = 0;
  r.forEach((ref, k) => {
    const diff = Math.abs(a[k]! - ref);
    most = Math.max(most, diff === 0 ? 0 : diff / Math.abs(ref));
  });
  return most;
}

/** Every value of a result, in one list. */
function all(flat: Flat): number[] {
  return [flat.loss, ...flat.layers.flatMap((l) => [...l.W, ...(l.b ?? [])]), ...flat.outputs];
}

const CASES: [string, Item][] = [
  ['3-4-2 sum', small],
  ['3-4-2 mean', withReduction(small, 'mean')],
  ['2-3-3-1 mean, mixed biases', deep],
  ['2-3-3-1 sum', withReduction(deep, 'sum')],
];

describe('correct fixtures agree with the float64 reference', () => {
  it.each(CASES)('correct.mjs is bit-identical to the reference (%s)', async (_, item) => {
    expect(await answer('correct.mjs', item)).toEqual(reference(item));
  });

  for (const name of ['correct.ts', 'correct.py', 'textbook.mjs']) {
    it.each(CASES)(`${name} within 1e-12 relative (%s)`, async (_, item) => {
      const got = await answer(name, item);
      const ref = reference(item);
      expect(got.layers.map((l) => l.b === null)).toEqual(ref.layers.map((l) => l.b === null));
      expect(worst(all(got), all(ref))).toBeLessThan(1e-12);
    });
  }

  for (const name of ['correct-float32.mjs', 'textbook-float32.mjs']) {
    it.each(CASES)(`${name} within 1e-5 relative (%s), and its values are float32`, async (_, item) => {
      const got = await answer(name, item);
      expect(worst(all(got), all(reference(item)))).toBeLessThan(1e-5);
      for (const value of all(got)) expect(Math.fround(value)).toBe(value);
    });
  }

  it('each describes its precision', async () => {
    const precisions = await Promise.all(
      ['correct.mjs', 'correct.ts', 'correct.py', 'correct-float32.mjs', 'textbook.mjs', 'textbook-float32.mjs'].map(
        async (name) => (await iuts.get(name)!.describe()).precision,
      ),
    );
    expect(precisions).toEqual(['float64', 'float64', 'float64', 'float32', 'float64', 'float32']);
  });
});

describe('buggy fixtures differ where their bug says', () => {
  it.each(CASES)('buggy-wrong-sign: exactly the output layer’s weight gradients are negated (%s)', async (_, item) => {
    const got = await answer('buggy-wrong-sign.mjs', item);
    const ref = await answer('correct.mjs', item);
    const last = ref.layers.length - 1;
    expect(got.layers[last]!.W).toEqual(ref.layers[last]!.W.map((g) => -g));
    expect(got.layers[last]!.b).toEqual(ref.layers[last]!.b);
    expect(got.layers.slice(0, last)).toEqual(ref.layers.slice(0, last));
    expect(got.loss).toBe(ref.loss);
    expect(ref.layers[last]!.W.some((g) => Math.abs(g) > 1e-3)).toBe(true);
  });

  it('buggy-missing-slope: the output layer is right, the hidden gradient lacks exactly Z(1 - Z)', async () => {
    // One sample, two layers: dE/dV_kj = X_k Z_j (1 - Z_j) g_j, and the bug returns X_k g_j.
    const item: Item = { network: small.network, batch: { inputs: [small.batch.inputs[0]!], targets: [small.batch.targets[0]!] } };
    const got = await answer('buggy-missing-slope.mjs', item);
    const ref = reference(item);
    expect(worst(got.layers[1]!.W, ref.layers[1]!.W)).toBeLessThan(1e-15);
    const network = parseNetwork(item.network);
    const pass = forward(network, parseBatch(item.batch, network));
    const slope = Array.from(pass.Z[0]!, (Z, j) => Z * pass.Zc[0]![j]!);
    const restored = got.layers[0]!.W.map((g, k) => g * slope[k % 4]!);
    expect(worst(restored, ref.layers[0]!.W)).toBeLessThan(1e-14);
    expect(worst(got.layers[0]!.b!.map((g, j) => g * slope[j]!), ref.layers[0]!.b!)).toBeLessThan(1e-14);
    expect(worst(got.layers[0]!.W, ref.layers[0]!.W)).toBeGreaterThan(3);
  });

  it.each(CASES)('buggy-transposed: the output layer is right, the layers below are wrong (%s)', async (_, item) => {
    const got = await answer('buggy-transposed.mjs', item);
    const ref = reference(item);
    const last = ref.layers.length - 1;
    expect(worst(got.layers[last]!.W, ref.layers[last]!.W)).toBeLessThan(1e-15);
    expect(worst(got.layers[0]!.W, ref.layers[0]!.W)).toBeGreaterThan(1e-2);
  });

  it('buggy-transposed: invisible when the weights above are square and symmetric', async () => {
    const item: Item = {
      network: {
        layers: [
          { weights: [[0.3, -0.6], [0.9, 0.2]], bias: [0.1, -0.1] },
          { weights: [[0.7, -0.4], [-0.4, 1.1]], bias: [0, 0.2] },
        ],
      },
      batch: { inputs: [[1, -2]], targets: [[1, 0]] },
    };
    const got = await answer('buggy-transposed.mjs', item);
    expect(worst(all(got), all(reference(item)))).toBeLessThan(1e-15);
  });

  it.each(CASES)('buggy-scaled: the first layer’s gradient is 1 + 1e-9 times the right one, the rest is exact (%s)', async (_, item) => {
    const got = await answer('buggy-scaled.mjs', item);
    const ref = await answer('correct.mjs', item);
    const first = [...ref.layers[0]!.W, ...(ref.layers[0]!.b ?? [])];
    const scaled = [...got.layers[0]!.W, ...(got.layers[0]!.b ?? [])];
    first.forEach((g, k) => {
      if (g !== 0) expect(Math.abs(scaled[k]! / g - (1 + 1e-9))).toBeLessThan(1e-15);
    });
    expect(got.layers.slice(1)).toEqual(ref.layers.slice(1));
    expect(got.loss).toBe(ref.loss);
  });

  it.each(CASES)('buggy-float32-sum: claims float64, its weight gradients are off by float32 rounding only (%s)', async (_, item) => {
    expect(await iuts.get('buggy-float32-sum.mjs')!.describe()).toEqual(expect.objectContaining({ precision: 'float64' }));
    const got = await answer('buggy-float32-sum.mjs', item);
    const ref = await answer('correct.mjs', item);
    const weights = (f: Flat): number[] => f.layers.flatMap((l) => l.W);
    const off = worst(weights(got), weights(ref));
    expect(off).toBeGreaterThan(1e-10);
    expect(off).toBeLessThan(1e-5);
    for (const value of weights(got)) expect(Math.fround(value)).toBe(value);
    expect(got.layers.map((l) => l.b)).toEqual(ref.layers.map((l) => l.b));
    expect(got.loss).toBe(ref.loss);
  });

  it.each(CASES)('buggy-float32-1e-3: describes float32, its output layer is off by 1e-3 relative (%s)', async (_, item) => {
    expect((await iuts.get('buggy-float32-1e-3.mjs')!.describe()).precision).toBe('float32');
    const got = await answer('buggy-float32-1e-3.mjs', item);
    const ref = reference(item);
    const last = ref.layers.length - 1;
    const output = (f: Flat): number[] => [...f.layers[last]!.W, ...(f.layers[last]!.b ?? [])];
    got.layers[last]!.W.forEach((g, k) => {
      const r = ref.layers[last]!.W[k]!;
      expect(Math.abs(g / r - (1 + 1e-3))).toBeLessThan(1e-5);
    });
    expect(worst(output(got), output(ref))).toBeLessThan(1.01e-3);
    const below = (f: Flat): number[] => f.layers.slice(0, last).flatMap((l) => [...l.W, ...(l.b ?? [])]);
    expect(worst(below(got), below(ref))).toBeLessThan(1e-5);
    expect(Math.abs(got.loss / ref.loss - 1)).toBeLessThan(1e-5);
  });

  it('buggy-mean: with "mean" everything is n_L times too large; with "sum", or one output, it is right', async () => {
    const mean = withReduction(small, 'mean');
    const got = await answer('buggy-mean.mjs', mean);
    const ref = reference(mean);
    const nL = 2;
    const values = (f: Flat): number[] => all({ ...f, outputs: [] });
    expect(worst(values(got), values(ref).map((v) => v * nL))).toBeLessThan(1e-14);
    expect(got.outputs).toEqual(ref.outputs);
    expect(await answer('buggy-mean.mjs', small)).toEqual(reference(small));
    expect(worst(all(await answer('buggy-mean.mjs', deep)), all(reference(deep)))).toBeLessThan(1e-15);
  });
});

describe('textbook fixtures are right, only less accurate in saturation', () => {
  /** One unit with logit S = 200 and target 0: the loss is softplus(200) = 200. */
  const saturatedOutput: Item = { network: { layers: [{ weights: [[200]], bias: [0] }] }, batch: { inputs: [[1]], targets: [[0]] } };
  /** A hidden unit at S = 40: its slope Z(1 - Z) is about 4e-18, which 1 - Z from a rounded Z makes 0. */
  const saturatedHidden: Item = {
    network: { layers: [{ weights: [[40]], bias: [0] }, { weights: [[1]], bias: [0] }] },
    batch: { inputs: [[1]], targets: [[0]] },
  };

  it('the reference keeps the loss and the hidden slope in saturation', () => {
    expect(reference(saturatedOutput).loss).toBe(200);
    expect(reference(saturatedHidden).layers[0]!.W[0]).toBeGreaterThan(1e-18);
  });

  it('textbook.mjs: BCELoss clamps the loss at 100, and the hidden gradient vanishes to 0', async () => {
    expect((await answer('textbook.mjs', saturatedOutput)).loss).toBe(100);
    expect((await answer('textbook.mjs', saturatedHidden)).layers[0]!.W[0]).toBe(0);
  });

  it('textbook-float32.mjs: the clamp to 1 - 1e-7 caps the loss near 16', async () => {
    const loss = (await answer('textbook-float32.mjs', saturatedOutput)).loss;
    expect(loss).toBeGreaterThan(15);
    expect(loss).toBeLessThan(17);
  });
});
