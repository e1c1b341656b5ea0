import { parseNetwork } from '../../src/network/validate.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bceSigmoid, cce, cceSoftmax, cceTextbook, headOf, lossOf, modulesOf, rowwiseHeadOf, sigmoid, softmax, type ExactTarget } from '../../src/layers/index.js';
import { ETA64, U64 } from '../../src/compare/rounding.js';
import type { BigFloat, Binary } from '../../src/oracle/bigfloat.js';
import { exactOf, logitsAndTargets, relative, sorted, rowStep, within } from './helpers.js';

/**
 * The cce + softmax head: its float64 row term (log-softmax) and fused output delta against its
 * exact forms at 200 bits within its own bound rules, its change identities against differences of
 * row terms at 600 bits (steps 1e-25 to 1e6), the fused delta as the exact derivative of the term,
 * its textbook forms' named cancellations. Rows: logit gaps to 2000, one-hot and soft targets summing to exactly 1.
 */

const P = exactOf(200);
const WIDE = exactOf(600);
const u = U64;

function targetsOf(bin: Binary, T: readonly number[]): (k: number) => ExactTarget<BigFloat> {
  const ts = T.map((t) => {
    const tb = bin.fromNumber(t);
    return { t: tb, tc: bin.sub(bin.one, tb), raw: t };
  });
  return (k) => ts[k]!;
}

/** The exact row term at `bits`' arithmetic. */
function exactTerm(W: { bin: Binary; x: typeof P.x }, S: readonly BigFloat[], T: readonly number[]): BigFloat {
  return cceSoftmax.exact.termRow(W.x, S, targetsOf(W.bin, T), 0, S.length);
}

function exactSoftmax(S: readonly BigFloat[]): { Z: BigFloat[]; Zc: BigFloat[] } {
  const Z: BigFloat[] = new Array<BigFloat>(S.length);
  const Zc: BigFloat[] = new Array<BigFloat>(S.length);
  softmax.exact.row(P.x, S, 0, S.length, Z, Zc);
  return { Z, Zc };
}

