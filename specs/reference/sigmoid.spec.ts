import { describe, expect, it } from 'vitest';
import { crossEntropyFromLogit, sigmoid, sigmoidComplement, sigmoidSlope, softplus } from '../../src/reference/index.js';

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
});
