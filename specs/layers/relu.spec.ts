import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activationOf, leakyRelu, linear, modulesOf, relu, reluWithKink, sigmoid, tanh, type Rectifier } from '../../src/layers/index.js';
import { parseNetwork } from '../../src/network/validate.js';
import { createContext } from '../../src/oracle/context.js';
import { toDecimal } from '../../src/oracle/decimalBridge.js';
import { decimalExact } from '../../src/oracle/exactArithmetic.js';
import { ETA64, U64 } from '../../src/compare/rounding.js';
import type { BigFloat } from '../../src/oracle/bigfloat.js';
import { Worst, exactOf, exactPoint, nearKink, preActivation, relative, sorted, wideStep, within, withinBound } from './helpers.js';

/**
 * The rectifiers (standalone, not wired): ReLU and leaky ReLU with alpha at 0, ordinary, near 1 and
 * generated, each with the kink on the left (the default) and on the right. Their float64 forms
 * against the exact identities (BigFloat, 200 bits), the change identities against differences of
 * values at 600 bits, the bound rules against the float64 error at S* within eS of S (kinks
 * crossed), the kink convention, the textbook forms' monotonicity. Fixed seeds.
 */

const P = exactOf(200);
const WIDE = exactOf(600);
const u = U64;
const SEED = { seed: 12_002 };
const pre = fc.oneof(preActivation, nearKink, nearKink);
const ALPHAS = [0, 0.01, 0.25, 1 - 2 ** -53];
const KINKS = ['left', 'right'] as const;
const modules: Rectifier[] = ALPHAS.flatMap((alpha) => KINKS.map((kink) => (alpha === 0 ? reluWithKink(kink) : leakyRelu(alpha, kink))));
const moduleArb = fc.oneof(
  fc.constantFrom(...modules),
  fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constantFrom(...KINKS)).map(([alpha, kink]) => leakyRelu(alpha, kink)),
);
const label = (m: Rectifier) => `${m.name}(alpha = ${m.alpha}, kink ${m.kink})`;

const worst = { change: new Worst(), changeFromValues: new Worst(), boundZ: new Worst(), boundZc: new Worst() };
let slopeCrossings = 0;
afterAll(() => {
  console.log(`relu worst: ${Object.entries(worst).map(([k, w]) => `${k} ${w}`).join('; ')}; slope bound exercised across the kink ${slopeCrossings} times`);
});

/** f(S) = max(S, 0) + alpha min(S, 0) in `bin` from alpha as given (independent of the module's exact alpha). */
function f(bin: typeof P.bin, m: Rectifier, s: BigFloat): BigFloat {
  return bin.isNeg(s) ? bin.mul(bin.fromNumber(m.alpha), s) : s;
}

/** The slope at S* by definition: 1 right of 0, alpha left of it, the kink side's at 0. */
function slopeAt(m: Rectifier, sign: number): number {
  if (sign > 0) return 1;
  if (sign < 0) return m.alpha;
  return m.kink === 'right' ? 1 : m.alpha;
}

