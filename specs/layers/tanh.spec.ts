import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activationOf, tanh } from '../../src/layers/index.js';
import { ETA64, U32, U64 } from '../../src/compare/rounding.js';
import type { BigFloat } from '../../src/oracle/bigfloat.js';
import { createContext } from '../../src/oracle/context.js';
import { toDecimal } from '../../src/oracle/decimalBridge.js';
import { decimalExact } from '../../src/oracle/exactArithmetic.js';
import { Worst, exactOf, exactPoint, nearKink, preActivation, relative, sorted, wideStep, within, withinBound } from './helpers.js';

/**
 * The tanh module (standalone, not wired): its float64 forms against its own exact identities
 * (BigFloat, 200 bits), its change identities against differences of values at 600 bits taken
 * from the small side, its bound rules against the float64 error at a generated S* within eS of S,
 * its textbook forms' monotonicity. Fixed seeds; the worst measurements are printed at the end.
 */

const P = exactOf(200);
const WIDE = exactOf(600);
const u = U64;
const SEED = { seed: 12_001 };
const pre = fc.oneof(preActivation, nearKink);

const worst = {
  Z: new Worst(),
  Zc: new Worst(),
  change: new Worst(),
  changeFromValues: new Worst(),
  boundZ: new Worst(),
  boundZc: new Worst(),
  boundSlope: new Worst(),
};
afterAll(() => {
  const line = Object.entries(worst).map(([k, w]) => `${k} ${w}`).join('; ');
  console.log(`tanh worst: ${line}`);
});

describe('the float64 forms are within the bound rules of the exact values (|S| up to 1000, zeros, tiny S)', () => {
  it('Z, Zc within roundings u |value| + eta of the exact values; the slope within slopeError; Z, Zc to 4 ulps where normal', () => {
    fc.assert(
      fc.property(pre, (S) => {
        const { bin, x } = P;
        const exact = tanh.exact.unit(x, bin.fromNumber(S));
        const Z = tanh.value(S);
        const Zc = tanh.complement(S);
        const eZ = tanh.bound.roundings * u * Math.abs(Z) + ETA64;
        const eZc = tanh.bound.roundings * u * Zc + ETA64;
        expect(within(bin, bin.fromNumber(Z), exact.Z, eZ)).toBe(true);
        expect(within(bin, bin.fromNumber(Zc), exact.Zc, eZc)).toBe(true);
        const p = tanh.slope(Z, Zc);
        expect(within(bin, bin.fromNumber(p), exact.slope, tanh.bound.slopeError(Z, Zc, eZ, eZc, p, u, ETA64))).toBe(true);
        if (Math.abs(Z) > 2 ** -1022) {
          const r = relative(bin, bin.fromNumber(Z), exact.Z) / u;
          worst.Z.see(r, () => `S = ${S}`);
          expect(r).toBeLessThanOrEqual(4);
        }
        if (Zc > 2 ** -1022) {
          const r = relative(bin, bin.fromNumber(Zc), exact.Zc) / u;
          worst.Zc.see(r, () => `S = ${S}`);
          expect(r).toBeLessThanOrEqual(8);
        }
      }),
      { numRuns: 3000, ...SEED },
    );
  });

  it('tanh is odd and Zc even, exactly, in float64; saturated units keep a positive slope', () => {
    fc.assert(
      fc.property(pre, (S) => {
        expect(tanh.value(-S)).toBe(-tanh.value(S) + 0 || 0);
        expect(tanh.complement(-S)).toBe(tanh.complement(S));
      }),
      SEED,
    );
    expect(tanh.value(0)).toBe(0);
    expect(tanh.complement(0)).toBe(1);
    expect(tanh.value(1e-300)).toBe(1e-300);
    expect(tanh.value(40)).toBe(1);
    expect(tanh.complement(40)).toBeGreaterThan(0);
    expect(tanh.complement(1000)).toBe(0); // 4e^-2000, below the smallest double
  });

  it('forwardRow gives value and complement unit by unit', () => {
    fc.assert(
      fc.property(fc.array(pre, { minLength: 1, maxLength: 6 }), (xs) => {
        const S = Float64Array.from(xs);
        const Z = new Float64Array(S.length);
        const Zc = new Float64Array(S.length);
        tanh.forwardRow(S, Z, Zc, 0, S.length);
        xs.forEach((s, k) => {
          expect(Z[k]).toBe(tanh.value(s));
          expect(Zc[k]).toBe(tanh.complement(s));
        });
      }),
      SEED,
    );
  });

  it('the exact pair and unit: Zc = 1 - Z^2 (to 2^-195 absolute), slope = Zc = slopeFromValues, f = e^-|S|, at 200 bits', () => {
    fc.assert(
      fc.property(pre, (S) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const unit = tanh.exact.unit(x, s);
        const [Z, Zc] = tanh.exact.pair(x, s);
        expect(bin.cmp(Z, unit.Z)).toBe(0);
        expect(bin.cmp(Zc, unit.Zc)).toBe(0);
        expect(bin.cmp(unit.slope, unit.Zc)).toBe(0);
        expect(bin.cmp(tanh.exact.slopeFromValues!(x, Z, Zc), unit.slope)).toBe(0);
        expect(within(bin, Zc, bin.sub(bin.one, bin.mul(Z, Z)), 2 ** -195)).toBe(true);
        expect(relative(bin, unit.f, x.exp(bin.neg(bin.abs(s))))).toBe(0);
      }),
      { numRuns: 500, ...SEED },
    );
  });
});

