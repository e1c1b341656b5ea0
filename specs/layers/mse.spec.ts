import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { headOf, linear, lossOf, mse, mseHead, sigmoid, softmax, tanh, type ExactTarget } from '../../src/layers/index.js';
import { ETA64, U64 } from '../../src/compare/rounding.js';
import type { BigFloat, Binary } from '../../src/oracle/bigfloat.js';
import { exactOf, preActivation, relative, rowStep, step, within } from './helpers.js';

/**
 * The mse head with a sigmoid output (the elementwise activation committed today): its float64
 * term and delta 2 (Z - t) f'(S) against its exact forms at 200 bits within its own bound rules,
 * its change identities (through the sigmoid's own change identity) against differences of terms
 * at 600 bits for steps 1e-25 to 1e6, the fused delta as the exact derivative of the term, the
 * textbook delta with the sigmoid's textbook slope.
 */

const P = exactOf(200);
const WIDE = exactOf(600);
const u = U64;
const head = mseHead(sigmoid);

/** Any finite targets: the hard ones, soft ones and far outside [0, 1]. */
const anyTarget: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(0, 1, 0.5, -3), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true }));

function targetOf(bin: Binary, t: number): ExactTarget<BigFloat> {
  const tb = bin.fromNumber(t);
  return { t: tb, tc: bin.sub(bin.one, tb), raw: t };
}

describe('the float64 forms are within the bound rules of the exact forms (|S| up to 1000)', () => {
  it('the term (Z - t)^2 within termError at exact S', () => {
    fc.assert(
      fc.property(preActivation, anyTarget, (S, t) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const exact = head.exact.term(x, s, sigmoid.exact.unit(x, s).f, targetOf(bin, t));
        const term = head.term(S, sigmoid.value(S), sigmoid.complement(S), t);
        const bound = head.bound.termError(S, 0, t, term, u, ETA64);
        expect(within(bin, bin.fromNumber(term), exact, bound)).toBe(true);
        // not vacuous: a few ulps of the term and of Z - t's own rounding (2 |Z - t| eZ + eZ^2)
        const Z = sigmoid.value(S);
        const small = Math.min(Z, sigmoid.complement(S)) + Math.abs(t) * u;
        expect(bound).toBeLessThanOrEqual(64 * u * (term + (Math.abs(Z - t) + 8 * u * small) * small) + 1e-300);
      }),
      { seed: 1221, numRuns: 2000 },
    );
  });

  it('the delta 2 (Z - t) Z Zc and its magnitude within deltaErrorRow, row by row; divided by the divisor', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(preActivation, anyTarget), { minLength: 1, maxLength: 5 }), fc.constantFrom(1, 6), (row, divisor) => {
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
        head.deltaRow(Z, Zc, T, 0, n, 1, d);
        head.deltaMagnitudeRow(Z, Zc, T, 0, n, m);
        head.bound.deltaErrorRow(Z, Zc, eZ, eZc, T, 0, n, u, ETA64, ed);
        const units = S.map((s) => sigmoid.exact.unit(x, bin.fromNumber(s)));
        const dx: BigFloat[] = new Array<BigFloat>(n);
        const mx: BigFloat[] = new Array<BigFloat>(n);
        head.exact.deltaRow(x, units.map((v) => v.Z), units.map((v) => v.Zc), (k) => targetOf(bin, T[k]!), 0, n, dx, mx);
        for (let k = 0; k < n; k++) {
          expect(within(bin, bin.fromNumber(d[k]!), dx[k]!, ed[k]!)).toBe(true);
          // the magnitude 2 (|Z| + |t|) |f'| rounds in four steps of its own
          expect(within(bin, bin.fromNumber(m[k]!), mx[k]!, ed[k]! + 8 * u * m[k]!)).toBe(true);
          // 2 (Z - t) f'(S) with f' the unit's own slope
          expect(within(bin, dx[k]!, bin.mul(bin.mul(bin.fromNumber(2), bin.sub(units[k]!.Z, bin.fromNumber(T[k]!))), units[k]!.slope), 2 ** -190 * (1 + Math.abs(T[k]!)))).toBe(true);
        }
        const divided = new Float64Array(n);
        head.deltaRow(Z, Zc, T, 0, n, divisor, divided);
        for (let k = 0; k < n; k++) expect(divided[k]).toBe(divisor === 1 ? d[k] : d[k]! / divisor);
      }),
      { seed: 1222, numRuns: 1000 },
    );
  });
});