describe('the float64 forms equal the exact values (one rounding of alpha S)', () => {
  it('Z within roundings u |Z| + eta, Zc = min(S, 0) and the slope (float64, unit, slopeFromValues) exactly, at |S| up to 1000 and within 1e-300 of the kink', () => {
    fc.assert(
      fc.property(moduleArb, pre, (m, S) => {
        const { bin, x } = P;
        const exact = m.exact.unit(x, bin.fromNumber(S));
        const Z = m.value(S);
        const Zc = m.complement(S);
        expect(within(bin, bin.fromNumber(Z), exact.Z, m.bound.roundings * u * Math.abs(Z) + ETA64)).toBe(true);
        expect(within(bin, bin.fromNumber(Z), f(bin, m, bin.fromNumber(S)), m.bound.roundings * u * Math.abs(Z) + ETA64)).toBe(true);
        expect(bin.cmp(bin.fromNumber(Zc), exact.Zc)).toBe(0);
        expect(Zc).toBe(Math.min(S, 0) + 0);
        const p = m.slope(Z, Zc);
        expect(p).toBe(slopeAt(m, Math.sign(S)));
        expect(bin.cmp(bin.fromNumber(p), exact.slope)).toBe(0);
        const [pZ, pZc] = m.exact.pair(x, bin.fromNumber(S));
        expect(bin.cmp(m.exact.slopeFromValues!(x, pZ, pZc), exact.slope)).toBe(0);
        if (m.alpha === 0) expect(Z).toBe(Math.max(S, 0) + 0);
        expect(Object.is(Z, -0) || Object.is(Zc, -0)).toBe(false);
      }),
      { numRuns: 3000, ...SEED },
    );
  });

  it('forwardRow gives value and complement unit by unit', () => {
    fc.assert(
      fc.property(moduleArb, fc.array(pre, { minLength: 1, maxLength: 6 }), (m, xs) => {
        const S = Float64Array.from(xs);
        const Z = new Float64Array(S.length);
        const Zc = new Float64Array(S.length);
        m.forwardRow(S, Z, Zc, 0, S.length);
        xs.forEach((s, k) => {
          expect(Z[k]).toBe(m.value(s));
          expect(Zc[k]).toBe(m.complement(s));
        });
      }),
      SEED,
    );
  });

  it('the exact pair equals the unit; f = e^-|S|; the exact alpha is the double alpha exactly (alpha = 1 - 2^-53 too)', () => {
    const { bin, x } = P;
    for (const m of modules) {
      const s = bin.fromNumber(-3);
      expect(bin.cmp(m.exact.unit(x, s).slope, bin.fromNumber(m.alpha))).toBe(0);
      const [Z, Zc] = m.exact.pair(x, s);
      expect(bin.cmp(Z, m.exact.unit(x, s).Z)).toBe(0);
      expect(bin.cmp(Zc, s)).toBe(0);
      expect(relative(bin, m.exact.unit(x, s).f, x.exp(bin.fromNumber(-3)))).toBe(0);
    }
  });
});

describe('the kink convention: the slope at exactly S = 0 is the left piece\'s unless the module declares kink "right"', () => {
  it('left: 0 for ReLU, alpha for leaky; right: 1; both sides of 0 and -0, float64 and exact', () => {
    const { bin, x } = P;
    for (const m of modules) {
      const atKink = m.kink === 'right' ? 1 : m.alpha;
      for (const zero of [0, -0]) {
        expect(m.slope(m.value(zero), m.complement(zero)), label(m)).toBe(atKink);
        expect(bin.cmp(m.exact.unit(x, bin.fromNumber(zero)).slope, bin.fromNumber(atKink)), label(m)).toBe(0);
        const [Z0, Zc0] = m.exact.pair(x, bin.fromNumber(zero));
        expect(bin.cmp(m.exact.slopeFromValues!(x, Z0, Zc0), bin.fromNumber(atKink)), label(m)).toBe(0);
      }
      expect(m.slope(m.value(Number.MIN_VALUE), m.complement(Number.MIN_VALUE))).toBe(1);
      expect(m.slope(m.value(-Number.MIN_VALUE), m.complement(-Number.MIN_VALUE))).toBe(m.alpha);
      expect(bin.cmp(m.exact.unit(x, bin.fromNumber(-Number.MIN_VALUE)).slope, bin.fromNumber(m.alpha))).toBe(0);
    }
    expect(relu.kink).toBe('left');
    expect(relu.slope(0, 0)).toBe(0);
    expect(reluWithKink('right').slope(0, 0)).toBe(1);
    expect(leakyRelu(0.1).kink).toBe('left');
  });

  it('the bound rule knows the convention: at an exact S = 0 (eS = 0) the slope is exact; any eS > 0 admits the other piece', () => {
    for (const m of modules) {
      const eZ = (S: number, eS: number) => m.bound.propagated(S, eS) + m.bound.roundings * u * Math.abs(m.value(S)) + ETA64;
      const eZc = (S: number, eS: number) => m.bound.complementPropagated!(S, eS) + ETA64;
      const rule = (S: number, eS: number) => m.bound.slopeError(m.value(S), m.complement(S), eZ(S, eS), eZc(S, eS), m.slope(m.value(S), m.complement(S)), u, ETA64);
      // on the alpha piece the slope is alpha as the arithmetic holds it: u alpha + eta (ReLU: exactly 0)
      const held = (S: number) => (m.alpha !== 0 && m.slope(m.value(S), m.complement(S)) === m.alpha ? u * m.alpha + ETA64 : 0);
      expect(rule(0, 0), label(m)).toBe(held(0));
      expect(rule(0, Number.MIN_VALUE), label(m)).toBe(1 - m.alpha + held(0));
      expect(rule(1e-300, 2e-300), label(m)).toBe(1 - m.alpha);
      expect(rule(-1e-300, 2e-300), label(m)).toBe(1 - m.alpha + held(-1e-300));
      // away from the kink, and a dead unit however far below it, the slope is exact (up to alpha's own rounding)
      expect(rule(5, 1e-10), label(m)).toBe(0);
      expect(rule(-5, 1), label(m)).toBe(held(-5));
      expect(rule(-1e-300, 1e-301), label(m)).toBe(held(-1e-300));
      // the part that is the kink crossing's: none at an exact kink
      expect(m.bound.kinkCrossing!(m.value(0), m.complement(0), eZ(0, 0), eZc(0, 0), ETA64), label(m)).toBe(0);
    }
  });
});

