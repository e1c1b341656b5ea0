import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bce, bceSigmoid, headOf, lossOf, sigmoid, type ExactTarget } from '../../src/layers/index.js';
import { ETA64, U64 } from '../../src/compare/rounding.js';
import type { BigFloat, Binary } from '../../src/oracle/bigfloat.js';
import { exactOf, preActivation, relative, sorted, step, target, within } from './helpers.js';

/**
 * The binary cross-entropy head (bce with a sigmoid output): its float64 term and output delta
 * against its exact identities within its own bound rules, its change identities against
 * differences of terms at 600 bits, its textbook forms' monotonicity.
 */

const P = exactOf(200);
const WIDE = exactOf(600);
const u = U64;

function targetOf(bin: Binary, t: number): ExactTarget<BigFloat> {
  const tb = bin.fromNumber(t);
  return { t: tb, tc: bin.sub(bin.one, tb), raw: t };
}

describe('the float64 forms are within the bound rules of the exact values (|S| up to 1000)', () => {
  it('the term t softplus(-S) + (1-t) softplus(S) within termError at exact S', () => {
    fc.assert(
      fc.property(preActivation, target, (S, t) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const { f } = sigmoid.exact.unit(x, s);
        const exact = bceSigmoid.exact.term(x, s, f, targetOf(bin, t));
        const term = bceSigmoid.term(S, sigmoid.value(S), sigmoid.complement(S), t);
        expect(within(bin, bin.fromNumber(term), exact, bceSigmoid.bound.termError(S, 0, t, term, u, ETA64))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the output delta (1-t) Z - t Zc and its magnitude within deltaErrorRow, row by row', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(preActivation, target), { minLength: 1, maxLength: 5 }), fc.constantFrom(1, 6), (row, divisor) => {
        const { bin, x } = P;
        const n = row.length;
        const S = row.map(([s]) => s);
        const T = Float64Array.from(row, ([, t]) => t);
        const Z = Float64Array.from(S, (s) => sigmoid.value(s));
        const Zc = Float64Array.from(S, (s) => sigmoid.complement(s));
        const eZ = Float64Array.from(Z, (z) => sigmoid.bound.roundings * u * z + ETA64);
        const eZc = Float64Array.from(Zc, (z) => sigmoid.bound.roundings * u * z + ETA64);
        const d = new Float64Array(n);
        const m = new Float64Array(n);
        const ed = new Float64Array(n);
        bceSigmoid.deltaRow(Z, Zc, T, 0, n, 1, d);
        bceSigmoid.deltaMagnitudeRow(Z, Zc, T, 0, n, m);
        bceSigmoid.bound.deltaErrorRow(Z, Zc, eZ, eZc, T, 0, n, u, ETA64, ed);
        const units = S.map((s) => sigmoid.exact.unit(x, bin.fromNumber(s)));
        const dx: BigFloat[] = new Array<BigFloat>(n);
        const mx: BigFloat[] = new Array<BigFloat>(n);
        bceSigmoid.exact.deltaRow(x, units.map((v) => v.Z), units.map((v) => v.Zc), (k) => targetOf(bin, T[k]!), 0, n, dx, mx);
        for (let k = 0; k < n; k++) {
          expect(within(bin, bin.fromNumber(d[k]!), dx[k]!, ed[k]!)).toBe(true);
          expect(within(bin, bin.fromNumber(m[k]!), mx[k]!, ed[k]!)).toBe(true);
          // Z - t: (1-t) Z - t Zc with Z + Zc = 1, to the working precision
          expect(within(bin, dx[k]!, bin.sub(units[k]!.Z, bin.fromNumber(T[k]!)), 2 ** -195)).toBe(true);
        }
        const divided = new Float64Array(n);
        bceSigmoid.deltaRow(Z, Zc, T, 0, n, divisor, divided);
        for (let k = 0; k < n; k++) expect(divided[k]).toBe(divisor === 1 ? d[k] : d[k]! / divisor);
      }),
      { numRuns: 1000 },
    );
  });

  it('a hard target keeps the saturated side: delta is exactly -Zc for t = 1', () => {
    const Z = Float64Array.of(sigmoid.value(700));
    const Zc = Float64Array.of(sigmoid.complement(700));
    const d = new Float64Array(1);
    bceSigmoid.deltaRow(Z, Zc, Float64Array.of(1), 0, 1, 1, d);
    expect(d[0]).toBe(-Zc[0]!);
    expect(d[0]).toBeLessThan(0);
  });
});