describe('the change identities equal differences of values computed at 600 bits', () => {
  /** tanh at 600 bits from its own formulas: |Z| = -expm1(-2|S|) / (1 + g), m = 1 - |Z| = 2g / (1 + g), g = e^-2|S|. */
  function wideSides(s: BigFloat): { Z: BigFloat; m: BigFloat } {
    const { bin, x } = WIDE;
    const a2 = bin.mul(bin.abs(s), bin.fromNumber(2));
    const f = x.exp(bin.neg(bin.abs(s)));
    const g = bin.mul(f, f);
    const onePlusG = bin.add(bin.one, g);
    const abs = bin.div(bin.neg(x.expm1(bin.neg(a2))), onePlusG);
    return { Z: bin.isNeg(s) ? bin.neg(abs) : abs, m: bin.div(bin.add(g, g), onePlusG) };
  }

  /** tanh(S + D) - tanh(S) at 600 bits: from the distances to saturation m where both lie beyond |S| = 1 on one side (Z - Z' would cancel there), else Z' - Z. */
  function difference(S: number, D: number): BigFloat {
    const { bin } = WIDE;
    const s = bin.fromNumber(S);
    // S + D at 600 bits (x.moved would drop a D below 2^-(W + 72) of the oracle's exp)
    const sp = bin.add(s, bin.fromNumber(D));
    const a = wideSides(s);
    const b = wideSides(sp);
    const beyond = (v: BigFloat) => bin.cmp(bin.abs(v), bin.one) >= 0;
    const truth = beyond(s) && beyond(sp) && bin.isNeg(s) === bin.isNeg(sp)
      ? (bin.isNeg(s) ? bin.sub(b.m, a.m) : bin.sub(a.m, b.m))
      : bin.sub(b.Z, a.Z);
    return P.bin.norm(truth.m, truth.e);
  }

  it("change (tanh(D) (1 - Z Z'), from the moved pre-activation) to 55 digits, steps 1e-25 to 1e3", () => {
    fc.assert(
      fc.property(pre, wideStep, (S, D) => {
        const { bin, x } = P;
        const s = bin.fromNumber(S);
        const [Z, Zc] = tanh.exact.pair(x, s);
        const change = tanh.exact.change(x, s, bin.fromNumber(D), Z, Zc);
        const r = relative(bin, change, difference(S, D));
        worst.change.see(r, () => `S = ${S}, D = ${D}`);
        expect(r).toBeLessThan(1e-55);
      }),
      { numRuns: 1500, ...SEED },
    );
  });

  it('changeFromValues (tanh(D) Zc / (1 + Z tanh(D)), from Z, Zc and the step alone) to 55 digits', () => {
    fc.assert(
      fc.property(pre, wideStep, (S, D) => {
        const { bin, x } = P;
        const [Z, Zc] = tanh.exact.pair(x, bin.fromNumber(S));
        const change = tanh.exact.changeFromValues(x, Z, Zc, bin.fromNumber(D));
        const r = relative(bin, change, difference(S, D));
        worst.changeFromValues.see(r, () => `S = ${S}, D = ${D}`);
        expect(r).toBeLessThan(1e-55);
      }),
      { numRuns: 1500, ...SEED },
    );
  });

  it('saturated on one side, a tiny step: the hard cases by name', () => {
    const { bin, x } = P;
    for (const [S, D] of [[1000, 1e-25], [-1000, -1e-25], [20, -1e-25], [-20, 1e-25], [30, -60], [1e-300, -1e-300], [0, 1e-25], [0, -1000]] as const) {
      const s = bin.fromNumber(S);
      const [Z, Zc] = tanh.exact.pair(x, s);
      expect(relative(bin, tanh.exact.change(x, s, bin.fromNumber(D), Z, Zc), difference(S, D)), `change at S = ${S}, D = ${D}`).toBeLessThan(1e-55);
      expect(relative(bin, tanh.exact.changeFromValues(x, Z, Zc, bin.fromNumber(D)), difference(S, D)), `changeFromValues at S = ${S}, D = ${D}`).toBeLessThan(1e-55);
    }
  });

  it('a zero step changes nothing', () => {
    const { bin, x } = P;
    const [Z, Zc] = tanh.exact.pair(x, bin.fromNumber(3));
    expect(tanh.exact.change(x, bin.fromNumber(3), x.zero, Z, Zc).m).toBe(0n);
    expect(tanh.exact.changeFromValues(x, Z, Zc, x.zero).m).toBe(0n);
  });
});

