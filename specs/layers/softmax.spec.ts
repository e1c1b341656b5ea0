import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { softmax } from '../../src/layers/index.js';
import { ETA64, U64 } from '../../src/compare/rounding.js';
import type { BigFloat } from '../../src/oracle/bigfloat.js';
import { exactOf, logitRow, relative, within } from './helpers.js';

/**
 * The softmax module: its float64 row (max shift, complements as sums of the other units) against
 * its exact row at 200 bits within its own bound rule, the rule's propagation against the exact
 * softmax of a moved row, log-softmax against ln Z, the textbook form without the shift.
 */

const P = exactOf(200);
const u = U64;

function floatRow(S: number[]): { Z: Float64Array; Zc: Float64Array } {
  const Z = new Float64Array(S.length);
  const Zc = new Float64Array(S.length);
  softmax.forwardRow(Float64Array.from(S), Z, Zc, 0, S.length);
  return { Z, Zc };
}

function exactRow(S: number[]): { Z: BigFloat[]; Zc: BigFloat[] } {
  const { bin, x } = P;
  const Z: BigFloat[] = new Array<BigFloat>(S.length);
  const Zc: BigFloat[] = new Array<BigFloat>(S.length);
  softmax.exact.row(x, S.map((s) => bin.fromNumber(s)), 0, S.length, Z, Zc);
  return { Z, Zc };
}

describe('the float64 row is within the bound rule of the exact row (logit gaps to 2000)', () => {
  it('Z and Zc within bound.row at exact S (eS = 0), finite wherever the row is', () => {
    fc.assert(
      fc.property(logitRow, (S) => {
        const { bin } = P;
        const n = S.length;
        const { Z, Zc } = floatRow(S);
        const exact = exactRow(S);
        const eZ = new Float64Array(n);
        const eZc = new Float64Array(n);
        softmax.bound.row(Float64Array.from(S), new Float64Array(n), Z, Zc, 0, n, u, ETA64, eZ, eZc);
        for (let k = 0; k < n; k++) {
          expect(Number.isFinite(Z[k]!) && Number.isFinite(Zc[k]!)).toBe(true);
          expect(within(bin, bin.fromNumber(Z[k]!), exact.Z[k]!, eZ[k]!)).toBe(true);
          expect(within(bin, bin.fromNumber(Zc[k]!), exact.Zc[k]!, eZc[k]!)).toBe(true);
          // the rule is not vacuous: a normal Z (or Zc) is held to a relative 1e-10 at least
          if (Z[k]! > 2 ** -1000) expect(eZ[k]! / Z[k]!).toBeLessThan(1e-10);
          if (Zc[k]! > 2 ** -1000) expect(eZc[k]! / Zc[k]!).toBeLessThan(1e-10);
        }
      }),
      { seed: 1201, numRuns: 1500 },
    );
  });

  it('the exact row: Z + Zc = 1 and sum Z = 1 at the working precision; the dominant unit keeps its small complement', () => {
    fc.assert(
      fc.property(logitRow, (S) => {
        const { bin } = P;
        const { Z, Zc } = exactRow(S);
        let sum = bin.fromNumber(0);
        for (let k = 0; k < S.length; k++) {
          expect(relative(bin, bin.add(Z[k]!, Zc[k]!), bin.one)).toBeLessThan(2 ** -190);
          sum = bin.add(sum, Z[k]!);
        }
        expect(relative(bin, sum, bin.one)).toBeLessThan(2 ** -190);
      }),
      { seed: 1202, numRuns: 500 },
    );
    // S = [0, -50]: Zc_0 = e^-50 / (1 + e^-50), kept to full precision in float64 (1 - Z_0 would be 0)
    const { Z, Zc } = floatRow([0, -50]);
    expect(Z[0]).toBe(1);
    expect(Zc[0]! / (Math.exp(-50) / (1 + Math.exp(-50)))).toBeCloseTo(1, 14);
  });

  it('the propagated part: the exact softmax of S + delta (|delta_k| <= eS_k) is within bound.row of the float64 Z(S)', () => {
    fc.assert(
      fc.property(logitRow, fc.double({ min: -20, max: 0, noNaN: true }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), (S, e, dir) => {
        const { bin } = P;
        const n = S.length;
        const eS = Float64Array.from(S, (s) => 10 ** e * Math.max(1, Math.abs(s)) * 1e-3);
        const moved = S.map((s, k) => s + dir[k]! * eS[k]!);
        const { Z, Zc } = floatRow(S);
        const eZ = new Float64Array(n);
        const eZc = new Float64Array(n);
        softmax.bound.row(Float64Array.from(S), eS, Z, Zc, 0, n, u, ETA64, eZ, eZc);
        // moved is rounded to float64; the rounding is inside the eS box only if it is far below eS: widen by 4 ulps of S
        for (let k = 0; k < n; k++) if (eS[k]! < 8 * u * Math.abs(S[k]!)) return;
        const exact = exactRow(moved);
        for (let k = 0; k < n; k++) {
          expect(within(bin, bin.fromNumber(Z[k]!), exact.Z[k]!, eZ[k]!)).toBe(true);
          expect(within(bin, bin.fromNumber(Zc[k]!), exact.Zc[k]!, eZc[k]!)).toBe(true);
        }
      }),
      { seed: 1203, numRuns: 500 },
    );
  });

  it('logRow: ln Z_k = (S_k - m) - log1p(r) equals ln of the exact Z to the working precision, also where Z underflows float64', () => {
    fc.assert(
      fc.property(logitRow, (S) => {
        const { bin, x } = P;
        const s = S.map((v) => bin.fromNumber(v));
        const lnZ: BigFloat[] = new Array<BigFloat>(S.length);
        softmax.exact.logRow(x, s, 0, S.length, lnZ);
        const { Z } = exactRow(S);
        for (let k = 0; k < S.length; k++) {
          // e^(ln Z_k) = Z_k (|ln Z| up to ~2000 costs 11 bits of e^'s argument)
          expect(relative(bin, x.exp(lnZ[k]!), Z[k]!)).toBeLessThan(2 ** -180);
          expect(bin.isNeg(lnZ[k]!) || lnZ[k]!.m === 0n).toBe(true);
        }
      }),
      { seed: 1204, numRuns: 500 },
    );
  });
});