describe('the change identities equal differences of values computed at 600 bits', () => {
  /**
   * f(S + D) - f(S) = (max(S + D, 0) - max(S, 0)) + alpha (min(S + D, 0) - min(S, 0)) at 600 bits
   * from alpha as given: D or alpha D exactly where S and S + D lie on one side (>= 0 or < 0),
   * else (S + D) - alpha S or alpha (S + D) - S with S + D rounded to 600 bits.
   */
  function difference(m: Rectifier, S: number, D: number): BigFloat {
    const { bin, x } = WIDE;
    const s = bin.fromNumber(S);
    const d = bin.fromNumber(D);
    const alpha = bin.fromNumber(m.alpha);
    const sp = bin.add(s, d);
    const below = S < 0;
    const belowAfter = bin.isNeg(sp);
    const truth = below === belowAfter
      ? (below ? bin.mul(alpha, d) : d)
      : bin.add(bin.sub(below ? sp : x.zero, below ? x.zero : s), bin.mul(alpha, bin.sub(below ? x.zero : sp, below ? s : x.zero)));
    return P.bin.norm(truth.m, truth.e);
  }

  for (const name of ['change', 'changeFromValues'] as const) {
    it(`${name} to 55 digits (exact where S and S + D lie on one side), steps 1e-25 to 1e3 and across the kink`, () => {
      const across = fc.tuple(nearKink, fc.double({ min: -330, max: -300, noNaN: true }), fc.boolean()).map(([S, e, neg]) => [S, (neg ? -1 : 1) * 10 ** e] as const);
      fc.assert(
        fc.property(moduleArb, fc.oneof(fc.tuple(pre, wideStep), across), (m, [S, D]) => {
          const { bin, x } = P;
          const s = bin.fromNumber(S);
          const d = bin.fromNumber(D);
          const [Z, Zc] = m.exact.pair(x, s);
          const change = name === 'change' ? m.exact.change(x, s, d, Z, Zc) : m.exact.changeFromValues(x, Z, Zc, d);
          const truth = difference(m, S, D);
          const r = relative(bin, change, truth);
          worst[name].see(r, () => `${label(m)}, S = ${S}, D = ${D}`);
          expect(r, `${label(m)}, S = ${S}, D = ${D}`).toBeLessThan(1e-55);
          const oneSide = (S < 0) === (S + D < 0) && S + D !== 0;
          if (oneSide && D !== 0 && Math.abs(D) > 1e-300) expect(bin.cmp(change, truth)).toBe(0);
        }),
        { numRuns: 2000, ...SEED },
      );
    });
  }

  it('a zero step changes nothing', () => {
    const { bin, x } = P;
    for (const m of modules) {
      const [Z, Zc] = m.exact.pair(x, bin.fromNumber(-3));
      expect(m.exact.change(x, bin.fromNumber(-3), x.zero, Z, Zc).m).toBe(0n);
      expect(m.exact.changeFromValues(x, Z, Zc, x.zero).m).toBe(0n);
    }
  });
});