describe('the bound rules cover the float64 error when S is known only within eS', () => {
  it('|Z(S) - tanh(S*)| <= propagated + roundings u |Z| + eta, Zc with complementPropagated, the slope within slopeError, for S* in [S - eS, S + eS]', () => {
    fc.assert(
      fc.property(withinBound(pre), ({ S, eS, theta }) => {
        const { bin, x } = P;
        const exact = tanh.exact.unit(x, exactPoint(bin, S, theta, eS));
        const Z = tanh.value(S);
        const Zc = tanh.complement(S);
        const eZ = tanh.bound.propagated(S, eS) + tanh.bound.roundings * u * Math.abs(Z) + ETA64;
        const eZc = tanh.bound.complementPropagated!(S, eS) + tanh.bound.roundings * u * Zc + ETA64;
        const p = tanh.slope(Z, Zc);
        const ep = tanh.bound.slopeError(Z, Zc, eZ, eZc, p, u, ETA64);
        const ratio = (v: number, e: BigFloat, b: number) => bin.toNumber(bin.abs(bin.sub(bin.fromNumber(v), e))) / b;
        const rZ = ratio(Z, exact.Z, eZ);
        const rZc = ratio(Zc, exact.Zc, eZc);
        const rp = ratio(p, exact.slope, ep);
        const at = () => `S = ${S}, eS = ${eS}, theta = ${theta}`;
        worst.boundZ.see(rZ, at);
        worst.boundZc.see(rZc, at);
        worst.boundSlope.see(rp, at);
        expect(rZ).toBeLessThanOrEqual(1);
        expect(rZc).toBeLessThanOrEqual(1);
        expect(rp).toBeLessThanOrEqual(1);
      }),
      { numRuns: 3000, ...SEED },
    );
  });

  it('the complement moves up to twice as far as Z (|dZc/dS| = 2 |Z| Zc): propagated alone would not cover it', () => {
    const { bin, x } = P;
    const [S, eS] = [3, 1e-6];
    const moved = tanh.exact.unit(x, bin.fromNumber(S - eS)).Zc;
    const distance = bin.toNumber(bin.abs(bin.sub(moved, tanh.exact.unit(x, bin.fromNumber(S)).Zc)));
    expect(distance).toBeGreaterThan(tanh.bound.propagated(S, eS));
    expect(distance).toBeLessThanOrEqual(tanh.bound.complementPropagated!(S, eS));
  });
});