describe('the float64 forms are within the bound rules of the exact forms', () => {
  it('the row term sum t ((m - S_k) + log1p(r)) within termErrorRow at exact S; finite however wide the gaps', () => {
    fc.assert(
      fc.property(logitsAndTargets, ({ S, T }) => {
        const { bin } = P;
        const n = S.length;
        const term = cceSoftmax.termRow(Float64Array.from(S), Float64Array.from(T), 0, n);
        expect(Number.isFinite(term)).toBe(true);
        const exact = exactTerm(P, S.map((s) => bin.fromNumber(s)), T);
        const bound = cceSoftmax.bound.termErrorRow(Float64Array.from(S), new Float64Array(n), Float64Array.from(T), 0, n, term, u, ETA64);
        expect(within(bin, bin.fromNumber(term), exact, bound)).toBe(true);
        // and the bound is a few ulps of the term, not a vacuous one
        expect(bound).toBeLessThanOrEqual(64 * n * u * Math.max(term, 1) + 1e-300);
      }),
      { seed: 1211, numRuns: 1500 },
    );
  });

  it('the delta Z_k s_k - t_k Zc_k and its magnitude within deltaErrorRow; the exact delta is Z sum(t) - t', () => {
    fc.assert(
      fc.property(logitsAndTargets, fc.constantFrom(1, 7), ({ S, T }, divisor) => {
        const { bin, x } = P;
        const n = S.length;
        const Sf = Float64Array.from(S);
        const Tf = Float64Array.from(T);
        const Z = new Float64Array(n);
        const Zc = new Float64Array(n);
        softmax.forwardRow(Sf, Z, Zc, 0, n);
        const eZ = new Float64Array(n);
        const eZc = new Float64Array(n);
        softmax.bound.row(Sf, new Float64Array(n), Z, Zc, 0, n, u, ETA64, eZ, eZc);
        const d = new Float64Array(n);
        const m = new Float64Array(n);
        const ed = new Float64Array(n);
        cceSoftmax.deltaRow(Z, Zc, Tf, 0, n, 1, d);
        cceSoftmax.deltaMagnitudeRow(Z, Zc, Tf, 0, n, m);
        cceSoftmax.bound.deltaErrorRow(Z, Zc, eZ, eZc, Tf, 0, n, u, ETA64, ed);
        const ex = exactSoftmax(S.map((s) => bin.fromNumber(s)));
        const dx: BigFloat[] = new Array<BigFloat>(n);
        const mx: BigFloat[] = new Array<BigFloat>(n);
        cceSoftmax.exact.deltaRow(x, ex.Z, ex.Zc, targetsOf(bin, T), 0, n, dx, mx);
        const sum = T.reduce((a, b) => bin.add(a, bin.fromNumber(b)), bin.fromNumber(0));
        for (let k = 0; k < n; k++) {
          expect(within(bin, bin.fromNumber(d[k]!), dx[k]!, ed[k]!)).toBe(true);
          expect(within(bin, bin.fromNumber(m[k]!), mx[k]!, ed[k]!)).toBe(true);
          expect(within(bin, dx[k]!, bin.sub(bin.mul(ex.Z[k]!, sum), bin.fromNumber(T[k]!)), 2 ** -190)).toBe(true);
        }
        const divided = new Float64Array(n);
        cceSoftmax.deltaRow(Z, Zc, Tf, 0, n, divisor, divided);
        for (let k = 0; k < n; k++) expect(divided[k]).toBe(divisor === 1 ? d[k] : d[k]! / divisor);
      }),
      { seed: 1212, numRuns: 1000 },
    );
  });

  it('a target row summing to 1 - 2^-53: the exact delta is Z sum(t) - t, not Z - t', () => {
    const { bin, x } = P;
    const S = [0.3, -1.2, 2];
    const T = [0.5, 0.25, 0.25 - 2 ** -53];
    const ex = exactSoftmax(S.map((s) => bin.fromNumber(s)));
    const dx: BigFloat[] = new Array<BigFloat>(3);
    const mx: BigFloat[] = new Array<BigFloat>(3);
    cceSoftmax.exact.deltaRow(x, ex.Z, ex.Zc, targetsOf(bin, T), 0, 3, dx, mx);
    const sum = bin.fromNumber(1 - 2 ** -53);
    for (let k = 0; k < 3; k++) {
      expect(within(bin, dx[k]!, bin.sub(bin.mul(ex.Z[k]!, sum), bin.fromNumber(T[k]!)), 2 ** -190)).toBe(true);
      expect(within(bin, dx[k]!, bin.sub(ex.Z[k]!, bin.fromNumber(T[k]!)), 2 ** -60)).toBe(false);
    }
  });

  it('a one-hot row at the dominant unit keeps its small delta -Zc_k exactly (Z - t would be 0)', () => {
    const Z = new Float64Array(2);
    const Zc = new Float64Array(2);
    softmax.forwardRow(Float64Array.of(0, -60), Z, Zc, 0, 2);
    const d = new Float64Array(2);
    cceSoftmax.deltaRow(Z, Zc, Float64Array.of(1, 0), 0, 2, 1, d);
    expect(d[0]).toBe(-Zc[0]!);
    expect(d[0]).toBeLessThan(0);
    expect(cceTextbook.delta(Z[0]!, 1, 1, (v) => v)).toBe(0);
  });
});

