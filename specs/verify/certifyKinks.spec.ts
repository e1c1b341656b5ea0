/**
 * Certification at kinks: one-sided differences are compared and counted, entries not comparable
 * at exact kinks are counted, named in the note and never certified, and a case none of whose
 * entries could be compared is not certified.
 */
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/iut/builtin.js';
import { inProcess } from '../../src/iut/module.js';
import type { ActivationName, Batch, Layer, Network } from '../../src/network/types.js';
import { CaseOracle, createContext } from '../../src/oracle/api.js';
import { certificationNote, certify, type Certification } from '../../src/verify/certify.js';
import { verifyCases } from '../../src/verify/cases.js';

const ctx = createContext(50);

function layer(nIn: number, nOut: number, W: number[], b: number[] | null, activation: ActivationName, alpha?: number): Layer {
  return { nIn, nOut, W: Float64Array.from(W), b: b ? Float64Array.from(b) : null, activation, ...(alpha !== undefined ? { alpha } : {}) };
}

const batch: Batch = { size: 1, nIn: 1, nOut: 1, X: Float64Array.from([0.9]), T: Float64Array.from([0]) };

// two equal sigmoid units; above them a relu that cancels them exactly (0.8 z1 - 0.8 z2 = 0): one kink, one-sided differences
const oneKink: Network = {
  layers: [layer(1, 2, [0.5, 0.5], [0.1, 0.1], 'sigmoid'), layer(2, 1, [0.8, -0.8], null, 'relu'), layer(1, 1, [1.3], [0], 'sigmoid')],
  reduction: 'sum',
  loss: 'bce',
};
// two leaky_relu units above them at their kinks, pushed opposite ways by either sigmoid unit: layer 1 not comparable
const twoKinks: Network = {
  layers: [layer(1, 2, [0.5, 0.5], [0.1, 0.1], 'sigmoid'), layer(2, 2, [0.8, -0.8, -0.8, 0.8], null, 'leaky_relu', 0.1), layer(2, 1, [1.3, 0.4], [0], 'sigmoid')],
  reduction: 'sum',
  loss: 'bce',
};

describe('certification at kinks', () => {
  for (const kink of ['left', 'right'] as const) {
    it(`kink ${kink}: one-sided differences are certified like central ones, and the note counts them`, () => {
      const c = certify(CaseOracle.of(ctx, oneKink, batch, kink), []);
      expect(c.entries).toBe(2 + 2 + 2 + 1 + 1);
      expect(c.certified).toBe(true);
      expect(c.worstDigits).toBeGreaterThanOrEqual(20);
      expect(c.notComparableEntries).toBe(0);
      // layer 1's two units (one-sided, opposite steps) and the relu itself: layer 1's 4 entries and the relu's 2 weights (its Y = Z of the sigmoids != 0; no bias)
      expect(c.oneSidedPreActivations).toBe(3);
      expect(c.oneSidedEntries).toBe(4 + 2);
      expect(certificationNote('one.json', c)).toBe(
        `certified one.json: all 8 gradient entries against finite differences through 4 pre-activations: the oracle agrees with them to at least ${c.worstDigits.toFixed(1)} digits relative to scale in every entry (20 required); 6 of them through one-sided differences at kinks (3 pre-activation(s) differenced on the side that keeps every rectifier on its piece); so every verdict holds against the finite differences too`,
      );
    });

    it(`kink ${kink}: entries not comparable at exact kinks are counted, named and not certified; the rest are`, () => {
      const c = certify(CaseOracle.of(ctx, twoKinks, batch, kink), []);
      expect(c.entries).toBe(2 + 2 + 4 + 2 + 1);
      expect(c.notComparablePreActivations).toBe(2);
      expect(c.notComparableWhere).toBe('layer 1, S[sample=0][i=0]');
      // layer 1's weights (X = 0.9) and biases
      expect(c.notComparableEntries).toBe(4);
      // the two leaky_relu units' weights (no bias)
      expect(c.oneSidedEntries).toBe(4);
      expect(c.certified).toBe(true);
      expect(certificationNote('two.json', c)).toBe(
        `certified two.json: 7 of 11 gradient entries against finite differences through 3 of 5 pre-activations: the oracle agrees with them to at least ${c.worstDigits.toFixed(1)} digits relative to scale in every one (20 required); 4 of them through one-sided differences at kinks (2 pre-activation(s) differenced on the side that keeps every rectifier on its piece); 4 entries not comparable at exact kinks (2 pre-activation(s) whose differences need opposite steps, the first at layer 1, S[sample=0][i=0]) are judged against the analytic oracle only; so every verdict of the certified entries holds against the finite differences too`,
      );
    });
  }

  it('a case whose every entry is not comparable is not certified', () => {
    const real = certify(CaseOracle.of(ctx, twoKinks, batch), []);
    const none: Certification = { ...real, notComparableEntries: real.entries, notComparablePreActivations: real.preActivations, worstDigits: Infinity, oneSidedEntries: 0, oneSidedPreActivations: 0 };
    // what certify decides from the oracle's answers: an oracle whose every difference is not comparable
    const stub = {
      network: twoKinks,
      layout: CaseOracle.of(ctx, twoKinks, batch).layout,
      differenceAgreement: () => ({ preActivations: 5, worstDigits: Infinity, worstWhere: 'none', oneSided: 0, notComparable: 5, notComparableWhere: 'layer 1, S[sample=0][i=0]' }),
      differenceKind: () => 'not-comparable' as const,
    } as unknown as CaseOracle;
    const c = certify(stub, []);
    expect(c.worstDigits).toBe(Infinity);
    expect(c.notComparableEntries).toBe(11);
    expect(c.certified).toBe(false);
    expect(certificationNote('none.json', c)).toBe(
      'NOT certified none.json: every one of its 11 gradient entries is not comparable at exact kinks (5 pre-activation(s) whose differences need opposite steps, the first at layer 1, S[sample=0][i=0]): no finite difference checks them',
    );
    expect(certificationNote('none.json', none)).toMatch(/^NOT certified none\.json: every one of its 11 gradient entries is not comparable at exact kinks/);
  });

  it('the --case path carries the counts in its note (the built-in reference, correct)', async () => {
    const iut = inProcess(referenceImplementation, 'reference', { timeoutMs: 10_000 });
    const report = await verifyCases(iut, [{ name: 'two.json', case: { network: twoKinks, batch } }], { digits: 50 });
    expect(report.error, JSON.stringify(report.error)).toBeNull();
    expect(report.verdict).toBe('correct');
    expect(report.notes.some((n) => /^certified two\.json: 7 of 11 gradient entries .* 4 entries not comparable at exact kinks/.test(n))).toBe(true);
  });
});