describe('the change identities equal differences of terms at 600 bits', () => {
  /** (Z(S + D) - t)^2 - (Z(S) - t)^2 at 600 bits. */
  function difference(S: number, D: number, t: number): BigFloat {
    const { bin, x } = WIDE;
    const s = bin.fromNumber(S);
    const tt = targetOf(bin, t);
    const term = (v: BigFloat) => head.exact.term(x, v, x.zero, tt);
    return bin.sub(term(bin.add(s, bin.fromNumber(D))), term(s));
  }

  /**
   * |change - truth| <= 1e-50 max(|truth|, |dZ| (|Z| + |Z'| + 2 |t|)) + 2^-590 (1 + t^2): 50 digits of
   * the change or of the scale its magnitude gives (the delta magnitude's 2 (|Z| + |t|) times the
   * move: a Z held to the working precision knows Z - t only that far), down to what 600 bits resolve.
   */
  function agrees(change: BigFloat, truth: BigFloat, S: number, D: number, t: number): boolean {
    const { bin, x } = P;
    const s = bin.fromNumber(S);
    const [Z] = sigmoid.exact.pair(x, s);
    const [Zp] = sigmoid.exact.pair(x, bin.add(s, bin.fromNumber(D)));
    const tb = bin.fromNumber(t);
    const sides = bin.mul(bin.abs(bin.sub(Zp, Z)), bin.add(bin.add(bin.abs(Z), bin.abs(Zp)), bin.mul(bin.fromNumber(2), bin.abs(tb))));
    const w = bin.norm(truth.m, truth.e);
    const size = bin.cmp(bin.abs(w), sides) > 0 ? bin.abs(w) : sides;
    const resolved = bin.fromNumber(2 ** -590 * (1 + t * t));
    return bin.cmp(bin.abs(bin.sub(change, w)), bin.add(bin.mul(size, bin.fromNumber(1e-50)), resolved)) <= 0;
  }

  it('termChange (the sigmoid at the moved S itself) to 50 digits, steps 1e-25 to 1e6', () => {
    fc.assert(
      fc.property(preActivation, rowStep, anyTarget, (S, D, t) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const [Z, Zc] = sigmoid.exact.pair(x, s);
        const change = head.exact.termChange(x, s, bin.fromNumber(D), Z, Zc, targetOf(bin, t));
        expect(agrees(change, difference(S, D, t), S, D, t)).toBe(true);
      }),
      { seed: 1223, numRuns: 1000 },
    );
  });

  it('addTermChangeFromValues (Z, Zc and expm1 of the step alone) to 50 digits where it is used (|D| <= 1e-10)', () => {
    fc.assert(
      fc.property(preActivation, step.filter((D) => Math.abs(D) <= 1e-10), anyTarget, (S, D, t) => {
        const { bin, x } = P;
        const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(S));
        const change = head.exact.addTermChangeFromValues(x, x.zero, Z, Zc, bin.fromNumber(D), bin.fromNumber(t));
        expect(agrees(change, difference(S, D, t), S, D, t)).toBe(true);
      }),
      { seed: 1224, numRuns: 1000 },
    );
  });

  it('termChangeInZ: (Z + d - t)^2 - (Z - t)^2 to 50 digits', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -30, max: 0, noNaN: true }), anyTarget, (S, e, t) => {
        const { bin, x } = WIDE;
        const [Z, Zc] = sigmoid.exact.pair(x, bin.fromNumber(S));
        const d = bin.fromNumber(10 ** e);
        const tb = bin.fromNumber(t);
        const change = head.exact.termChangeInZ(x, Z, Zc, d, tb);
        const sq = (v: BigFloat) => bin.mul(bin.sub(v, tb), bin.sub(v, tb));
        const truth = bin.sub(sq(bin.add(Z, d)), sq(Z));
        // the truth's own difference of squares resolves 2^-600 (1 + |t|)^2
        expect(within(bin, change, truth, 1e-50 * Math.abs(bin.toNumber(truth)) + 2 ** -590 * (1 + Math.abs(t)) ** 2)).toBe(true);
      }),
      { seed: 1225, numRuns: 300 },
    );
  });

  it('the fused delta is the exact derivative of the term: termChange(D) / D -> 2 (Z - t) sigma\'(S) (D = +-2^-300)', () => {
    fc.assert(
      fc.property(preActivation, anyTarget, fc.boolean(), (S, t, neg) => {
        const { bin, x } = exactOf(1000);
        const s = bin.fromNumber(S);
        const [Z, Zc] = sigmoid.exact.pair(x, s);
        const D = bin.fromNumber((neg ? -1 : 1) * 2 ** -300);
        const slope = bin.div(head.exact.termChange(x, s, D, Z, Zc, targetOf(bin, t)), D);
        const d: BigFloat[] = [x.zero];
        const m: BigFloat[] = [x.zero];
        head.exact.deltaRow(x, [Z], [Zc], () => targetOf(bin, t), 0, 1, d, m);
        // second order |E''| |D| <= (2 sigma'^2 + 2 |Z - t| |sigma''|) |D| <= (1 + |t|) 2^-300
        expect(within(bin, slope, d[0]!, (1 + Math.abs(t)) * 2 ** -299 + bin.toNumber(m[0]!) * 1e-80)).toBe(true);
      }),
      { seed: 1226, numRuns: 300 },
    );
  });
});

