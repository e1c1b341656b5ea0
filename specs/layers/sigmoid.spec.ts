import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activationOf, elementwise, sigmoid } from '../../src/layers/index.js';
import { U32, U64, ETA64 } from '../../src/compare/rounding.js';
import { createContext } from '../../src/oracle/context.js';
import { toDecimal } from '../../src/oracle/decimalBridge.js';
import { decimalExact } from '../../src/oracle/exactArithmetic.js';
import { exactOf, preActivation, relative, sorted, step, within } from './helpers.js';

/**
 * The sigmoid module: its float64 forms against its own exact identities (the oracle's BigFloat,
 * 200 bits), its change identities against differences of values at 600 bits, its textbook forms'
 * monotonicity (which the textbook emulation's interval ends rely on).
 */

const P = exactOf(200);
const WIDE = exactOf(600);
const u = U64;

describe('the float64 forms are within the bound rules of the exact values (|S| up to 1000)', () => {
  it('Z, Zc within roundings u Z + eta; the slope within slopeError', () => {
    fc.assert(
      fc.property(preActivation, (S) => {
        const { bin, x } = P;
        const exact = sigmoid.exact.unit(x, bin.fromNumber(S));
        const Z = sigmoid.value(S);
        const Zc = sigmoid.complement(S);
        const eZ = sigmoid.bound.propagated(S, 0) + sigmoid.bound.roundings * u * Z + ETA64;
        const eZc = sigmoid.bound.propagated(S, 0) + sigmoid.bound.roundings * u * Zc + ETA64;
        expect(within(bin, bin.fromNumber(Z), exact.Z, eZ)).toBe(true);
        expect(within(bin, bin.fromNumber(Zc), exact.Zc, eZc)).toBe(true);
        const p = sigmoid.slope(Z, Zc);
        expect(within(bin, bin.fromNumber(p), exact.slope, sigmoid.bound.slopeError(Z, Zc, eZ, eZc, p, u, ETA64))).toBe(true);
        // the stable forms keep their digits in saturation: 4 ulps relative wherever the value is normal
        if (Math.min(Z, Zc) > 2 ** -1022) {
          expect(relative(bin, bin.fromNumber(Z), exact.Z)).toBeLessThanOrEqual(4 * u);
          expect(relative(bin, bin.fromNumber(Zc), exact.Zc)).toBeLessThanOrEqual(4 * u);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('forwardRow gives value and complement unit by unit', () => {
    fc.assert(
      fc.property(fc.array(preActivation, { minLength: 1, maxLength: 6 }), (xs) => {
        const S = Float64Array.from(xs);
        const Z = new Float64Array(S.length);
        const Zc = new Float64Array(S.length);
        sigmoid.forwardRow(S, Z, Zc, 0, S.length);
        xs.forEach((s, k) => {
          expect(Z[k]).toBe(sigmoid.value(s));
          expect(Zc[k]).toBe(sigmoid.complement(s));
        });
      }),
    );
  });

  it('the exact pair and unit: Z + Zc = 1, slope = Z Zc, f = e^-|S|, at 200 bits', () => {
    fc.assert(
      fc.property(preActivation, (S) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const unit = sigmoid.exact.unit(x, s);
        const [Z, Zc] = sigmoid.exact.pair(x, s);
        expect(bin.cmp(Z, unit.Z)).toBe(0);
        expect(bin.cmp(Zc, unit.Zc)).toBe(0);
        expect(relative(bin, bin.add(Z, Zc), bin.one)).toBeLessThan(2 ** -195);
        expect(relative(bin, unit.f, x.exp(bin.neg(bin.abs(s))))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the change identities equal differences of values computed at 600 bits', () => {
  /** sigma(S + D) - sigma(S) at 600 bits from the small side (-(Zc' - Zc) for S >= 0), where it has no cancellation worth 400 bits. */
  function difference(S: number, D: number) {
    const { bin, x } = WIDE;
    const s = bin.fromNumber(S);
    const [Z, Zc] = sigmoid.exact.pair(x, s);
    const [Zp, Zcp] = sigmoid.exact.pair(x, x.moved(s, bin.fromNumber(D)));
    return S >= 0 ? bin.neg(bin.sub(Zcp, Zc)) : bin.sub(Zp, Z);
  }

  it('change (from the moved pre-activation) to 55 digits', () => {
    fc.assert(
      fc.property(preActivation, step, (S, D) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const [Z, Zc] = sigmoid.exact.pair(x, s);
        const change = sigmoid.exact.change(x, s, bin.fromNumber(D), Z, Zc);
        const truth = difference(S, D);
        expect(relative(bin, change, bin.norm(truth.m, truth.e))).toBeLessThan(1e-55);
      }),
      { numRuns: 1000 },
    );
  });

  it('changeFromValues (from Z, Zc and expm1 of the step alone) to 55 digits', () => {
    fc.assert(
      fc.property(preActivation, step, (S, D) => {
        const { bin, x } = P;
        const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(S));
        const change = sigmoid.exact.changeFromValues(x, Z, Zc, bin.fromNumber(D));
        const truth = difference(S, D);
        expect(relative(bin, change, bin.norm(truth.m, truth.e))).toBeLessThan(1e-55);
      }),
      { numRuns: 1000 },
    );
  });

  it('a zero step changes nothing', () => {
    const { bin, x } = P;
    const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(3));
    expect(sigmoid.exact.change(x, bin.fromNumber(3), x.zero, Z, Zc).m).toBe(0n);
  });
});

describe('the textbook forms are monotone (the emulation takes their values at the interval ends)', () => {
  const rounds = [(v: number) => v, Math.fround];

  it('Z = fl(1 / fl(1 + fl(e^-S))) does not decrease in S, in float64 and float32', () => {
    fc.assert(
      fc.property(fc.array(preActivation, { minLength: 2, maxLength: 40 }), (xs) => {
        for (const round of rounds) {
          const Zs = sorted(xs).map((S) => sigmoid.textbook.value(S, 1, round));
          for (let q = 1; q < Zs.length; q++) expect(Zs[q]!).toBeGreaterThanOrEqual(Zs[q - 1]!);
        }
      }),
    );
  });

  it('the textbook slope fl(Z fl(1 - Z)) rises to its peak 1/4 at Z = 1/2 and falls after it; 0 at a saturated Z', () => {
    const { Z: at, value } = sigmoid.textbook.slopePeak;
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 40 }), (zs) => {
        for (const round of rounds) {
          const left = sorted(zs.filter((z) => z <= at)).map((z) => sigmoid.textbook.slope(round(z), round));
          const right = sorted(zs.filter((z) => z >= at)).map((z) => sigmoid.textbook.slope(round(z), round));
          for (let q = 1; q < left.length; q++) expect(left[q]!).toBeGreaterThanOrEqual(left[q - 1]!);
          for (let q = 1; q < right.length; q++) expect(right[q]!).toBeLessThanOrEqual(right[q - 1]!);
          for (const p of [...left, ...right]) expect(p).toBeLessThanOrEqual(value);
        }
      }),
    );
    expect(sigmoid.textbook.slope(sigmoid.value(40), (v) => v)).toBe(0);
    expect(sigmoid.slope(sigmoid.value(40), sigmoid.complement(40))).toBeGreaterThan(0);
    expect(sigmoid.textbook.slope(0.5, Math.fround)).toBe(value);
  });

  it('e^-S overflows from ln(max) on, in float64 and float32', () => {
    expect(sigmoid.textbook.overflows(-710, Math.log(Number.MAX_VALUE))).toBe(true);
    expect(sigmoid.textbook.overflows(-709, Math.log(Number.MAX_VALUE))).toBe(false);
    expect(sigmoid.textbook.overflows(-89, Math.log(3.4028234663852886e38))).toBe(true);
    expect(U32).toBe(2 ** -24);
  });
});

describe('the registry', () => {
  it('finds the sigmoid by name, elementwise and smooth', () => {
    expect(activationOf('sigmoid')).toBe(sigmoid);
    expect(elementwise(sigmoid)).toBe(sigmoid);
    expect(sigmoid.kink).toBe('none');
    expect(() => activationOf('swish' as never)).toThrow(/unknown activation "swish"/);
  });
});

describe('one identity, two arithmetics', () => {
  it('changeFromValues in decimal.js (the claims, the plain cross-check) and in BigFloat agree to 45 digits', () => {
    const ctx = createContext(50);
    const dx = decimalExact(ctx);
    fc.assert(
      fc.property(preActivation, step, (S, D) => {
        const { bin, x } = P;
        const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(S));
        const big = toDecimal(bin, sigmoid.exact.changeFromValues(x, Z, Zc, bin.fromNumber(D)), ctx.D);
        const [dZ, dZc] = [toDecimal(bin, Z, ctx.D), toDecimal(bin, Zc, ctx.D)];
        const dec = sigmoid.exact.changeFromValues(dx, dZ, dZc, toDecimal(bin, bin.fromNumber(D), ctx.D));
        expect(dec.minus(big).abs().lte(big.abs().times('1e-45'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
