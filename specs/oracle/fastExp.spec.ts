import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../src/oracle/decimal.js';
import { decimalExp, decimalLn, fromDecimal, toDecimal } from '../../src/oracle/decimalBridge.js';
import { Binary, bitsForDigits } from '../../src/oracle/bigfloat.js';
import { BinaryMath } from '../../src/oracle/bigfloatMath.js';

/**
 * The oracle's exp and ln (BigInt fixed point, argument reduction and Taylor series at guard
 * precision, rounded once) return exactly the Decimal that decimal.js's correctly rounded exp and
 * ln return, digit for digit, at every precision the oracle uses.
 */

const contexts = [20, 30, 50, 70, 90].map((P) => Decimal.clone({ precision: P, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 }));
const argument = fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: -30, max: 3 }));

describe('exp and ln of the oracle equal decimal.js to the last digit', () => {
  for (const D of contexts) {
    it(`exp at ${D.precision} digits, |x| from 1e-30 to 1000`, () => {
      fc.assert(
        fc.property(argument, ([m, e]) => {
          const x = new D(m).times(new D(10).pow(e)).toSignificantDigits(D.precision);
          return decimalExp(D, x).eq(x.exp());
        }),
        { seed: 61, numRuns: 150 },
      );
    });

    it(`ln at ${D.precision} digits, x from 1e-30 to 1000`, () => {
      fc.assert(
        fc.property(argument, ([m, e]) => {
          const x = new D(Math.abs(m) + 1e-3).times(new D(10).pow(e)).toSignificantDigits(D.precision);
          return decimalLn(D, x).eq(x.ln());
        }),
        { seed: 62, numRuns: 150 },
      );
    });
  }

  it('exp in saturation and at exact points: e^-1000, e^-745.2, e^0 = 1, e^(1e-60)', () => {
    const D = contexts[2]!;
    for (const x of ['-1000', '-745.2', '0', '1e-60', '-1e-60', '709.7', '-0.5']) expect(decimalExp(D, new D(x)).toString()).toBe(new D(x).exp().toString());
    expect(decimalLn(D, new D(1)).isZero()).toBe(true);
  });

  it('BigFloat exp, expm1, log1p and ln hold the full width (checked at 120 digits)', () => {
    const bin = new Binary(bitsForDigits(50));
    const math = new BinaryMath(bin);
    const H = Decimal.clone({ precision: 120, minE: -9e15, maxE: 9e15 });
    const rel = (got: ReturnType<typeof math.exp>, want: InstanceType<typeof H>): number => toDecimal(bin, got, H).minus(want).div(want).abs().toNumber();
    for (const s of ['1e-30', '-3e-25', '2.5e-7', '0.693', '-0.3466', '37.2', '-709.5', '1e-5', '-0.99', '123.4']) {
      const x = fromDecimal(bin, new H(s));
      const xh = toDecimal(bin, x, H);
      expect(rel(math.exp(x), xh.exp())).toBeLessThan(2 ** -(bin.bits - 3));
      expect(rel(math.expm1(x), xh.exp().minus(1))).toBeLessThan(2 ** -(bin.bits - 3));
      if (xh.gt(-1)) expect(rel(math.log1p(x), xh.plus(1).ln())).toBeLessThan(2 ** -(bin.bits - 3));
      if (xh.gt(0) && !xh.minus(1).abs().lt(1e-5)) expect(rel(math.ln(x), xh.ln())).toBeLessThan(2 ** -(bin.bits - 24));
    }
  });

  it('doubles go in and out of BigFloat exactly, subnormals too', () => {
    const bin = new Binary(bitsForDigits(50));
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => Object.is(bin.toNumber(bin.fromNumber(x)), x === 0 ? 0 : x)), { seed: 63, numRuns: 2000 });
    for (const x of [5e-324, 2 ** -1022, 1.7976931348623157e308, -3.5e-320]) expect(bin.toNumber(bin.fromNumber(x))).toBe(x);
  });
});
