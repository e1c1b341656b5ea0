import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/oracle/index.js';
import { referenceGradients } from '../../src/reference/index.js';
import { directionalCheck, directionSign } from '../../src/verify/directional.js';
import { midCase } from './midCase.js';

const ctx = createContext(50);

describe('directional mode (random signed directions, then group testing)', () => {
  const c = midCase();

  it('passes the correct gradient in every direction', () => {
    const r = directionalCheck(ctx, c.network, c.batch, referenceGradients(c.network, c.batch), { seed: 5 });
    expect(r.verdict).toBe('correct');
    expect(r.directions).toHaveLength(4);
    expect(r.passes).toBe(4);
    for (const d of r.directions) expect(d.residual).toBeLessThan(d.tolerance);
  });

  it('flags one entry wrong by a relative 1e-6 and localises it by halving, in O(log P) passes', () => {
    const g = referenceGradients(c.network, c.batch);
    const nOut = c.network.layers[1]!.nOut;
    g.layers[1]!.W[17 * nOut + 4]! *= 1 + 1e-6;
    const r = directionalCheck(ctx, c.network, c.batch, g, { seed: 5 });
    expect(r.verdict).toBe('wrong');
    expect(r.directions.every((d) => d.flagged)).toBe(true);
    expect(r.localised.map((e) => e.text)).toEqual(['layer 2, dE/dW[j=17][i=4]']);
    expect(r.localised[0]!.error).toBeGreaterThan(r.localised[0]!.allowed);
    // 4 directions + one halving pass per level of a 1840-coordinate set
    expect(r.passes).toBeLessThanOrEqual(4 + Math.ceil(Math.log2(r.parameters)) + 1);
  });

  it('localises two wrong entries in different layers', () => {
    const g = referenceGradients(c.network, c.batch);
    g.layers[0]!.W[3 * 30 + 5]! *= 1 + 1e-4;
    g.layers[1]!.b![2]! *= 1 - 1e-4;
    const r = directionalCheck(ctx, c.network, c.batch, g, { seed: 11 });
    expect(r.localised.map((e) => e.text).sort()).toEqual(['layer 1, dE/dW[j=3][i=5]', 'layer 2, dE/db[i=2]']);
  });

  it('draws signs +-1, half of each, the same for the same seed', () => {
    const signs = Array.from({ length: 10_000 }, (_, k) => directionSign(42, 0, k));
    expect(new Set(signs)).toEqual(new Set([1, -1]));
    expect(Math.abs(signs.reduce((a, b) => a + b, 0))).toBeLessThan(400);
    expect(signs.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, k) => directionSign(42, 0, k)));
  });
});

describe('a case whose bound cannot be computed, in directional mode', () => {
  it('is an E_BOUND error naming the case and the entry (exit 2), never a verdict on a NaN allowance', async () => {
    const { verifyDirectional } = await import('../../src/verify/directional.js');
    const { inProcess } = await import('../../src/iut/index.js');
    const { referenceImplementation } = await import('../../src/iut/builtin.js');
    const { parseCase } = await import('../../src/network/index.js');
    // S = 1e308 - 1e308 = 0 exactly, but the magnitude sum |Y W| = 2e308 overflows
    const c = parseCase({ network: { layers: [{ weights: [[1e308], [1e308]] }] }, batch: { inputs: [[1, -1]], targets: [[1]] } });
    const report = await verifyDirectional(inProcess(referenceImplementation, 'reference'), [{ name: 'overflowing', case: c }]);
    expect(report.verdict).toBe('error');
    expect(report.exitCode).toBe(2);
    expect(report.error!.code).toBe('E_BOUND');
    expect(report.error!.message).toMatch(/could not check case overflowing: the error bound of layer 1, dE\/dW\[j=0\]\[i=0\] cannot be computed/);
    expect(report.failures).toEqual([]);
  });
});
