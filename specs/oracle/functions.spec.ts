import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createContext, crossEntropyFromLogit, expm1, log1p, sigmoidPair } from '../../src/oracle/index.js';

const ctx = createContext(50);
const D = ctx.D;
// 200 digits: enough that 1 + x and 1 - Z keep the oracle's 50 digits for |x| >= 1e-140, |S| <= 100
const Hi = createContext(200).D;
// for the saturated spot checks
const Huge = createContext(1000).D;

/** Correct digits of a against b relative to |b|. */
function digits(a: InstanceType<typeof D>, b: InstanceType<typeof Hi>): number {
  const diff = new Hi(a).minus(b).abs();
  return diff.isZero() ? Infinity : -diff.div(b.abs()).log(10).toNumber();
}

describe('oracle functions', () => {
  it('rejects a precision below 20 or not an integer', () => {
    expect(() => createContext(10)).toThrow('precision must be an integer from 20 to 1000 digits, got 10');
    expect(() => createContext(40.5)).toThrow('got 40.5');
  });

  it('log1p and expm1 hold every digit for tiny arguments, where 1 + x rounds to 1', () => {
    for (const x of ['1e-30', '-3e-45', '1e-140', '7e-6', '0.3', '-0.9', '25']) {
      const xd = new D(x);
      expect(digits(log1p(ctx, xd), Hi.ln(new Hi(x).plus(1)))).toBeGreaterThan(48);
      expect(digits(expm1(ctx, xd), Hi.exp(new Hi(x)).minus(1))).toBeGreaterThan(48);
    }
    expect(log1p(ctx, new D(0)).isZero()).toBe(true);
    expect(expm1(ctx, new D(0)).isZero()).toBe(true);
  });

  it('sigmoidPair keeps both sides exact in saturation (Z within 1e-300 of 0 or 1)', () => {
    for (const S of [0, 1, -1, 30, -30, 700, -700, 1000, -1000]) {
      const { Z, Zc } = sigmoidPair(ctx, new D(S));
      const exactZ = new Hi(1).div(new Hi(1).plus(new Hi(-S).exp()));
      const exactZc = new Hi(1).div(new Hi(1).plus(new Hi(S).exp()));
      expect(digits(Z, exactZ)).toBeGreaterThan(48);
      expect(digits(Zc, exactZc)).toBeGreaterThan(48);
    }
    expect(sigmoidPair(ctx, new D(1000)).Zc.toExponential(5)).toBe('5.07596e-435');
    expect(sigmoidPair(ctx, new D(0)).Z.toString()).toBe('0.5');
  });

  it('cross-entropy from the logit equals -(t ln Z + (1-t) ln(1-Z)) to the working precision, also in saturation', () => {
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (S, t) => {
        const pair = sigmoidPair(ctx, new D(S));
        const got = crossEntropyFromLogit(ctx, new D(S), pair.f, new D(t));
        const Z = new Hi(1).div(new Hi(1).plus(new Hi(-S).exp()));
        const Zc = new Hi(1).div(new Hi(1).plus(new Hi(S).exp()));
        const want = new Hi(t).times(Z.ln()).plus(new Hi(1).minus(t).times(Zc.ln())).neg();
        return want.isZero() ? got.isZero() : digits(got, want) > 45;
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('cross-entropy stays exact at |S| = 700 and 1000, where float64 ln(1 - Z) would be ln(0)', () => {
    for (const [S, t] of [[1000, 1], [-1000, 0], [700, 0.25], [-700, 1]] as const) {
      const pair = sigmoidPair(ctx, new D(S));
      const got = crossEntropyFromLogit(ctx, new D(S), pair.f, new D(t));
      const Z = new Huge(1).div(new Huge(1).plus(new Huge(-S).exp()));
      const Zc = new Huge(1).div(new Huge(1).plus(new Huge(S).exp()));
      const want = new Huge(t).times(Z.ln()).plus(new Huge(1).minus(t).times(Zc.ln())).neg();
      expect(digits(got, new Hi(want))).toBeGreaterThan(45);
    }
  });
});
