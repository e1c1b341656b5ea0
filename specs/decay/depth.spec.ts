import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReference } from '../../src/compare/reference.js';
import { decayViolations, FLOAT64, referenceDecay, saturatedChain, underflowAllowance } from '../../src/decay/index.js';
import { caseArbitrary } from '../../src/generate/index.js';
import { widths } from '../../src/network/shape.js';
import type { Batch, Network } from '../../src/network/types.js';
import { referenceGradients } from '../../src/reference/gradients.js';
import { createContext, decimalDigits, oracle, toDecimal } from '../helpers/oracle.js';

/**
 * Spec 1 of issue 5: backpropagation through L = 1..10 sigmoid layers (widths 1..8, with and
 * without bias, every magnitude class) equals the oracle's finite differences for every layer's
 * weights and biases to >= 20 digits relative to scale, and the float64 reference stays within its
 * error bound at every depth, also where gradients underflow toward (and past) the subnormals.
 *
 * Runs: BACKPROP_ORACLE_RUNS cases in all (default 100, a tenth per depth); fixed seeds.
 * BACKPROP_ORACLE_VERBOSE=1 prints the per-depth report.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 100);
const PER_DEPTH = Math.max(1, Math.round(RUNS / 10));
const MIN_DIGITS = 20;
const ctx = createContext(50);
const SMALLEST_NORMAL = toDecimal(ctx, 2 ** -1022);

/** What the cases of one depth showed, each figure the worst over them. */
interface DepthRow {
  depth: number;
  cases: number;
  widest: number;
  biased: number;
  /** Fewest digits to which analytic gradients equal finite differences, relative to scale. */
  fdDigits: number;
  /** Values of the reference (loss, gradients, outputs) whose error exceeded their bound. */
  referenceViolations: number;
  /** floor(log10) of the smallest non-zero exact gradient entry. */
  smallestLog10: number;
  /** Exact non-zero gradient entries below the normal range (the reference holds a subnormal or 0). */
  belowNormal: number;
}

/** One case's figures, merged into its depth's row; true when it passes. */
function examine(network: Network, batch: Batch, into: DepthRow): boolean {
  const o = oracle(network, batch, { precision: ctx });
  let digits = Number.POSITIVE_INFINITY;
  o.backward.layers.forEach((g, l) => {
    const fd = o.fd!.layers[l]!;
    const scale = o.backward.magnitudes[l]!;
    g.W.forEach((a, k) => (digits = Math.min(digits, decimalDigits(a, fd.W[k]!, scale.W[k]!))));
    g.b?.forEach((a, k) => (digits = Math.min(digits, decimalDigits(a, fd.b![k]!, scale.b![k]!))));
    for (const x of [...g.W, ...(g.b ?? [])]) {
      if (x.isZero()) continue;
      into.smallestLog10 = Math.min(into.smallestLog10, x.e); // the decimal exponent: floor(log10 |x|)
      if (x.abs().lt(SMALLEST_NORMAL)) into.belowNormal++;
    }
  });
  const violations = checkReference(network, batch, o).violations.length;
  into.cases++;
  into.widest = Math.max(into.widest, ...widths(network));
  if (network.layers.some((layer) => layer.b)) into.biased++;
  into.fdDigits = Math.min(into.fdDigits, digits);
  into.referenceViolations += violations;
  return digits >= MIN_DIGITS && violations === 0;
}

describe('backpropagation through L = 1..10 sigmoid layers', () => {
  const rows: DepthRow[] = [];
  for (let depth = 1; depth <= 10; depth++) {
    it(`L = ${depth}: analytic = finite differences to ${MIN_DIGITS} digits in every layer; the reference within its bound`, () => {
      const options = { minLayers: depth, maxLayers: depth, maxWidth: 8, maxBatch: 2 };
      const arbitrary = fc.oneof(caseArbitrary({ ...options, bias: true }), caseArbitrary({ ...options, bias: false }));
      const r: DepthRow = { depth, cases: 0, widest: 0, biased: 0, fdDigits: Infinity, referenceViolations: 0, smallestLog10: Infinity, belowNormal: 0 };
      fc.assert(fc.property(arbitrary, (c) => examine(c.network, c.batch, r)), { seed: 500 + depth, numRuns: PER_DEPTH });
      rows.push(r);
      expect(r.cases).toBe(PER_DEPTH);
      expect(r.fdDigits).toBeGreaterThanOrEqual(MIN_DIGITS);
      expect(r.referenceViolations).toBe(0);
    });
  }

  it('covered every depth, widths up to 8, both bias settings, and gradients below the normal range', () => {
    expect(rows.map((r) => r.depth)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Math.max(...rows.map((r) => r.widest))).toBe(8);
    const biased = rows.reduce((sum, r) => sum + r.biased, 0);
    expect(biased).toBeGreaterThan(0);
    expect(biased).toBeLessThan(rows.length * PER_DEPTH);
    // the tiny and saturating classes reach gradients far below 2^-1022: the reference's subnormals, or 0
    expect(rows.reduce((sum, r) => sum + r.belowNormal, 0)).toBeGreaterThan(0);
    expect(Math.min(...rows.map((r) => r.smallestLog10))).toBeLessThan(-308);
    if (process.env.BACKPROP_ORACLE_VERBOSE) console.info(rows);
  });
});

describe('deep saturated chains: the first layer\'s gradient underflows, and nothing breaks', () => {
  // a chain of 10 units of weight w: the first layer's gradient is about (w e^-w)^9
  const chains = [
    { w: 40, exactLog10: -141.9, float64: 'normal' },
    { w: 80, exactLog10: -295.6, float64: 'normal' },
    { w: 85, exactLog10: -314.9, float64: 'subnormal' },
    { w: 100, exactLog10: -372.9, float64: 'zero' },
  ] as const;
  for (const { w, exactLog10, float64 } of chains) {
    it(`w = ${w}: exact 1e${exactLog10.toFixed(0)}, reference ${float64}, within its bound, finite differences agree`, () => {
      const { network, batch } = saturatedChain(10, w);
      const o = oracle(network, batch, { precision: ctx });
      const exact = o.backward.layers[0]!.W[0]!;
      expect(exact.abs().log(10).toNumber()).toBeCloseTo(exactLog10, 1);
      expect(decimalDigits(exact, o.fd!.layers[0]!.W[0]!, o.backward.magnitudes[0]!.W[0]!)).toBeGreaterThanOrEqual(MIN_DIGITS);
      expect(checkReference(network, batch, o).violations).toEqual([]);

      const g = referenceGradients(network, batch).layers[0]!.W[0]!;
      const kind = g === 0 ? 'zero' : Math.abs(g) < 2 ** -1022 ? 'subnormal' : 'normal';
      expect(kind).toBe(float64);
      const decay = referenceDecay(network, batch);
      expect(decay.every((d) => Number.isFinite(d.gradientBound) && !Number.isNaN(d.log10Ratio))).toBe(true);
      expect(decayViolations(FLOAT64, decay, underflowAllowance(decay, widths(network), batch.size))).toEqual([]);
    });
  }
});