describe('the textbook softmax e^S / sum e^S (no max shift)', () => {
  it('overflows to NaN from a logit of 709.79 on, where the stable row is finite and exact', () => {
    for (const S of [[710, 0], [800, 799], [1e4, 1e4 - 3, -5]]) {
      const row = Float64Array.from(S);
      const Z = new Float64Array(S.length);
      softmax.textbook.row(row, Z, 0, S.length, (v) => v);
      expect(Z.some((z) => Number.isNaN(z))).toBe(true);
      expect(softmax.textbook.overflows(row, 0, S.length, Math.log(Number.MAX_VALUE))).toBe(true);
      const stable = floatRow(S);
      expect(stable.Z.every((z) => Number.isFinite(z))).toBe(true);
    }
    const below = Float64Array.of(709, 0);
    expect(softmax.textbook.overflows(below, 0, 2, Math.log(Number.MAX_VALUE))).toBe(false);
    const Z = new Float64Array(2);
    softmax.textbook.row(below, Z, 0, 2, (v) => v);
    expect(Z[0]).toBe(1);
  });

  it('agrees with the stable row where nothing overflows or underflows (|S| <= 30)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 6 }), (S) => {
        const row = Float64Array.from(S);
        const Z = new Float64Array(S.length);
        softmax.textbook.row(row, Z, 0, S.length, (v) => v);
        const stable = floatRow(S);
        for (let k = 0; k < S.length; k++) expect(Math.abs(Z[k]! - stable.Z[k]!)).toBeLessThanOrEqual(1e-13 * stable.Z[k]! + ETA64);
      }),
      { seed: 1205, numRuns: 300 },
    );
  });
});

describe('the module', () => {
  it('is row-wise and smooth', () => {
    expect(softmax.shape).toBe('rowwise');
    expect(softmax.kink).toBe('none');
    expect(softmax.name).toBe('softmax');
  });
});