describe('the change identities equal differences of row terms at 600 bits (steps 1e-25 to 1e6)', () => {
  /** term(S with S_k + D) - term(S), each term at 600 bits. */
  function difference(S: number[], T: number[], k: number, D: number): BigFloat {
    const { bin } = WIDE;
    const s = S.map((v) => bin.fromNumber(v));
    const moved = [...s];
    moved[k] = bin.add(s[k]!, bin.fromNumber(D));
    return bin.sub(exactTerm(WIDE, moved, T), exactTerm(WIDE, s, T));
  }

  /**
   * |change - truth| <= 1e-50 max(|truth|, |D| (s_k max Z_k + t_k max Zc_k)) + 2^-590 term: 50 digits
   * of the change or of its two sides, down to what a difference of two 600-bit terms resolves.
   */
  function agrees(change: BigFloat, truth: BigFloat, S: number[], T: number[], k: number, D: number): boolean {
    const { bin } = P;
    const w = bin.norm(truth.m, truth.e);
    const s = S.map((v) => bin.fromNumber(v));
    const moved = [...s];
    moved[k] = bin.add(s[k]!, bin.fromNumber(D));
    const a = exactSoftmax(s);
    const b = exactSoftmax(moved);
    const max = (p: BigFloat, q: BigFloat) => (bin.cmp(p, q) > 0 ? p : q);
    const sk = bin.fromNumber(T.reduce((acc, t, j) => (j === k ? acc : acc + t), 0));
    const sides = bin.mul(bin.fromNumber(Math.abs(D)), bin.add(bin.mul(sk, max(a.Z[k]!, b.Z[k]!)), bin.mul(bin.fromNumber(T[k]!), max(a.Zc[k]!, b.Zc[k]!))));
    const size = max(bin.abs(w), sides);
    const resolved = bin.mul(exactTerm(P, s, T), bin.fromNumber(2 ** -590));
    return bin.cmp(bin.abs(bin.sub(change, w)), bin.add(bin.mul(size, bin.fromNumber(1e-50)), resolved)) <= 0;
  }

  it('termChange (the moved row\'s own softmax) to 50 digits, steps to 1e15 (e^D near the end of the BigFloat range)', () => {
    fc.assert(
      fc.property(logitsAndTargets, fc.nat(), fc.oneof(rowStep, fc.constantFrom(3e12, -3e12, 1e15, -1e15)), ({ S, T }, kk, D) => {
        const { bin, x } = P;
        const n = S.length;
        const k = kk % n;
        const s = S.map((v) => bin.fromNumber(v));
        const { Z, Zc } = exactSoftmax(s);
        const change = cceSoftmax.exact.termChange(x, s, Z, Zc, targetsOf(bin, T), 0, n, k, bin.fromNumber(D));
        expect(agrees(change, difference(S, T, k, D), S, T, k, D)).toBe(true);
      }),
      { seed: 1213, numRuns: 600 },
    );
  });

  it('addTermChangeFromValues (Z_k, Zc_k and expm1 of the step alone) to 50 digits where it is used (|D| <= 1e-10)', () => {
    fc.assert(
      fc.property(logitsAndTargets, fc.nat(), rowStep.filter((D) => Math.abs(D) <= 1e-10), ({ S, T }, kk, D) => {
        const { bin, x } = P;
        const n = S.length;
        const k = kk % n;
        const { Z, Zc } = exactSoftmax(S.map((v) => bin.fromNumber(v)));
        const change = cceSoftmax.exact.addTermChangeFromValues(x, x.zero, Z, Zc, targetsOf(bin, T), 0, n, k, bin.fromNumber(D));
        expect(agrees(change, difference(S, T, k, D), S, T, k, D)).toBe(true);
      }),
      { seed: 1214, numRuns: 600 },
    );
  });

  it('the fused delta is the exact derivative of the term: termChange(D) / D -> Z_k sum(t) - t_k (D = +-2^-300)', () => {
    fc.assert(
      fc.property(logitsAndTargets, fc.nat(), fc.boolean(), ({ S, T }, kk, neg) => {
        const { bin, x } = exactOf(1000);
        const n = S.length;
        const k = kk % n;
        const s = S.map((v) => bin.fromNumber(v));
        const Z: BigFloat[] = new Array<BigFloat>(n);
        const Zc: BigFloat[] = new Array<BigFloat>(n);
        softmax.exact.row(x, s, 0, n, Z, Zc);
        const D = bin.fromNumber((neg ? -1 : 1) * 2 ** -300);
        const tg = targetsOf(bin, T);
        const slope = bin.div(cceSoftmax.exact.termChange(x, s, Z, Zc, tg, 0, n, k, D), D);
        const d: BigFloat[] = new Array<BigFloat>(n);
        const m: BigFloat[] = new Array<BigFloat>(n);
        cceSoftmax.exact.deltaRow(x, Z, Zc, tg, 0, n, d, m);
        // second order: |E''| |D| <= 2 s |D|, against the delta's magnitude
        expect(within(bin, slope, d[k]!, bin.toNumber(m[k]!) * 1e-80 + 2 ** -295)).toBe(true);
      }),
      { seed: 1215, numRuns: 200 },
    );
  });
});

