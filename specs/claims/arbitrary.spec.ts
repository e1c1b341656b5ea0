import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimCaseArbitrary, simpleTarget, simpleValue } from '../../src/claims/arbitrary.js';
import { claimMath } from '../../src/claims/math.js';
import { probeCases } from '../../src/claims/probes.js';
import { caseSize, formatSize, significantDigits } from '../../src/claims/size.js';
import { formatDigits, formatValue } from '../../src/claims/values.js';
import { caseToJson } from '../../src/network/json.js';
import { parseCase } from '../../src/network/validate.js';
import { Decimal } from '../../src/oracle/decimal.js';

const options = { depths: [1, 2], reduction: 'sum' as const };

describe('the cases claims are checked on', () => {
  it('gives the same cases for the same seed, valid and within the sizes asked', () => {
    const a = fc.sample(claimCaseArbitrary(options), { seed: 5, numRuns: 50 });
    expect(fc.sample(claimCaseArbitrary(options), { seed: 5, numRuns: 50 })).toEqual(a);
    for (const c of a) {
      expect(() => parseCase(caseToJson(c))).not.toThrow();
      const size = caseSize(caseToJson(c));
      expect([1, 2]).toContain(size.layers);
      expect(size.maxUnits).toBeLessThanOrEqual(3);
      expect(size.batch).toBeLessThanOrEqual(3);
    }
    const saturating = fc.sample(claimCaseArbitrary({ ...options, saturating: true, bias: true }), { seed: 5, numRuns: 50 });
    expect(saturating.some((c) => c.network.layers.some((l) => l.W.some((w) => Math.abs(w) > 10)))).toBe(true);
    expect(saturating.every((c) => c.network.layers.every((l) => l.b !== null))).toBe(true);
  });

  it('shrinks to one layer, batch 1, simple numbers', () => {
    const result = fc.check(fc.property(claimCaseArbitrary({ ...options, depths: [1, 2] }), (c) => c.network.layers.every((l) => l.W.every((w) => Math.abs(w) < 1))), { seed: 3 });
    const c = caseToJson(result.counterexample![0]);
    expect(caseSize(c)).toMatchObject({ layers: 1, batch: 1, maxDigits: 1 });
    expect(c.network.layers[0]!.weights.flat().filter((w) => w !== 0)).toEqual([1]);
  });

  it('draws numbers in [-2, 2] and targets in [0, 1] that shrink toward 0', () => {
    for (const x of fc.sample(simpleValue(), { seed: 1, numRuns: 200 })) expect(Math.abs(x)).toBeLessThanOrEqual(2);
    for (const t of fc.sample(simpleTarget(), { seed: 1, numRuns: 200 })) expect(t >= 0 && t <= 1).toBe(true);
    expect(() => claimCaseArbitrary({ ...options, depths: [] })).toThrow(RangeError);
    expect(() => claimCaseArbitrary({ ...options, maxWidth: 0 })).toThrow(RangeError);
  });

  it('has probe networks of generic numbers', () => {
    const [p] = probeCases(2, 'mean', 1);
    expect(p!.network.layers.map((l) => [l.nIn, l.nOut])).toEqual([[2, 3], [3, 2]]);
    expect(p!.network.layers.every((l) => l.W.every((w) => Math.abs(w) >= 0.2))).toBe(true);
    expect(probeCases(1, 'sum')).toHaveLength(2);
  });
});

describe('sizes and numbers in reports', () => {
  it('counts significant digits and measures a case', () => {
    expect([0, 0.25, 37, 100, 1e-300, -1.75, 0.1].map(significantDigits)).toEqual([1, 2, 2, 1, 1, 3, 1]);
    const c = { network: { layers: [{ weights: [[0.25, 1]], bias: [0.5, 0] }], reduction: 'sum' as const }, batch: { inputs: [[1.125]], targets: [[0, 1]] } };
    expect(caseSize(c)).toEqual({ layers: 1, maxUnits: 2, batch: 1, maxDigits: 4 });
    expect(formatSize(c)).toBe('1 layer 1-2, batch 1, 4 digits');
    expect(formatSize({ network: { layers: [{ weights: [[0]] }, { weights: [[1]] }] }, batch: { inputs: [[0]], targets: [[0]] } })).toBe('2 layers 1-1-1, batch 1, 1 digit');
  });

  it('writes values and digits', () => {
    expect(formatValue(new Decimal('0.12345678901234567'))).toBe('0.123456789012');
    expect([Infinity, -Infinity, 3.14159].map(formatDigits)).toEqual(['all', 'none', '3.1']);
  });

  it('evaluates log1p in decimal to every digit for tiny arguments', () => {
    const { math } = claimMath('decimal', 50);
    expect(String(math.evaluate('log1p(1e-30)'))).toBe('9.999999999999999999999999999995e-31');
    expect(String(math.evaluate('softplus(-80)'))).toMatch(/^1\.8048513878454151\d+e-35$/);
    expect(claimMath('decimal', 50)).toBe(claimMath('decimal', 50));
    expect(claimMath('float64').math.evaluate('softplus(800)')).toBe(800);
  });
});
