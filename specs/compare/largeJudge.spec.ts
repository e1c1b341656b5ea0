import { describe, expect, it } from 'vitest';
import { FAST_MEASURE_ENTRIES } from '../../src/compare/entries.js';
import { judge, worstOutcome } from '../../src/compare/judge.js';
import { measure } from '../../src/compare/measures.js';
import { parseCase } from '../../src/network/index.js';
import { oracle } from '../../src/oracle/index.js';
import { referenceGradients } from '../../src/reference/index.js';

/**
 * Networks above FAST_MEASURE_ENTRIES weights are measured in double-double arithmetic, refined in
 * exact arithmetic where a verdict depends on it: the verdicts and errors must be those of the exact
 * measure.
 */

function bigCase(seed: number, saturate = false) {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  const nIn = 150;
  const nOut = 140; // 21 000 weights
  const weights = Array.from({ length: nIn }, () => Array.from({ length: nOut }, () => (saturate ? 40 : 0.2) * rand()));
  return parseCase({
    network: { layers: [{ weights, bias: Array.from({ length: nOut }, () => rand()) }] },
    batch: { inputs: [Array.from({ length: nIn }, rand), Array.from({ length: nIn }, rand)], targets: [Array.from({ length: nOut }, () => (rand() > 0 ? 1 : 0)), Array.from({ length: nOut }, () => (saturate ? (rand() > 0 ? 1 : 0) : rand() + 0.5))] },
  });
}

describe('judging a network of more than FAST_MEASURE_ENTRIES weights', () => {
  it('is above the threshold', () => {
    expect(150 * 140).toBeGreaterThan(FAST_MEASURE_ENTRIES);
  });

  it('calls the reference correct, and measures errors as the exact measure does', () => {
    const { network, batch } = bigCase(1);
    const exact = oracle(network, batch, { finiteDifferences: false });
    const ref = referenceGradients(network, batch);
    const judgements = judge(network, batch, ref, exact, 'float64');
    expect(worstOutcome(judgements)).toBe('correct');
    for (const k of [0, 1, 2, 777, 10_000, 20_999, 21_000, judgements.length - 1]) {
      const j = judgements[k]!;
      const m = measure(j.value, j.exact, j.scale);
      expect(Math.abs(j.error - m.error)).toBeLessThanOrEqual(1e-10 * m.error + 1e-300);
    }
  });

  it('finds single-entry slips of 1e-9 and a NaN, at the right entries, and nothing else', () => {
    const { network, batch } = bigCase(2);
    const exact = oracle(network, batch, { finiteDifferences: false });
    const ref = referenceGradients(network, batch);
    const W = Float64Array.from(ref.layers[0]!.W);
    W[1234] = W[1234]! * (1 + 1e-9);
    W[20_500] = Number.NaN;
    const judgements = judge(network, batch, { ...ref, layers: [{ W, b: ref.layers[0]!.b }] }, exact, 'float64');
    const wrong = judgements.filter((j) => j.outcome === 'wrong');
    expect(wrong.map((j) => j.where)).toEqual([
      { kind: 'weight', layer: 0, j: Math.floor(1234 / 140), i: 1234 % 140 },
      { kind: 'weight', layer: 0, j: Math.floor(20_500 / 140), i: 20_500 % 140 },
    ]);
    expect(wrong[1]!.reason).toBe('non-finite');
  });

  it('names the textbook cancellation of an inaccurate entry in a saturated network', () => {
    const { network, batch } = bigCase(3, true);
    const exact = oracle(network, batch, { finiteDifferences: false });
    const ref = referenceGradients(network, batch);
    const W = Float64Array.from(ref.layers[0]!.W);
    // the textbook Z - t from a rounded Z: an output saturated toward t = 1 gets delta 0 instead of -(1 - Z)
    const judgedExact = judge(network, batch, ref, exact, 'float64');
    const target = judgedExact.findIndex((j) => j.where.kind === 'weight' && j.scale > 0 && j.scale < 1e-17 && Math.abs(j.value) > 0);
    expect(target).toBeGreaterThan(0);
    W[target - 1] = 0;
    const judgements = judge(network, batch, { ...ref, layers: [{ W, b: ref.layers[0]!.b }] }, exact, 'float64');
    const j = judgements[target]!;
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).not.toBeUndefined();
  });
});