describe('the textbook forms are monotone (the emulation takes their values at the interval ends)', () => {
  const rounds = [(v: number) => v, Math.fround];
  const overflowAt = [Math.log(Number.MAX_VALUE), Math.log(3.4028234663852886e38)];

  it('Z = fl(fl(1 - e) / fl(1 + e)), e = fl(e^-2S), does not decrease in S where e^-2S does not overflow, in float64 and float32', () => {
    fc.assert(
      fc.property(fc.array(pre, { minLength: 2, maxLength: 40 }), (xs) => {
        rounds.forEach((round, r) => {
          const Zs = sorted(xs.filter((S) => !tanh.textbook.overflows(S, overflowAt[r]!))).map((S) => tanh.textbook.value(S, 1, round));
          for (let q = 1; q < Zs.length; q++) expect(Zs[q]!).toBeGreaterThanOrEqual(Zs[q - 1]!);
          for (const Zt of Zs) expect(Number.isFinite(Zt)).toBe(true);
        });
      }),
      SEED,
    );
  });

  it('a larger scaled exponential gives a smaller Z (lo at fScale > 1, hi at fScale < 1)', () => {
    fc.assert(
      fc.property(pre.filter((S) => !tanh.textbook.overflows(S - 1, Math.log(Number.MAX_VALUE))), (S) => {
        for (const round of rounds) expect(tanh.textbook.value(S, 1 + 4 * U32, round)).toBeLessThanOrEqual(tanh.textbook.value(S, 1 - 4 * U32, round));
      }),
      SEED,
    );
  });

  it('the textbook slope fl(1 - fl(Z Z)) rises to its peak 1 at Z = 0 and falls after it; 0 at a saturated Z (the named cancellation)', () => {
    const { Z: at, value } = tanh.textbook.slopePeak;
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 40 }), (zs) => {
        for (const round of rounds) {
          const left = sorted(zs.filter((z) => z <= at)).map((z) => tanh.textbook.slope(round(z), round));
          const right = sorted(zs.filter((z) => z >= at)).map((z) => tanh.textbook.slope(round(z), round));
          for (let q = 1; q < left.length; q++) expect(left[q]!).toBeGreaterThanOrEqual(left[q - 1]!);
          for (let q = 1; q < right.length; q++) expect(right[q]!).toBeLessThanOrEqual(right[q - 1]!);
          for (const p of [...left, ...right]) expect(p).toBeLessThanOrEqual(value);
        }
      }),
      SEED,
    );
    expect(tanh.textbook.slope(tanh.value(20), (v) => v)).toBe(0);
    expect(tanh.slope(tanh.value(20), tanh.complement(20))).toBeGreaterThan(0);
    expect(tanh.textbook.slope(0, Math.fround)).toBe(value);
  });

  it('near S = 0 (|S| < ln(2) / 2, where 1 - e would cancel and no named computation forms Z so) the textbook Z keeps its relative digits, as a library tanh does', () => {
    const { bin, x } = P;
    for (const S of [1e-300, -1e-10, 1e-10, 0.01, -0.3, 0.34]) {
      const exact = tanh.exact.unit(x, bin.fromNumber(S)).Z;
      expect(relative(bin, bin.fromNumber(tanh.textbook.value(S, 1, (v) => v)), exact), String(S)).toBeLessThan(2 * u);
      expect(relative(bin, bin.fromNumber(tanh.value(S)), exact)).toBeLessThan(2 * u);
      // fScale still moves it the exponential's way: the left end (fScale > 1) lower, the right end higher
      expect(tanh.textbook.value(S, 1 + 4 * u, (v) => v)).toBeLessThanOrEqual(tanh.textbook.value(S, 1, (v) => v));
      expect(tanh.textbook.value(S, 1 - 4 * u, (v) => v)).toBeGreaterThanOrEqual(tanh.textbook.value(S, 1, (v) => v));
    }
    // beyond it the op-by-op form: 1 - e does not cancel (e <= 1/2), a few roundings of Z
    const S = 2;
    expect(relative(bin, bin.fromNumber(tanh.textbook.value(S, 1, (v) => v)), tanh.exact.unit(x, bin.fromNumber(S)).Z)).toBeLessThan(4 * u);
  });

  it('e^-2S overflows from ln(max)/2 on, in float64 and float32', () => {
    expect(tanh.textbook.overflows(-355, overflowAt[0]!)).toBe(true);
    expect(tanh.textbook.overflows(-354, overflowAt[0]!)).toBe(false);
    expect(Number.isNaN(tanh.textbook.value(-355, 1, (v) => v))).toBe(true);
    expect(tanh.textbook.overflows(-44.5, overflowAt[1]!)).toBe(true);
    expect(tanh.textbook.overflows(-44, overflowAt[1]!)).toBe(false);
  });
});

describe('the registry', () => {
  it('activationOf finds tanh, elementwise and smooth; a network names it', () => {
    expect(activationOf('tanh')).toBe(tanh);
    expect(tanh.kink).toBe('none');
    expect(tanh.shape).toBe('elementwise');
  });
});

describe('one identity, two arithmetics', () => {
  it('changeFromValues in decimal.js and in BigFloat agree to 45 digits', () => {
    const ctx = createContext(50);
    const dx = decimalExact(ctx);
    fc.assert(
      fc.property(pre, wideStep, (S, D) => {
        const { bin, x } = P;
        const [Z, Zc] = tanh.exact.pair(x, bin.fromNumber(S));
        const big = toDecimal(bin, tanh.exact.changeFromValues(x, Z, Zc, bin.fromNumber(D)), ctx.D);
        const dec = tanh.exact.changeFromValues(dx, toDecimal(bin, Z, ctx.D), toDecimal(bin, Zc, ctx.D), toDecimal(bin, bin.fromNumber(D), ctx.D));
        expect(dec.minus(big).abs().lte(big.abs().times('1e-45'))).toBe(true);
      }),
      { numRuns: 300, ...SEED },
    );
  });
});