describe('the bound rules cover the float64 error when S is known only within eS (|f\'| <= 1, one rounding of alpha S)', () => {
  it('Z within propagated + roundings u |Z| + eta, Zc within complementPropagated + eta, the slope within slopeError, for S* in [S - eS, S + eS]', () => {
    fc.assert(
      fc.property(moduleArb, withinBound(pre), (m, { S, eS, theta }) => {
        const { bin, x } = P;
        const star = exactPoint(bin, S, theta, eS);
        const exact = m.exact.unit(x, star);
        const Z = m.value(S);
        const Zc = m.complement(S);
        const eZ = m.bound.propagated(S, eS) + m.bound.roundings * u * Math.abs(Z) + ETA64;
        const eZc = m.bound.complementPropagated!(S, eS) + m.bound.roundings * u * Math.abs(Zc) + ETA64;
        const p = m.slope(Z, Zc);
        const ep = m.bound.slopeError(Z, Zc, eZ, eZc, p, u, ETA64);
        const gap = (v: number, e: BigFloat) => bin.toNumber(bin.abs(bin.sub(bin.fromNumber(v), e)));
        const at = () => `${label(m)}, S = ${S}, eS = ${eS}, theta = ${theta}`;
        worst.boundZ.see(gap(Z, exact.Z) / eZ, at);
        worst.boundZc.see(gap(Zc, exact.Zc) / eZc, at);
        expect(gap(Z, exact.Z), at()).toBeLessThanOrEqual(eZ);
        expect(gap(Zc, exact.Zc), at()).toBeLessThanOrEqual(eZc);
        const slopeGap = gap(p, exact.slope);
        if (slopeGap > 0) slopeCrossings++;
        expect(slopeGap, at()).toBeLessThanOrEqual(ep);
      }),
      { numRuns: 4000, ...SEED },
    );
    expect(slopeCrossings).toBeGreaterThan(0);
  });
});

describe('leaky ReLU\'s alpha: 0 <= alpha < 1', () => {
  it('alpha 0 is ReLU by value, slope and change; alpha near 1 keeps its last bit', () => {
    const { bin, x } = P;
    const zero = leakyRelu(0);
    fc.assert(
      fc.property(pre, wideStep, (S, D) => {
        expect(zero.value(S)).toBe(relu.value(S));
        expect(zero.slope(zero.value(S), zero.complement(S))).toBe(relu.slope(relu.value(S), relu.complement(S)));
        const s = bin.fromNumber(S);
        const [Z, Zc] = zero.exact.pair(x, s);
        expect(bin.cmp(zero.exact.change(x, s, bin.fromNumber(D), Z, Zc), relu.exact.change(x, s, bin.fromNumber(D), Z, Zc))).toBe(0);
      }),
      SEED,
    );
    const near = leakyRelu(1 - 2 ** -53);
    expect(near.value(-1)).toBe(-(1 - 2 ** -53));
    expect(near.slope(near.value(-1), near.complement(-1))).toBe(1 - 2 ** -53);
    // alpha S rounds once, and alpha itself once in a narrower arithmetic (float32)
    expect(near.bound.roundings).toBe(2);
    expect(relu.bound.roundings).toBe(0);
  });

  it('refuses alpha outside [0, 1)', () => {
    for (const alpha of [1, 1.5, -0.01, Number.NaN, Infinity]) expect(() => leakyRelu(alpha)).toThrow(/0 <= alpha < 1/);
  });
});