describe('the textbook forms and their named cancellations', () => {
  it('ln of a rounded softmax output: Inf once Z underflows (gap 800), digits lost while Z is subnormal (gap 740); log-softmax keeps them', () => {
    const { bin } = P;
    for (const [gap, finite] of [[800, false], [740, true]] as const) {
      const S = Float64Array.of(0, -gap);
      const T = Float64Array.of(0, 1);
      const Z = new Float64Array(2);
      const Zc = new Float64Array(2);
      softmax.forwardRow(S, Z, Zc, 0, 2);
      const textbook = cceTextbook.termFromZ(Z[1]!, 1, (v) => v);
      const stable = cceSoftmax.termRow(S, T, 0, 2);
      const exact = exactTerm(P, [bin.fromNumber(0), bin.fromNumber(-gap)], [0, 1]);
      expect(relative(bin, bin.fromNumber(stable), exact)).toBeLessThan(4 * u);
      expect(Number.isFinite(textbook)).toBe(finite);
      if (finite) expect(relative(bin, bin.fromNumber(textbook), exact)).toBeGreaterThan(1e-6);
    }
  });

  it('lse(S) - S_k rounded at |m| first cancels (logits near 1e8): the stable term keeps every digit', () => {
    const { bin } = P;
    const S = Float64Array.of(1e8, 1e8 + 2 ** -20);
    const T = Float64Array.of(1, 0);
    const exact = exactTerm(P, [...S].map((s) => bin.fromNumber(s)), [1, 0]);
    const textbook = cceTextbook.lseMinusS(S, 0, 2, 0, (v) => v);
    expect(relative(bin, bin.fromNumber(cceSoftmax.termRow(S, T, 0, 2)), exact)).toBeLessThan(8 * u);
    expect(relative(bin, bin.fromNumber(textbook), exact)).toBeGreaterThan(1e-10);
  });

  it('e^S without the shift overflows: the textbook term is not finite (Inf / Inf, ln 0) where the truth is finite', () => {
    fc.assert(
      fc.property(logitsAndTargets.filter(({ S }) => Math.max(...S) > 710), ({ S, T }) => {
        const Sf = Float64Array.from(S);
        const Tf = Float64Array.from(T);
        expect(Number.isFinite(cceTextbook.termUnshifted(Sf, Tf, 0, S.length, (v) => v))).toBe(false);
        expect(Number.isFinite(cceSoftmax.termRow(Sf, Tf, 0, S.length))).toBe(true);
      }),
      { seed: 1216, numRuns: 200 },
    );
    // below the overflow the textbook term agrees with the stable one
    const S = Float64Array.of(3, -2, 0.5);
    const T = Float64Array.of(0.25, 0.5, 0.25);
    expect(cceTextbook.termUnshifted(S, T, 0, 3, (v) => v)).toBeCloseTo(cceSoftmax.termRow(S, T, 0, 3), 13);
  });

  it('the textbook delta fl(fl(Z - t) / divisor) does not decrease in Z', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(1, 3, 8), (zs, t, divisor) => {
        for (const round of [(v: number) => v, Math.fround]) {
          const ds = sorted(zs).map((z) => cceTextbook.delta(round(z), round(t), divisor, round));
          for (let q = 1; q < ds.length; q++) expect(ds[q]!).toBeGreaterThanOrEqual(ds[q - 1]!);
        }
      }),
      { seed: 1217 },
    );
  });
});

describe('the registry pairs cce with a softmax output only', () => {
  it('lossOf, the pair, refusals; a softmax / cce network gets the row-wise head', () => {
    expect(lossOf('cce')).toBe(cce);
    expect(cce.head(softmax)).toBe(cceSoftmax);
    expect(rowwiseHeadOf('cce', softmax)).toBe(cceSoftmax);
    expect(cce.head(sigmoid)).toBeUndefined();
    expect(() => headOf('cce', 'sigmoid')).toThrow(/cce loss is not defined on a sigmoid output/);
    expect(() => rowwiseHeadOf('bce', sigmoid)).toThrow(/elementwise/);
    const network = parseNetwork({ layers: [{ weights: [[0.5]] }, { weights: [[0.5, 1]], activation: 'softmax' }], loss: 'cce' });
    expect(modulesOf(network).head).toBe(cceSoftmax);
    expect(modulesOf(network).activation(1)).toBe(softmax);
    expect(() => modulesOf(network).elementwiseHead).toThrow(/row-wise/);
    expect(modulesOf(parseNetwork({ layers: [{ weights: [[0.5]] }] })).head).toBe(bceSigmoid);
  });
});
