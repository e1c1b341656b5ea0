import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createContext, exactDecimalString, toDecimal, toNumber } from '../../src/oracle/index.js';

const ctx = createContext(50);

describe('exact conversion between float64 and decimal', () => {
  it('converts 0.1 to the double it is, not to its shortest form', () => {
    expect(exactDecimalString(0.1)).toBe('1000000000000000055511151231257827021181583404541015625e-55');
    expect(toDecimal(ctx, 0.1).toFixed()).toBe('0.1000000000000000055511151231257827021181583404541015625');
  });

  it('converts the smallest subnormal, the largest double, integers and signed zeros exactly', () => {
    expect(toDecimal(ctx, 5e-324).toExponential(10)).toBe('4.9406564584e-324');
    expect(exactDecimalString(5e-324)).toMatch(/^4940656458412465441765687928682213723650598026143247/);
    expect(exactDecimalString(Number.MAX_VALUE)).toBe((2n ** 1024n - 2n ** 971n).toString());
    expect(exactDecimalString(2 ** 70)).toBe((2n ** 70n).toString());
    expect(exactDecimalString(-3)).toBe('-3');
    expect(exactDecimalString(0)).toBe('0');
    expect(exactDecimalString(-0)).toBe('-0');
  });

  it('rejects non-finite numbers with a message naming the value', () => {
    expect(() => exactDecimalString(Number.NaN)).toThrow('cannot convert the non-finite number NaN');
    expect(() => exactDecimalString(Number.POSITIVE_INFINITY)).toThrow('Infinity');
  });

  it('round-trips every double exactly (float64 -> decimal -> float64)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const back = toNumber(toDecimal(ctx, x));
        return Object.is(back, x) || (x === 0 && back === 0);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('keeps the exact binary value: x + ulp/2 as a decimal lies strictly between two doubles', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
        const d = toDecimal(ctx, x);
        // the decimal is exactly x, so d - x computed in decimal from x's own digits is zero
        return d.minus(new ctx.D(exactDecimalString(x))).isZero() && d.toNumber() === x;
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});