describe('the textbook forms', () => {
  it('the delta with the sigmoid\'s textbook slope fl(Z fl(1 - Z)) is 0 in saturation, where the stable delta is not', () => {
    const S = 40;
    const Z = sigmoid.value(S);
    const Zc = sigmoid.complement(S);
    const d = new Float64Array(1);
    head.deltaRow(Float64Array.of(Z), Float64Array.of(Zc), Float64Array.of(0), 0, 1, 1, d);
    expect(d[0]!).toBeGreaterThan(0);
    expect(relative(P.bin, P.bin.fromNumber(d[0]!), P.bin.fromNumber(2 * Z * Math.exp(-40) / (1 + Math.exp(-40)) ** 2))).toBeLessThan(1e-14);
    expect(head.textbook.delta(Z, 0, 1, (v) => v)).toBe(0);
  });

  it('agrees with the stable delta where the sigmoid does not saturate (|S| <= 5), within deltaOrders and a few ulps', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), anyTarget, fc.constantFrom(1, 4), (S, t, divisor) => {
        const Z = sigmoid.value(S);
        const Zc = sigmoid.complement(S);
        const d = new Float64Array(1);
        head.deltaRow(Float64Array.of(Z), Float64Array.of(Zc), Float64Array.of(t), 0, 1, divisor, d);
        const textbook = head.textbook.delta(Z, t, divisor, (v) => v);
        // the textbook 1 - Z from the rounded Z errs by u Z, relative u Z / Zc of the slope (the named cancellation, e^5 = 148 ulps at |S| = 5)
        expect(Math.abs(textbook - d[0]!)).toBeLessThanOrEqual(head.textbook.deltaOrders(Z, t, divisor, u) + 8 * u * (1 + Z / Zc) * Math.abs(d[0]!) + 1e-300);
      }),
      { seed: 1227, numRuns: 500 },
    );
  });

  it('the textbook term over [lo, hi] holds (Z - t)^2 at every Z between (no logarithm: every form alike)', () => {
    const ar = { round: (v: number) => v, belowOne: 1 - 2 ** -53, minPositive: 2 ** -1074, clipLow: 1e-7, clipHigh: 1 - 1e-7 };
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), anyTarget, (lo, w, a, t) => {
        const hi = Math.min(lo + w, 1);
        const z = lo + a * (hi - lo);
        const at = (z - t) * (z - t);
        for (const form of ['plain', 'clamp', 'clip'] as const) {
          const [[low, high]] = head.textbook.term(lo, hi, t, form, ar) as [[number, number]];
          expect(at).toBeGreaterThanOrEqual(low * (1 - 1e-12));
          expect(at).toBeLessThanOrEqual(high * (1 + 1e-12));
        }
      }),
      { seed: 1228, numRuns: 500 },
    );
  });
});

describe('the registry pairs mse with any elementwise output, never softmax', () => {
  it('lossOf, headOf, mse.head', () => {
    expect(lossOf('mse')).toBe(mse);
    expect(headOf('mse', 'sigmoid')).toBe(head);
    expect(mse.head(sigmoid)).toBe(head);
    expect(head.loss).toBe('mse');
    expect(head.activation).toBe('sigmoid');
    expect(mse.head(softmax)).toBeUndefined();
  });

  it('an activation without an exact slope from its values has no exact delta yet (an error naming it)', () => {
    const { bin, x } = P;
    const other = mseHead({ ...sigmoid, name: 'softplus' as never });
    expect(other.activation).toBe('softplus');
    expect(() => other.exact.deltaRow(x, [x.zero], [x.one], () => targetOf(bin, 0), 0, 1, [], [])).toThrow(/no exact slope from the forward values of the softplus activation/);
  });
});

