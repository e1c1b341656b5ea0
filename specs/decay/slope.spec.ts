import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slopeAt, slopePrecision } from '../../src/decay/index.js';
import { sigmoidSlope } from '../../src/reference/sigmoid.js';

/**
 * Spec 2 of issue 5: the per-unit bound 0 < sigma'(S) = Z(1-Z) <= 1/4, with equality exactly at
 * S = 0, shown in decimal at a precision that resolves 1/4 - Z(1-Z) (about S^2/16) for doubles S of
 * every size up to |S| = 1e4 (generated networks stay below 1e3; float64's e^-|S| underflows beyond
 * 745, and decimal.js's exp of a large non-integer argument slows down with |S|: 2.5 s at 1.2e5).
 * The gap is computed two ways: directly as 1/4 - Z Zc, and without cancellation as tanh^2(S/2)/4.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 200);
const LIMIT = 1e4;
/** Doubles of every size: fc.double draws evenly over the representable numbers, subnormals and -0 included. */
const anyS = fc.double({ min: -LIMIT, max: LIMIT, noNaN: true });

describe('the per-unit bound 0 < Z(1-Z) <= 1/4', () => {
  it('holds for every double S, strictly below 1/4 unless S = 0, and the gap equals tanh^2(S/2)/4', () => {
    fc.assert(
      fc.property(anyS, (S) => {
        const { slope, gap, tanhGap } = slopeAt(S);
        expect(slope.gt(0)).toBe(true);
        expect(gap.isNeg()).toBe(false);
        if (S === 0) {
          expect(slope.eq(0.25)).toBe(true);
          expect(gap.isZero() && tanhGap.isZero()).toBe(true);
        } else {
          expect(slope.lt(0.25)).toBe(true);
          expect(gap.gt(0)).toBe(true);
          // the direct difference keeps >= 25 of its digits at the chosen precision
          expect(gap.minus(tanhGap).abs().lte(tanhGap.times('1e-25'))).toBe(true);
        }
      }),
      { seed: 520, numRuns: RUNS },
    );
  });

  it('at the edges: 0 and -0 give exactly 1/4, the smallest subnormal 1.5e-648 less, e^-800 and e^-2e16 are positive', () => {
    expect(slopeAt(0).slope.eq(0.25)).toBe(true);
    expect(slopeAt(-0).slope.eq(0.25)).toBe(true);
    const tiny = slopeAt(5e-324);
    expect(tiny.precision).toBe(678);
    expect(tiny.gap.toExponential(4)).toBe('1.5256e-648'); // (4.94e-324)^2 / 16
    expect(slopeAt(-5e-324).slope.eq(tiny.slope)).toBe(true); // sigma' is even
    expect(slopeAt(1).slope.toFixed(37)).toBe('0.1966119332414818525374247335859090256'); // e / (1 + e)^2 (Python's decimal)
    expect(slopeAt(800).slope.toExponential(10)).toBe('3.6678745842e-348'); // e^-800 / (1 + e^-800)^2 (Python's decimal): below every double
    // an integer S takes decimal.js's fast path: positive up to the end of its exponent range (about 2e16)
    expect(slopeAt(2e16).slope.gt(0)).toBe(true);
    expect(slopeAt(2e16).slope.lt('1e-8685889638065036')).toBe(true);
  });

  it('uses 50 digits at least, and 30 more than twice the leading zeros of S below 1', () => {
    expect([slopePrecision(0), slopePrecision(3), slopePrecision(0.01), slopePrecision(1e-30), slopePrecision(5e-324)]).toEqual([50, 50, 50, 90, 678]);
  });

  it('in float64 too: sigma\'(S) <= 1/4 everywhere, = 1/4 at S = 0, > 0 while e^-|S| is a positive double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (S) => {
        const slope = sigmoidSlope(S);
        expect(slope).toBeLessThanOrEqual(0.25);
        if (S === 0) expect(slope).toBe(0.25);
        if (Math.abs(S) < 745) expect(slope).toBeGreaterThan(0);
      }),
      { seed: 521, numRuns: 10 * RUNS },
    );
  });
});
