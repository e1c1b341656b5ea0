import { describe, expect, it } from 'vitest';
import { CaseOracle, createContext } from '../../src/oracle/api.js';
import { CoreOracle } from '../../src/oracle/core.js';
import type { BigFloat } from '../../src/oracle/bigfloat.js';
import type { ActivationName, Batch, KinkSide, Layer, Network } from '../../src/network/types.js';

/**
 * Exact kinks: a rectifier whose S is exactly 0 (zero weights and bias, or two equal units
 * cancelling). The oracle's derivative there is the declared side's (left: alpha, ReLU 0; right:
 * 1), and its finite differences do not pretend: the differenced unit at its kink is differenced
 * on the declared side only (one-sided, second order), a unit above that a step would push off
 * the declared side makes the difference one-sided in the direction that keeps it, and two such
 * units that need opposite steps make the entry not comparable. Each is said, never silent.
 */

const ctx = createContext(50);
const MIN_DIGITS = 20;

function layer(nIn: number, nOut: number, W: number[], b: number[] | null, activation: ActivationName, alpha?: number): Layer {
  return { nIn, nOut, W: Float64Array.from(W), b: b ? Float64Array.from(b) : null, activation, ...(alpha !== undefined ? { alpha } : {}) };
}

function batchOf(X: number[], T: number[], nIn: number, nOut: number): Batch {
  return { size: X.length / nIn, nIn, nOut, X: Float64Array.from(X), T: Float64Array.from(T) };
}

/** Digits of agreement of a and b relative to scale. */
function digits(core: CoreOracle, a: BigFloat, b: BigFloat, scale: BigFloat): number {
  const d = core.bin.abs(core.bin.sub(a, b));
  if (d.m === 0n) return Infinity;
  return core.bin.log10Abs(scale) - core.bin.log10Abs(d);
}

/** The least digits of agreement of the analytic dE/dS with the differences over the comparable pre-activations. */
function worstComparable(core: CoreOracle): number {
  const d = core.finiteDifferences();
  let worst = Infinity;
  core.network.layers.forEach((_, l) => {
    d.preActivation[l]!.forEach((g, k) => {
      if (d.kinds[l]![k] === 'not-comparable') return;
      worst = Math.min(worst, digits(core, core.delta[l]![k]!, g, core.deltaMagnitude[l]![k]!));
    });
  });
  return worst;
}

const SIDES: readonly KinkSide[] = ['left', 'right'];
const RECTIFIERS: readonly { name: 'relu' | 'leaky_relu'; alpha?: number }[] = [{ name: 'relu' }, { name: 'leaky_relu', alpha: 0.25 }, { name: 'leaky_relu', alpha: 0.5 }];

describe('a rectifier exactly at its kink (S = 0: zero weights and bias)', () => {
  for (const { name, alpha } of RECTIFIERS) {
    for (const kink of SIDES) {
      it(`${name}${alpha !== undefined ? ` alpha ${alpha}` : ''}, kink ${kink}: the declared side's derivative, differenced on that side only and said so`, () => {
        // X -> rectifier unit at S = 0 -> sigmoid output with bce (and a second, ordinary rectifier unit beside it)
        const network: Network = { layers: [layer(1, 2, [0, 0.6], [0, 0.2], name, alpha), layer(2, 1, [0.7, -0.3], [0.1], 'sigmoid')], reduction: 'sum', loss: 'bce' };
        const batch = batchOf([1.5], [1], 1, 1);
        const core = new CoreOracle(ctx, network, batch, kink);
        expect(core.S[0]![0]!.m).toBe(0n);
        const slope = kink === 'left' ? (alpha ?? 0) : 1;
        // delta_0 = f'(0) W_00 delta_1 with f'(0) the declared side's
        const expected = core.bin.mul(core.bin.fromNumber(slope * 0.7), core.delta[1]![0]!);
        expect(digits(core, core.delta[0]![0]!, expected, core.bin.abs(expected)) >= 40 || (slope === 0 && core.delta[0]![0]!.m === 0n)).toBe(true);
        const d = core.finiteDifferences();
        expect(d.kinds[0]![0]).toBe(kink);
        expect(d.kinds[0]![1]).toBe('central');
        expect(d.oneSided).toBe(1);
        expect(d.notComparable).toBe(0);
        expect(worstComparable(core)).toBeGreaterThanOrEqual(MIN_DIGITS);
        // the door says so too
        const o = CaseOracle.of(ctx, network, batch, kink);
        expect(o.kink).toBe(kink);
        const a = o.differenceAgreement();
        expect(a.oneSided).toBe(1);
        expect(a.notComparable).toBe(0);
        expect(a.worstDigits).toBeGreaterThanOrEqual(MIN_DIGITS);
        const bias = { kind: 'bias', layer: 0, i: 0 } as const;
        expect(o.differenceKind(bias)).toBe('one-sided');
        expect(o.finiteDifference(bias)!.kind).toBe(kink);
        expect(o.entryAgreement(bias)!).toBeGreaterThanOrEqual(MIN_DIGITS);
        expect(o.differenceKind({ kind: 'bias', layer: 0, i: 1 })).toBe('central');
        // a directional difference through the kink unit: one-sided on the declared side, = g . v
        const P = o.parameterCount;
        const D = o.directionalDifference(() => 1, 0, P);
        expect(D.kind).toBe(kink);
        let dot = core.bin.fromInt(0);
        let scale = core.bin.fromInt(0);
        for (let k = 0; k < P; k++) {
          const where = o.layout.locate(k);
          dot = core.bin.add(dot, o.exact(where).x);
          scale = core.bin.add(scale, o.magnitude(where).x);
        }
        expect(digits(core, D.x, dot, scale)).toBeGreaterThanOrEqual(MIN_DIGITS);
      });
    }
  }

  it('the other side gives a different derivative there (the two conventions are told apart)', () => {
    const network: Network = { layers: [layer(1, 1, [0], [0], 'leaky_relu', 0.25), layer(1, 1, [0.7], [0.1], 'sigmoid')], reduction: 'sum', loss: 'bce' };
    const batch = batchOf([1.5], [1], 1, 1);
    const left = new CoreOracle(ctx, network, batch, 'left');
    const right = new CoreOracle(ctx, network, batch, 'right');
    const ratio = left.bin.toNumber(left.bin.div(right.delta[0]![0]!, left.delta[0]![0]!));
    expect(ratio).toBeCloseTo(4, 12);
    // the central difference would give neither: (0.25 + 1) / 2 of the right one
    const h = left.defaultStep();
    const central = left.bin.toNumber(left.bin.div(left.perturbed.centralDifference(0, 0, 0, h), right.delta[0]![0]!));
    expect(central).toBeCloseTo(0.625, 12);
  });
});

