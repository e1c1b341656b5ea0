import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitraryForClass, mixedSaturationArbitrary } from '../../src/generate/index.js';
import { createContext, crossEntropyFromLogit as exactCrossEntropy, sigmoidPair, toDecimal } from '../../src/oracle/index.js';
import { crossEntropyFromLogit, forward, sigmoid, sigmoidComplement, sigmoidSlope, softplus } from '../../src/reference/index.js';

const ctx = createContext(50);
const U = 2 ** -53;
const ETA = 2 ** -1074;

describe('float64 sigmoid kernels', () => {
  it('computes Z and 1 - Z without cancellation in saturation', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoidComplement(40)).toBeCloseTo(4.248354255291589e-18, 30);
    expect(sigmoidComplement(40) / 4.248354255291589e-18).toBeCloseTo(1, 14);
    // the textbook 1 - sigma(40) is 0: all digits lost
    expect(1 - sigmoid(40)).toBe(0);
    expect(sigmoid(-745)).toBeGreaterThan(0);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
  });

  it('forms sigma\'(S) = Z(1-Z) as sigma(S) sigma(-S), keeping digits where Z(1-Z) from a rounded Z loses them', () => {
    const S = 40;
    const exact = 4.248354255291589e-18; // e^-40 / (1 + e^-40)^2
    expect(Math.abs(sigmoidSlope(S) / exact - 1)).toBeLessThan(1e-15);
    const z = sigmoid(S);
    expect(z * (1 - z)).toBe(0);
    expect(sigmoidSlope(0)).toBe(0.25);
  });

  it('computes softplus and the cross-entropy from the logit for |S| up to 1000 and beyond', () => {
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0); // e^-1000 underflows: 0 is the correctly rounded value
    expect(softplus(-700) / Math.exp(-700)).toBeCloseTo(1, 14);
    expect(crossEntropyFromLogit(1000, 0)).toBe(1000);
    expect(crossEntropyFromLogit(-1000, 1)).toBe(1000);
    // ln(1 + e^-30) = e^-30 - e^-60/2 + ... = 9.3576229688397372e-14
    expect(crossEntropyFromLogit(30, 1) / 9.3576229688397372e-14).toBeCloseTo(1, 14);
    expect(crossEntropyFromLogit(0, 0.5)).toBeCloseTo(Math.LN2, 15);
    expect(Number.isFinite(crossEntropyFromLogit(1e300, 0.5))).toBe(true);
  });

  it('holds Z, 1 - Z, the slope and the cross-entropy to a few ulps on GENERATED saturated pre-activations, |S| reaching 1000', () => {
    // every pre-activation of generated saturating cases and of cases mixing a saturated layer with
    // a typical one, and the cross-entropy of every output with its target, against the oracle
    const cases = [
      ...fc.sample(caseArbitraryForClass('saturating'), { seed: 61, numRuns: 120 }),
      ...fc.sample(mixedSaturationArbitrary(), { seed: 62, numRuns: 60 }),
    ];
    let worst = 0; // error / (k u |exact| + eta): within 1 means within k roundings of the exact value
    const seen: number[] = [];
    const check = (value: number, exact: InstanceType<typeof ctx.D>, k: number): void => {
      const error = toDecimal(ctx, value).minus(exact).abs().toNumber();
      worst = Math.max(worst, error / (k * U * exact.abs().toNumber() + ETA));
    };
    for (const c of cases) {
      const pass = forward(c.network, c.batch);
      pass.S.forEach((layer, l) => {
        for (const [k, S] of layer.entries()) {
          seen.push(S);
          const pair = sigmoidPair(ctx, toDecimal(ctx, S));
          // e^-|S| to an ulp, 1 + f and one division: 4 roundings; the slope is the product of two
          check(sigmoid(S), pair.Z, 4);
          check(sigmoidComplement(S), pair.Zc, 4);
          check(sigmoidSlope(S), pair.Z.times(pair.Zc), 9);
          // the 8 roundings of a loss term the error bound allows (bound.ts, LOSS_TERM_ROUNDINGS)
          if (l === pass.S.length - 1) check(crossEntropyFromLogit(S, c.batch.T[k]!), exactCrossEntropy(ctx, toDecimal(ctx, S), pair.f, toDecimal(ctx, c.batch.T[k]!)), 8);
        }
      });
    }
    expect(worst).toBeLessThanOrEqual(1);
    // the range the title claims was reached, on both sides
    expect(Math.max(...seen)).toBeGreaterThan(900);
    expect(Math.min(...seen)).toBeLessThan(-900);
    expect(seen.filter((S) => Math.abs(S) > 745).length).toBeGreaterThan(50); // e^-|S| below the doubles
  });
});

