import { describe, expect, it } from 'vitest';
import { judge } from '../../src/compare/judge.js';
import { parseCase, parseGradients } from '../../src/network/index.js';
import { loadModule } from '../../src/iut/index.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * TensorFlow.js forms a float32 softmax through its log, e^(S_k - fl(m + ln sum)): on a row whose
 * hot class dominates by a gap of 16.4, ln sum = 7.3e-8 rounds away from lse = 3.952, so Z = 1 and
 * Z - t = 0 exactly (truth -7.3e-8). The float32 textbook softmax holds that route (found by
 * bench/family.mjs: v2-tfjs.mjs WRONG on this generated case, 0 where the truth is -5.3e-7).
 */
const ctx = createContext(50);
const json = {
  network: {
    layers: [
      { weights: [[2]], bias: [1.399999976158142], activation: 'relu' },
      { weights: [[2]], bias: null, activation: 'relu' },
      { weights: [[1.399999976158142, 1.899999976158142]], bias: null, activation: 'leaky_relu', alpha: 0.10000000149011612 },
      { weights: [[1, 0], [-2, 0.4000000059604645]], bias: null, activation: 'softmax' },
    ],
    reduction: 'sum',
    loss: 'cce',
  },
  batch: { inputs: [[0.6000000238418579]], targets: [[0, 1]] },
};

describe("TensorFlow.js's float32 softmax through its log", () => {
  it('its answer is inaccurate (named), never wrong; the same zero in a float64 claim, or a doubled delta, is wrong', async () => {
    const c = parseCase(json);
    const iut = await loadModule('fixtures/implementations/v2-tfjs.mjs');
    const raw = await iut.gradients(json.network as never, json.batch);
    await iut.close?.();
    const result = parseGradients(raw, c.network, 'result', 1);
    const exact = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
    const js = judge(c.network, c.batch, result, exact, 'float32');
    expect(js.filter((j) => j.outcome === 'wrong')).toEqual([]);
    const entry = js.find((j) => j.where.kind === 'weight' && j.where.layer === 3 && j.where.j === 0 && j.where.i === 1)!;
    expect(entry.value).toBe(0);
    expect(entry.outcome).toBe('inaccurate');
    // a value no computation gives: the truth doubled
    const doubled = { ...result, layers: result.layers.map((g, l) => (l === 3 ? { W: Float64Array.from(g.W, (w, k) => (k === 1 ? 2 * entry.exact.toNumber() : w)), b: g.b } : g)) };
    expect(judge(c.network, c.batch, doubled, exact, 'float32').find((j) => j.where.kind === 'weight' && j.where.layer === 3 && j.where.i === 1 && j.where.j === 0)!.outcome).toBe('wrong');
  }, 30_000);
});