describe('a saturated sigmoid output with t = 1 keeps its digits: Z - t as (1 - t) - Zc', () => {
  it('term Zc^2 and delta -2 Zc^2 Z at S = 40 (float64 Z = 1 would give 0 for both)', () => {
    const S = 40;
    const Z = sigmoid.value(S);
    const Zc = sigmoid.complement(S);
    expect(Z).toBe(1);
    expect(head.term(S, Z, Zc, 1)).toBe(Zc * Zc);
    const d = new Float64Array(1);
    head.deltaRow(Float64Array.of(Z), Float64Array.of(Zc), Float64Array.of(1), 0, 1, 1, d);
    expect(d[0]).toBe(2 * -Zc * (Z * Zc));
  });
});

describe('mse with the tanh and linear modules: the same rules through their own forms', () => {
  for (const f of [tanh, linear]) {
    const h = mseHead(f);
    it(`${f.name}: term and delta within their bound rules of the exact forms; termChange to 50 digits of the 600-bit difference`, () => {
      fc.assert(
        fc.property(preActivation, anyTarget, rowStep, (S, t, D) => {
          const { bin, x } = P;
          const s = bin.fromNumber(S);
          const Z = f.value(S);
          const Zc = f.complement(S);
          const term = h.term(S, Z, Zc, t);
          expect(within(bin, bin.fromNumber(term), h.exact.term(x, s, x.zero, targetOf(bin, t)), h.bound.termError(S, 0, t, term, u, ETA64))).toBe(true);
          const eZ = Float64Array.of(f.bound.propagated(S, 0) + f.bound.roundings * u * Math.abs(Z) + ETA64);
          const eZc = Float64Array.of(f.bound.propagated(S, 0) + f.bound.roundings * u * Math.abs(Zc) + ETA64);
          const d = new Float64Array(1);
          const ed = new Float64Array(1);
          h.deltaRow(Float64Array.of(Z), Float64Array.of(Zc), Float64Array.of(t), 0, 1, 1, d);
          h.bound.deltaErrorRow(Float64Array.of(Z), Float64Array.of(Zc), eZ, eZc, Float64Array.of(t), 0, 1, u, ETA64, ed);
          const unit = f.exact.unit(x, s);
          const dx: BigFloat[] = [x.zero];
          const mx: BigFloat[] = [x.zero];
          h.exact.deltaRow(x, [unit.Z], [unit.Zc], () => targetOf(bin, t), 0, 1, dx, mx);
          expect(within(bin, bin.fromNumber(d[0]!), dx[0]!, ed[0]!)).toBe(true);
          expect(within(bin, dx[0]!, bin.mul(bin.mul(bin.fromNumber(2), bin.sub(unit.Z, bin.fromNumber(t))), unit.slope), 2 ** -190 * (1 + Math.abs(t) + Math.abs(S)))).toBe(true);
          // the change through f's own change identity against the difference of 600-bit terms
          const change = h.exact.termChange(x, s, bin.fromNumber(D), unit.Z, unit.Zc, targetOf(bin, t));
          const W = WIDE;
          const sw = W.bin.fromNumber(S);
          const tw = targetOf(W.bin, t);
          const truth = W.bin.sub(h.exact.term(W.x, W.bin.add(sw, W.bin.fromNumber(D)), W.x.zero, tw), h.exact.term(W.x, sw, W.x.zero, tw));
          const Zp = f.exact.pair(x, bin.add(s, bin.fromNumber(D)))[0];
          const scale = bin.toNumber(bin.mul(bin.abs(bin.sub(Zp, unit.Z)), bin.add(bin.add(bin.abs(unit.Z), bin.abs(Zp)), bin.fromNumber(2 * Math.abs(t)))));
          const w = bin.norm(truth.m, truth.e);
          expect(within(bin, change, w, 1e-50 * Math.max(Math.abs(bin.toNumber(w)), scale) + 2 ** -590 * (1 + t * t + S * S))).toBe(true);
        }),
        { seed: f === tanh ? 1231 : 1232, numRuns: 800 },
      );
    });
  }
});