describe('the change identities equal differences of terms computed at 600 bits', () => {
  /** |D| ((1 - t) Z + t Zc), the size of the change's two sides (a soft target's sides cancel near S = 0). */
  function scale(S: number, D: number, t: number): BigFloat {
    const { bin, x } = P;
    const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(S));
    const tb = bin.fromNumber(t);
    return bin.mul(bin.fromNumber(Math.abs(D)), bin.add(bin.mul(bin.sub(bin.one, tb), Z), bin.mul(tb, Zc)));
  }

  /** |change - truth| <= 1e-50 max(|truth|, scale): 50 digits of the change or of its sides. */
  function agrees(change: BigFloat, truth: BigFloat, S: number, D: number, t: number): boolean {
    const { bin } = P;
    const w = bin.norm(truth.m, truth.e);
    const m = scale(S, D, t);
    const size = bin.cmp(bin.abs(w), m) > 0 ? bin.abs(w) : m;
    return bin.cmp(bin.abs(bin.sub(change, w)), bin.mul(size, bin.fromNumber(1e-50))) <= 0;
  }

  /** term(S + D) - term(S) at 600 bits (each term held to 600 bits relative to itself). */
  function difference(S: number, D: number, t: number): BigFloat {
    const { bin, x } = WIDE;
    const s = bin.fromNumber(S);
    const sD = bin.add(s, bin.fromNumber(D));
    const tt = targetOf(bin, t);
    const term = (v: BigFloat) => bceSigmoid.exact.term(x, v, sigmoid.exact.unit(x, v).f, tt);
    return bin.sub(term(sD), term(s));
  }

  it('termChange (sigma at the moved S itself) to 50 digits, hard and soft targets, steps 1e-30 to 10', () => {
    fc.assert(
      fc.property(preActivation, step, target, (S, D, t) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const [Z, Zc] = sigmoid.exact.pair(x, s);
        const change = bceSigmoid.exact.termChange(x, s, bin.fromNumber(D), Z, Zc, targetOf(bin, t));
        expect(agrees(change, difference(S, D, t), S, D, t)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('addTermChangeFromValues (Z, Zc and expm1 of the step alone) to 50 digits where it is used (|D| <= 1e-10)', () => {
    fc.assert(
      fc.property(preActivation, step.filter((D) => Math.abs(D) <= 1e-10), target, (S, D, t) => {
        const { bin, x } = P;
        const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(S));
        const change = bceSigmoid.exact.addTermChangeFromValues(x, x.zero, Z, Zc, bin.fromNumber(D), bin.fromNumber(t));
        expect(agrees(change, difference(S, D, t), S, D, t)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('termChangeInZ: the change of -(t ln Z + (1-t) ln Zc) when Z moves by d (Zc by -d), to 50 digits', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -30, max: -3, noNaN: true }), target, (S, e, t) => {
        const { bin, x } = WIDE;
        const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(S));
        const d = bin.mul(bin.fromNumber(10 ** e), bin.cmp(Z, Zc) < 0 ? Z : Zc);
        const change = bceSigmoid.exact.termChangeInZ(x, Z, Zc, d, bin.fromNumber(t));
        const ln = (v: BigFloat) => x.log1p(bin.sub(v, bin.one));
        const term = (z: BigFloat, zc: BigFloat) => bin.neg(bin.add(bin.mul(bin.fromNumber(t), ln(z)), bin.mul(bin.sub(bin.one, bin.fromNumber(t)), ln(zc))));
        const truth = bin.sub(term(bin.add(Z, d), bin.sub(Zc, d)), term(Z, Zc));
        if (truth.m === 0n) return;
        expect(relative(bin, change, truth)).toBeLessThan(1e-50);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the textbook forms are monotone in Z (the emulation takes their values at the interval ends)', () => {
  it('fl(fl(Z - t) / divisor) does not decrease in Z', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 40 }), target, fc.constantFrom(1, 3, 8), (zs, t, divisor) => {
        for (const round of [(v: number) => v, Math.fround]) {
          const ds = sorted(zs).map((z) => bceSigmoid.textbook.delta(round(z), round(t), divisor, round));
          for (let q = 1; q < ds.length; q++) expect(ds[q]!).toBeGreaterThanOrEqual(ds[q - 1]!);
        }
      }),
    );
  });

  it('the textbook term over [lo, hi] holds the term at every Z between, for every log form', () => {
    const ar = { round: (v: number) => v, belowOne: 1 - 2 ** -53, minPositive: 2 ** -1074, clipLow: 1e-7, clipHigh: 1 - 1e-7 };
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1 - 1e-15, noNaN: true }), fc.double({ min: 0, max: 1e-3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), target, (lo, w, a, t) => {
        const hi = Math.min(lo + w, 1 - 1e-15);
        const z = lo + a * (hi - lo);
        for (const form of ['plain', 'clamp', 'clip'] as const) {
          const values = bceSigmoid.textbook.term(lo, hi, t, form, ar);
          const zz = form === 'clip' ? Math.min(Math.max(z, ar.clipLow), ar.clipHigh) : z;
          const negLn = (v: number) => (form === 'clamp' ? Math.min(-Math.log(v), 100) : -Math.log(v));
          const at = (t > 0 ? t * negLn(zz) : 0) + (t < 1 ? (1 - t) * negLn(1 - zz) : 0);
          expect(values.some(([low, high]) => low <= high && at >= low * (1 - 1e-12) && at <= high * (1 + 1e-12))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('ln 0: the plain form gives no finite value at Z = 1 with t < 1; the clamp keeps the jump apart', () => {
    const ar = { round: (v: number) => v, belowOne: 1 - 2 ** -53, minPositive: 2 ** -1074, clipLow: 1e-7, clipHigh: 1 - 1e-7 };
    expect(bceSigmoid.textbook.term(1, 1, 0.5, 'plain', ar)).toEqual([]);
    const clamped = bceSigmoid.textbook.term(0.9, 1, 0, 'clamp', ar);
    expect(clamped).toHaveLength(2);
    expect(clamped[1]).toEqual([100, 100]);
  });
});

describe('the registry pairs bce with a sigmoid output only', () => {
  it('lossOf, headOf', () => {
    expect(lossOf('bce')).toBe(bce);
    expect(bce.head(sigmoid)).toBe(bceSigmoid);
    expect(headOf('bce', 'sigmoid')).toBe(bceSigmoid);
    expect(bce.head({ ...sigmoid, name: 'tanh' as never })).toBeUndefined();
    expect(() => headOf('bce', 'tanh')).toThrow(/the bce loss is not defined on a tanh output/);
    expect(() => lossOf('hinge' as never)).toThrow(/unknown loss "hinge"/);
  });
});
