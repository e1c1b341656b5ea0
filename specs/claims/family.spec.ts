/**
 * Claims about the version-2 family: the family a claim names (defaults and refusals), the cases
 * and probe networks of that family (cce target rows probability vectors), the symbol set, and a
 * version-1 claim untouched (no family fields on its networks, the same symbols).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimCaseArbitrary } from '../../src/claims/arbitrary.js';
import { checkClaim } from '../../src/claims/check.js';
import { ClaimError } from '../../src/claims/errors.js';
import { claimFamily } from '../../src/claims/family.js';
import { probeCases } from '../../src/claims/probes.js';
import { resolveClaim } from '../../src/claims/resolve.js';
import { formatSymbols, symbolSet } from '../../src/claims/symbols.js';
import { caseToJson } from '../../src/network/json.js';
import { parseCase } from '../../src/network/validate.js';

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 60);

describe('the family of a claim', () => {
  it('fills in the output by the loss and the hidden layer as sigmoid', () => {
    expect(claimFamily({ formula: 'Y' }, 'output')).toEqual({ version1: true, loss: 'bce', activation: 'sigmoid', output: 'sigmoid', alpha: undefined });
    expect(claimFamily({ formula: 'Y', loss: 'cce' }, 'output')).toMatchObject({ version1: false, activation: 'softmax', output: 'softmax' });
    expect(claimFamily({ formula: 'Y', loss: 'mse' }, 'output')).toMatchObject({ activation: 'linear', output: 'linear' });
    expect(claimFamily({ formula: 'Y', activation: 'leaky_relu' }, 'hidden')).toMatchObject({ version1: false, activation: 'leaky_relu', output: 'sigmoid', alpha: 0.01 });
    expect(claimFamily({ formula: 'Y', loss: 'bce', activation: 'sigmoid' }, 'hidden').version1).toBe(true);
  });

  it('refuses what the protocol does not allow, as an option error', () => {
    for (const claim of [{ loss: 'cce' as const, activation: 'tanh' as const }, { loss: 'hinge' as never }, { activation: 'gelu' as never }, { activation: 'relu' as const, alpha: 0.1 }]) {
      expect(() => resolveClaim({ formula: 'Y', ...claim })).toThrow(ClaimError);
    }
    expect(() => resolveClaim({ formula: 'Y_j', layer: 'hidden', activation: 'leaky_relu', alpha: 1 })).toThrow('alpha must be a number with 0 <= alpha < 1');
  });
});

describe('the cases and probes of a family', () => {
  it('cce cases: softmax output, every target row sums to 1 exactly, valid; the claim layer has its activation', () => {
    const r = resolveClaim({ formula: 'Y', loss: 'cce' });
    const cases = fc.sample(claimCaseArbitrary({ depths: r.depths, reduction: 'sum', family: r.family, layerIndex: r.layerIndex }), { seed: 7, numRuns: RUNS });
    for (const c of cases) {
      expect(() => parseCase(caseToJson(c))).not.toThrow();
      expect(c.network.loss).toBe('cce');
      expect(c.network.layers.at(-1)!.activation).toBe('softmax');
      const n = c.batch.nOut;
      for (let q = 0; q < c.batch.size; q++) expect(Array.from(c.batch.T.subarray(q * n, (q + 1) * n)).reduce((a, b) => a + b, 0)).toBe(1);
    }
    const hidden = resolveClaim({ formula: 'Y_j', layer: 'hidden', activation: 'tanh', loss: 'mse' });
    for (const c of fc.sample(claimCaseArbitrary({ depths: hidden.depths, reduction: 'sum', family: hidden.family, layerIndex: hidden.layerIndex }), { seed: 7, numRuns: 20 })) {
      expect(c.network.layers.map((l) => l.activation)).toEqual(['tanh', 'linear']);
    }
    for (const c of probeCases(1, 'sum', 2, r.family)) {
      expect(() => parseCase(caseToJson(c))).not.toThrow();
      expect(c.batch.T[0]! + c.batch.T[1]!).toBe(1);
    }
  });

  it('a version-1 claim draws exactly the cases it drew before: no family fields', () => {
    const r = resolveClaim({ formula: 'Y' });
    const plain = fc.sample(claimCaseArbitrary({ depths: [1, 2], reduction: 'sum' }), { seed: 3, numRuns: 30 });
    const withFamily = fc.sample(claimCaseArbitrary({ depths: [1, 2], reduction: 'sum', family: r.family, layerIndex: r.layerIndex }), { seed: 3, numRuns: 30 });
    expect(withFamily).toEqual(plain);
    for (const c of withFamily) {
      expect(c.network).not.toHaveProperty('loss');
      for (const layer of c.network.layers) expect(layer).not.toHaveProperty('activation');
    }
    expect(probeCases(2, 'sum', 2, r.family)).toEqual(probeCases(2, 'sum'));
  });
});

describe('the symbols of a family', () => {
  it('version 1 unchanged; version 2 names the activation and adds step, tanh, alpha, sum_k', () => {
    expect(formatSymbols(symbolSet('output', 'W', true, claimFamily({ formula: 'Y' }, 'output')))).toBe(formatSymbols(symbolSet('output', 'W')));
    const cce = formatSymbols(resolveClaim({ formula: 'Y', loss: 'cce' }).set);
    expect(cce).toContain('softmax of the row');
    expect(cce).toContain('inside sum_k(...) also:');
    expect(cce).toMatch(/step +step\(x\) = 1 for x > 0, else 0/);
    const leaky = formatSymbols(resolveClaim({ formula: 'Y_j', layer: 'hidden', activation: 'leaky_relu', alpha: 0.25 }).set);
    expect(leaky).toContain('leaky_relu(S_j)');
    expect(leaky).toMatch(/alpha +leaky_relu's slope for S <= 0 \(0.25\)/);
    expect(leaky).not.toContain('sum_k(');
  });

  it("chain factors of the family: mse's dE/dZ = 2 (Z - t) (also for a tiny Z - t), a rectifier's dZ/dS = step(S), the bias", () => {
    expect(checkClaim({ loss: 'mse', target: 'dE/dZ', formula: '2 * (Z - t)' }, { runs: RUNS }).verdict).toBe('true');
    expect(checkClaim({ loss: 'mse', activation: 'relu', target: 'dZ/dS', formula: 'step(S)' }, { runs: RUNS }).verdict).toBe('true');
    expect(checkClaim({ loss: 'mse', target: 'b', formula: '2 * (Z - t)' }, { runs: RUNS }).verdict).toBe('true');
    expect(checkClaim({ loss: 'mse', activation: 'tanh', target: 'dE/dZ', formula: 'Z - t' }, { runs: RUNS }).verdict).toBe('false');
  });

  it('function claims read sum_k and alpha', () => {
    const cce = checkClaim({ loss: 'cce', target: 'dE/dS', formula: (q) => q.Z.times(q.sum_k((u) => u.t_k)).minus(q.t) }, { runs: 20 });
    expect(cce.verdict).toBe('true');
    const leaky = checkClaim({ layer: 'hidden', activation: 'leaky_relu', target: 'dY/dS', formula: (q) => (q.S_j.gt(0) ? 1 : q.alpha) }, { runs: 20 });
    expect(leaky.verdict).toBe('true');
  });
});
