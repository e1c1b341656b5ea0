import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activationOf, linear } from '../../src/layers/index.js';
import { ETA64, U64 } from '../../src/compare/rounding.js';
import type { BigFloat } from '../../src/oracle/bigfloat.js';
import { exactOf, exactPoint, nearKink, preActivation, relative, sorted, wideStep, withinBound } from './helpers.js';

/**
 * The linear (identity) activation (standalone, not wired): Z = S, Zc = 0, slope 1, change D, all
 * exact; its bound rules against the float64 error at S* within eS of S; its textbook forms. Fixed seeds.
 */

const P = exactOf(200);
const WIDE = exactOf(600);
const u = U64;
const SEED = { seed: 12_003 };
const pre = fc.oneof(preActivation, nearKink);

describe('the float64 forms equal the exact values', () => {
  it('Z = S, Zc = 0, slope 1, exactly; forwardRow unit by unit', () => {
    fc.assert(
      fc.property(fc.array(pre, { minLength: 1, maxLength: 6 }), (xs) => {
        const { bin, x } = P;
        const S = Float64Array.from(xs);
        const Z = new Float64Array(S.length);
        const Zc = new Float64Array(S.length).fill(7);
        linear.forwardRow(S, Z, Zc, 0, S.length);
        xs.forEach((s, k) => {
          const exact = linear.exact.unit(x, bin.fromNumber(s));
          expect(Z[k]).toBe(linear.value(s));
          expect(Zc[k]).toBe(0);
          expect(bin.cmp(bin.fromNumber(Z[k]!), exact.Z)).toBe(0);
          expect(exact.Zc.m).toBe(0n);
          expect(bin.cmp(exact.slope, bin.one)).toBe(0);
          expect(linear.slope(Z[k]!, Zc[k]!)).toBe(1);
          expect(relative(bin, exact.f, x.exp(bin.neg(bin.abs(bin.fromNumber(s)))))).toBe(0);
          const [pZ, pZc] = linear.exact.pair(x, bin.fromNumber(s));
          expect(bin.cmp(pZ, exact.Z)).toBe(0);
          expect(pZc.m).toBe(0n);
          expect(bin.cmp(linear.exact.slopeFromValues!(x, pZ, pZc), bin.one)).toBe(0);
        });
      }),
      SEED,
    );
    expect(Object.is(linear.value(-0), 0)).toBe(true);
  });
});

describe('the change identities equal differences of values computed at 600 bits', () => {
  it('change and changeFromValues are D, exactly the difference (S + D) - S where 600 bits hold it', () => {
    fc.assert(
      fc.property(pre, wideStep, (S, D) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const d = bin.fromNumber(D);
        const [Z, Zc] = linear.exact.pair(x, s);
        const wide = WIDE.bin.sub(WIDE.bin.add(WIDE.bin.fromNumber(S), WIDE.bin.fromNumber(D)), WIDE.bin.fromNumber(S));
        const truth: BigFloat = P.bin.norm(wide.m, wide.e);
        const holds = Math.abs(S) === 0 || Math.abs(Math.log2(Math.abs(S) / Math.abs(D))) < 540;
        for (const change of [linear.exact.change(x, s, d, Z, Zc), linear.exact.changeFromValues(x, Z, Zc, d)]) {
          expect(bin.cmp(change, d)).toBe(0);
          if (holds) expect(bin.cmp(change, truth)).toBe(0);
        }
      }),
      { numRuns: 1000, ...SEED },
    );
  });
});

describe('the bound rules cover the float64 error when S is known only within eS (|f\'| = 1, no rounding)', () => {
  it('|S - S*| <= eS = propagated; Zc and the slope exact', () => {
    let worst = 0;
    fc.assert(
      fc.property(withinBound(pre), ({ S, eS, theta }) => {
        const { bin, x } = P;
        const exact = linear.exact.unit(x, exactPoint(bin, S, theta, eS));
        const eZ = linear.bound.propagated(S, eS) + linear.bound.roundings * u * Math.abs(S) + ETA64;
        const eZc = linear.bound.complementPropagated!(S, eS) + ETA64;
        const gap = bin.toNumber(bin.abs(bin.sub(bin.fromNumber(linear.value(S)), exact.Z)));
        worst = Math.max(worst, gap / eZ);
        expect(gap).toBeLessThanOrEqual(eZ);
        expect(bin.toNumber(bin.abs(exact.Zc))).toBeLessThanOrEqual(eZc);
        expect(linear.bound.slopeError(linear.value(S), 0, eZ, eZc, 1, u, ETA64)).toBe(0);
      }),
      { numRuns: 2000, ...SEED },
    );
    console.log(`linear worst bound ratio: ${worst.toExponential(3)}`);
    expect(linear.bound.roundings).toBe(0);
  });
});

describe('the textbook forms (no cancellation, no overflow)', () => {
  it('Z = fl(S) does not decrease in S, float64 and float32; the slope is 1', () => {
    fc.assert(
      fc.property(fc.array(pre, { minLength: 2, maxLength: 40 }), (xs) => {
        for (const round of [(v: number) => v, Math.fround]) {
          const Zs = sorted(xs).map((S) => linear.textbook.value(S, 1, round));
          for (let q = 1; q < Zs.length; q++) expect(Zs[q]!).toBeGreaterThanOrEqual(Zs[q - 1]!);
          for (const Z of Zs) expect(linear.textbook.slope(Z, round)).toBe(linear.textbook.slopePeak.value);
        }
        expect(xs.some((S) => linear.textbook.overflows(S, 709))).toBe(false);
      }),
      SEED,
    );
  });
});

describe('the registry', () => {
  it('activationOf finds linear, elementwise and smooth', () => {
    expect(activationOf('linear')).toBe(linear);
    expect(linear.kink).toBe('none');
  });
});