describe('the textbook forms are monotone (the emulation takes their values at the interval ends)', () => {
  const rounds = [(v: number) => v, Math.fround];

  it('Z = fl(S) or fl(alpha S) does not decrease in S, in float64 and float32; it never overflows', () => {
    fc.assert(
      fc.property(moduleArb, fc.array(pre, { minLength: 2, maxLength: 40 }), (m, xs) => {
        for (const round of rounds) {
          const Zs = sorted(xs).map((S) => m.textbook.value(S, 1, round));
          for (let q = 1; q < Zs.length; q++) expect(Zs[q]!).toBeGreaterThanOrEqual(Zs[q - 1]!);
        }
        expect(xs.some((S) => m.textbook.overflows(S, 709))).toBe(false);
      }),
      SEED,
    );
  });

  it('the textbook slope from the rounded Z: alpha up to the peak (the smallest positive Z), 1 from it; at Z = 0 the left piece (its only difference: the kink)', () => {
    fc.assert(
      fc.property(moduleArb, fc.array(fc.oneof(pre, nearKink), { minLength: 2, maxLength: 40 }), (m, zs) => {
        const { Z: at, value } = m.textbook.slopePeak;
        for (const round of rounds) {
          // the driver sees Z rounded to the precision: sides of the peak by the rounded Z
          const Zs = zs.map(round);
          const left = sorted(Zs.filter((z) => z <= at)).map((z) => m.textbook.slope(z, round));
          const right = sorted(Zs.filter((z) => z >= at)).map((z) => m.textbook.slope(z, round));
          for (let q = 1; q < left.length; q++) expect(left[q]!).toBeGreaterThanOrEqual(left[q - 1]!);
          for (let q = 1; q < right.length; q++) expect(right[q]!).toBeLessThanOrEqual(right[q - 1]!);
          for (const p of [...left, ...right]) expect(p).toBeLessThanOrEqual(value);
        }
        expect(m.textbook.slope(at, (v) => v)).toBe(value);
      }),
      SEED,
    );
    const right = reluWithKink('right');
    expect(right.textbook.slope(right.value(0), (v) => v)).toBe(0);
    expect(right.slope(right.value(0), right.complement(0))).toBe(1);
  });
});

describe('the registry', () => {
  it('activationOf finds relu and leaky_relu with their alpha and kink side', () => {
    expect(activationOf('relu')).toBe(relu);
    expect(activationOf('relu', { kink: 'right' }).kink).toBe('right');
    const leaky = activationOf('leaky_relu', { alpha: 0.2 }) as Rectifier;
    expect([leaky.name, leaky.alpha, leaky.kink]).toEqual(['leaky_relu', 0.2, 'left']);
    expect((activationOf('leaky_relu') as Rectifier).alpha).toBe(0.01);
    expect(activationOf('leaky_relu', { alpha: 0.2 })).toBe(leaky);
  });
});

describe('wired: a network gets the modules it names', () => {
  it('modulesOf gives each layer its activation, alpha and the kink side asked; the head its pair', () => {
    const network = parseNetwork({ layers: [{ weights: [[0.5]], activation: 'relu' }, { weights: [[0.5]], activation: 'leaky_relu', alpha: 0.2 }, { weights: [[0.5]], activation: 'tanh' }, { weights: [[1]], activation: 'linear' }], loss: 'mse' });
    const m = modulesOf(network);
    expect(m.elementwise(0)).toBe(relu);
    expect((m.elementwise(1) as Rectifier).alpha).toBe(0.2);
    expect(m.elementwise(2)).toBe(tanh);
    expect(m.elementwise(3)).toBe(linear);
    expect(m.head.loss).toBe('mse');
    expect(m.version1).toBe(false);
    expect(modulesOf(network, 'right').elementwise(0).kink).toBe('right');
    expect(modulesOf(network)).toBe(m);
    const v1 = parseNetwork({ layers: [{ weights: [[0.5]] }] });
    expect(modulesOf(v1).elementwise(0)).toBe(sigmoid);
    expect(modulesOf(v1).version1).toBe(true);
    expect(leakyRelu(0.2).alpha).toBe(0.2);
  });
});

