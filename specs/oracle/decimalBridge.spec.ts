import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BigFloat, Binary, bitLength, bitsForDigits } from '../../src/oracle/bigfloat.js';
import { BinaryMath } from '../../src/oracle/bigfloatMath.js';
import { Decimal } from '../../src/oracle/decimal.js';
import { decimalExp, fromDecimal, pow5, toDecimal } from '../../src/oracle/decimalBridge.js';

/**
 * Conversions between BigFloat and Decimal at any exponent: exact rational arithmetic while the
 * binary exponent is within 2^+-6000, beyond it through approximations of 5^k with a proven
 * bound (`pow5`) and more digits wherever those do not decide the rounding. Both give the
 * correctly rounded Decimal: checked against decimal.js itself at 3 times the digits.
 */

const bin = new Binary(bitsForDigits(50));
const D = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
const Wide = Decimal.clone({ precision: 150, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });

/** m 2^e rounded to 50 digits through decimal.js at 150 digits (2^e by its integer power). */
function reference(m: bigint, e: number): InstanceType<typeof D> {
  return new D(new Wide(m.toString()).times(new Wide(2).pow(e)).toSignificantDigits(50));
}

describe('conversions at any exponent', () => {
  it('pow5 is a lower bound of 5^k within its stated relative error k 2^(3 - w)', () => {
    for (const k of [0, 1, 2, 7, 64, 1000, 2047, 50001]) {
      for (const w of [80, 200]) {
        const { M, e } = pow5(k, w);
        const exact = 5n ** BigInt(k);
        const low = e >= 0 ? M << BigInt(e) : M; // M 2^e, compared with 5^k 2^-e when e < 0
        const want = e >= 0 ? exact : exact << BigInt(-e);
        expect(low <= want, `k = ${k}`).toBe(true);
        // (want - low) / want <= k 2^(3 - w), as integers: (want - low) 2^(w - 3) <= k want
        expect((want - low) << BigInt(w - 3) <= BigInt(Math.max(k, 1)) * want, `k = ${k}, w = ${w}`).toBe(true);
      }
    }
  });

  it('toDecimal is correctly rounded on both sides of the exact range (binary exponents 2^-3e6 to 2^3e6)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 199n) - 1n }), fc.integer({ min: -3_000_000, max: 3_000_000 }), fc.boolean(), (raw, e, neg) => {
        const m = raw | (1n << 198n); // a full-width mantissa
        const x = new BigFloat(neg ? -m : m, e);
        const want = reference(m, e);
        return toDecimal(bin, x, D).eq(neg ? want.neg() : want);
      }),
      { seed: 91, numRuns: 40 },
    );
    // at the edges of the exact range
    for (const e of [-6000 - 199, -6000, 5999, 6001, -100_000]) {
      const m = (1n << 198n) + 12345678901234567890123n;
      expect(toDecimal(bin, new BigFloat(m, e), D).eq(reference(m, e)), `e = ${e}`).toBe(true);
    }
  });

  it('toDecimal decides values within 1e-100 of a half-way point (more digits where 12 do not decide)', () => {
    const wide = new Binary(500);
    const H = Decimal.clone({ precision: 200, minE: -9e15, maxE: 9e15 });
    for (const e of ['e-2500', 'e+2100']) {
      for (const last of ['5', '49999999', '50000001']) {
        // 50 digits then a 5 (or just below or above it): to 500 bits, within 1e-150 of that decimal
        const text = `-1.2345678901234567890123456789012345678901234567890${last}${e}`;
        const x = fromDecimal(wide, new H(text));
        const exact = new H(x.m.toString()).times(new H(2).pow(x.e));
        expect(toDecimal(wide, x, D).eq(new D(exact.toSignificantDigits(50))), text).toBe(true);
      }
    }
  });

  it('fromDecimal holds Decimals of any exponent to the working precision', () => {
    for (const s of ['1.23456789012345678901234567890123456789e-2500', '-9.87654321e4000', '3e-900000', '7.5e1234567']) {
      const x = new D(s);
      const back = toDecimal(bin, fromDecimal(bin, x), D);
      expect(back.minus(x).div(x).abs().lt('1e-55'), s).toBe(true);
    }
  });

  it('the digits of e^-(10^6) and e^-(1.2e15): decimal.js exp, the BigFloat exp and decimalExp agree', () => {
    const math = new BinaryMath(bin);
    for (const x of ['-1000000.5', '-123456789.25', '-1.2e15']) {
      const want = new D(x).exp();
      const got = toDecimal(bin, math.exp(fromDecimal(bin, new D(x))), D);
      expect(got.minus(want).div(want).abs().lt('1e-48'), x).toBe(true);
    }
    // decimalExp (exactly decimal.js's digits) through the approximate conversion of its result
    for (const x of ['-250000.125', '-987654.321']) expect(decimalExp(D, new D(x)).eq(new D(x).exp()), x).toBe(true);
  });

  it('a mantissa of any width converts (bitLength of the product stays consistent)', () => {
    expect(bitLength(pow5(100, 120).M)).toBeLessThanOrEqual(120);
  });
});