describe('a rectifier above, exactly at its kink, that a step would move', () => {
  // two equal sigmoid units (same column), a relu unit above them that cancels them exactly (0.8 z1 - 0.8 z2 = 0)
  const oneKink: Network = {
    layers: [layer(1, 2, [0.5, 0.5], [0.1, 0.1], 'sigmoid'), layer(2, 1, [0.8, -0.8], null, 'relu'), layer(1, 1, [1.3], [0], 'sigmoid')],
    reduction: 'sum',
    loss: 'bce',
  };
  const batch = batchOf([0.9], [0], 1, 1);

  for (const kink of SIDES) {
    it(`kink ${kink}: one-sided in the direction that keeps it on the declared side, agreeing to ${MIN_DIGITS} digits`, () => {
      const core = new CoreOracle(ctx, oneKink, batch, kink);
      expect(core.S[1]![0]!.m).toBe(0n);
      const d = core.finiteDifferences();
      // moving S^(1)_0 up moves the relu's S up (0.8 dZ): declared left needs the step down, right the step up
      expect(d.kinds[0]![0]).toBe(kink === 'left' ? 'left' : 'right');
      // S^(1)_1 enters with -0.8: the opposite step
      expect(d.kinds[0]![1]).toBe(kink === 'left' ? 'right' : 'left');
      // the relu unit itself: on the declared side
      expect(d.kinds[1]![0]).toBe(kink);
      expect(d.kinds[2]![0]).toBe('central');
      expect(d.notComparable).toBe(0);
      expect(worstComparable(core)).toBeGreaterThanOrEqual(MIN_DIGITS);
      if (kink === 'right') expect(core.delta[0]![0]!.m).not.toBe(0n);
      else expect(core.delta[0]![0]!.m).toBe(0n);
    });
  }

  it('two units above that need opposite steps: not comparable, counted and named, left out of the digits', () => {
    const twoKinks: Network = {
      layers: [layer(1, 2, [0.5, 0.5], [0.1, 0.1], 'sigmoid'), layer(2, 2, [0.8, -0.8, -0.8, 0.8], null, 'leaky_relu', 0.1), layer(2, 1, [1.3, 0.4], [0], 'sigmoid')],
      reduction: 'sum',
      loss: 'bce',
    };
    for (const kink of SIDES) {
      const core = new CoreOracle(ctx, twoKinks, batch, kink);
      const d = core.finiteDifferences();
      expect(d.kinds[0]).toEqual(['not-comparable', 'not-comparable']);
      expect(d.kinds[1]).toEqual([kink, kink]);
      expect(d.notComparable).toBe(2);
      expect(d.oneSided).toBe(2);
      expect(worstComparable(core)).toBeGreaterThanOrEqual(MIN_DIGITS);
      const o = CaseOracle.of(ctx, twoKinks, batch, kink);
      const a = o.differenceAgreement();
      expect(a.notComparable).toBe(2);
      expect(a.notComparableWhere).toBe('layer 1, S[sample=0][i=0]');
      expect(a.worstDigits).toBeGreaterThanOrEqual(MIN_DIGITS);
      expect(o.differenceKind({ kind: 'weight', layer: 0, j: 0, i: 0 })).toBe('not-comparable');
      expect(o.finiteDifference({ kind: 'weight', layer: 0, j: 0, i: 0 })!.comparable).toBe(false);
    }
  });
});