describe('one identity, two arithmetics', () => {
  it('the rectifiers\' changeFromValues in decimal.js (alpha built by halvings, to its precision) and in BigFloat (exactly) agree to 45 digits', () => {
    const ctx = createContext(50);
    const dx = decimalExact(ctx);
    fc.assert(
      fc.property(moduleArb, pre, wideStep, (m, S, D) => {
        const { bin, x } = P;
        const [Z, Zc] = m.exact.pair(x, bin.fromNumber(S));
        const big = toDecimal(bin, m.exact.changeFromValues(x, Z, Zc, bin.fromNumber(D)), ctx.D);
        const dec = m.exact.changeFromValues(dx, toDecimal(bin, Z, ctx.D), toDecimal(bin, Zc, ctx.D), toDecimal(bin, bin.fromNumber(D), ctx.D));
        expect(dec.minus(big).abs().lte(big.abs().times('1e-45'))).toBe(true);
      }),
      { numRuns: 300, ...SEED },
    );
  });
});

describe("float32: the implementation's alpha is fl32(alpha), a float64 number rounded (issue 12)", () => {
  const U32 = 2 ** -24;
  const ETA32 = 2 ** -149;
  // alphas that float32 cannot hold (0.01, 0.1, 0.2, 0.3) and one it can (0.25)
  const FLOAT32_ALPHAS = [0.01, 0.1, 0.2, 0.3, 0.25];
  it('the slope bound on the alpha piece covers |fl32(alpha) - alpha| (S < 0, and S = 0 on the left); none on the slope-1 piece', () => {
    for (const alpha of FLOAT32_ALPHAS) {
      for (const kink of KINKS) {
        const m = leakyRelu(alpha, kink);
        const slip = Math.abs(Math.fround(alpha) - alpha);
        for (const S of [-3, -1e-20, 0, 2]) {
          const Z = m.value(S);
          const Zc = m.complement(S);
          const p = m.slope(Z, Zc);
          const ep = m.bound.slopeError(Z, Zc, 0, 0, p, U32, ETA32);
          const onAlpha = p === alpha;
          if (onAlpha) expect(ep, `alpha ${alpha} ${kink} S ${S}`).toBeGreaterThanOrEqual(slip);
          // the float32 implementation's slope is fl32(p): within the bound
          expect(Math.abs(Math.fround(p) - p), `alpha ${alpha} ${kink} S ${S}`).toBeLessThanOrEqual(ep);
          // exact S (eS = 0): no kink crossing in it
          expect(m.bound.kinkCrossing!(Z, Zc, 0, 0, ETA32)).toBe(0);
        }
      }
    }
  });
  it('the forward bound covers fl32(fl32(alpha) S) against alpha S at exact S: roundings u |Z| + eta', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FLOAT32_ALPHAS), fc.double({ min: -1e30, max: -1e-30, noNaN: true }).map(Math.fround), (alpha, S) => {
        const m = leakyRelu(alpha);
        // alpha S in float64 errs by at most 2^-53 of itself: far below the float32 roundings
        const truth = alpha * S;
        const computed = Math.fround(Math.fround(alpha) * S);
        const bound = m.bound.roundings * U32 * Math.abs(truth) + ETA32;
        expect(Math.abs(computed - truth) * (1 - 2 ** -50), `alpha ${alpha} S ${S}`).toBeLessThanOrEqual(bound);
      }),
      { ...SEED, numRuns: 2000 },
    );
  });
});
