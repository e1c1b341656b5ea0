import { describe, expect, it } from 'vitest';
import { BigFloat, Binary, bitsForDigits, MAX_EXPONENT, ZERO } from '../../src/oracle/bigfloat.js';
import { BinaryMath, expFixed } from '../../src/oracle/bigfloatMath.js';
import { Decimal } from '../../src/oracle/decimal.js';
import { fromDecimal, toDecimal } from '../../src/oracle/decimalBridge.js';
import { OracleLimitError } from '../../src/oracle/errors.js';

/**
 * exp, expm1 and log1p of any finite argument, and the BigFloat exponent range: e^x is computed
 * for |x| beyond 2^50 (up to 2^51 ln 2 = 1.56e15, where e^x leaves the range), held as 0 below
 * the range, and an OracleLimitError (code E_ORACLE_LIMIT) above it. Checked against decimal.js's
 * own exp and ln at 80 digits.
 */

const bin = new Binary(bitsForDigits(50));
const math = new BinaryMath(bin);
const H = Decimal.clone({ precision: 80, minE: -9e15, maxE: 9e15 });
type Hi = InstanceType<typeof H>;
const big = (x: string): BigFloat => fromDecimal(bin, new H(x));
const rel = (got: BigFloat, want: Hi): number => new H(toDecimal(bin, got, H)).minus(want).div(want).abs().toNumber();
const ulp = 2 ** -(bin.bits - 4);

describe('exp of any argument', () => {
  it('e^x for |x| beyond 2^50 (1.13e15), below the exponent range limit 2^51 ln 2', () => {
    for (const x of ['-1.2e15', '-1125899906842624.75', '-1.5e15', '-3.3e12', '-98765432109.123', '1.2e15', '1e12']) {
      // against e^ of the BigFloat argument itself (x rounded to 199 bits moves e^x by |x| 2^-199)
      const xb = big(x);
      expect(rel(math.exp(xb), new H(toDecimal(bin, xb, H)).exp()), x).toBeLessThan(ulp);
    }
  });

  it('is 0 below the exponent range (e^x < 2^-(2^51)) and an OracleLimitError above it', () => {
    for (const x of ['-1.6e15', '-4.6e15', '-1e300', '-1.7976931348623157e308']) expect(math.exp(big(x)), x).toBe(ZERO);
    for (const x of ['1.6e15', '1e300']) {
      expect(() => math.exp(big(x))).toThrow(OracleLimitError);
      expect(() => math.exp(big(x))).toThrow(/cannot compute e\^x for x = 1\.\d+e\+\d+: it is beyond the BigFloat exponent range/);
    }
    try {
      math.exp(big('2e15'));
    } catch (error) {
      expect((error as OracleLimitError).code).toBe('E_ORACLE_LIMIT');
    }
    // the edges: the least exponent that is still held, and e^x just beyond it
    const edge = -(MAX_EXPONENT + 1) * Math.LN2;
    expect(math.exp(big(String(edge + 1e3))).m).not.toBe(0n);
    expect(math.exp(big(String(edge - 1e3)))).toBe(ZERO);
    expect(expFixed(big('-5e15'), 240).p).toBe(0n);
  });

  it('expm1 and log1p of large arguments: e^x - 1 for |x| >= 1/2 up to 1e12, ln(1 + x) up to 2^1000', () => {
    for (const x of ['0.5', '-0.5', '0.75', '-3', '40', '-700.25', '1000', '123456.5', '1e12', '-1e12', '-1e300']) {
      const xb = big(x);
      expect(rel(math.expm1(xb), new H(toDecimal(bin, xb, H)).exp().minus(1)), x).toBeLessThan(ulp);
    }
    for (const x of ['1.8446744073709552e19', '3.5e25', '1e100', '1e300']) {
      expect(rel(math.log1p(big(x)), new H(x).plus(1).ln()), x).toBeLessThan(ulp);
    }
  });

  it('arithmetic holds results below the exponent range as 0 and throws beyond its top', () => {
    const tiny = math.exp(big('-1.5e15')); // about 2^-(2.16e15)
    expect(tiny.m).not.toBe(0n);
    expect(bin.mul(tiny, tiny)).toBe(ZERO); // 2^-(4.3e15) is below 2^-(2^51)
    expect(bin.div(tiny, bin.fromInt(3)).m).not.toBe(0n);
    const huge = math.exp(big('1.5e15'));
    expect(() => bin.mul(huge, huge)).toThrow(OracleLimitError);
    expect(() => bin.div(huge, tiny)).toThrow(/a value of magnitude 2\^\d+: it is beyond the BigFloat exponent range/);
    expect(bin.norm(1n, -MAX_EXPONENT - 10)).toBe(ZERO);
  });
});
