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
type Dec = InstanceType<(typeof contexts)[number]>;

/** The stated range: |x| from 1e-30 to 1000, i.e. log10 |x| in [-30, 3]. */
const LOW = -30;
const HIGH = 3;
const RUNS = 200;

/**
 * |x| log-uniform over the range, at full precision: 10^u with u uniform in [LOW, HIGH) (from 32
 * random bits, not fc.double, whose draws crowd toward 0), rounded to D's digits; a random sign
 * when `signed`.
 */
function logUniform(D: (typeof contexts)[number], signed: boolean): fc.Arbitrary<Dec> {
  return fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean()).map(([k, negative]) => {
    const u = new D(k).div(2 ** 32).times(HIGH - LOW).plus(LOW);
    const x = new D(10).pow(u);
    return signed && negative ? x.neg() : x;
  });
}

/** The decades floor(log10 |x|) the property reached. */
function decadesOf(xs: readonly Dec[]): Set<number> {
  return new Set(xs.map((x) => Math.floor(x.abs().log(10).toNumber())));
}

describe('exp and ln of the oracle equal decimal.js to the last digit', () => {
  for (const D of contexts) {
    it(`exp at ${D.precision} digits, |x| log-uniform from 1e-30 to 1000, both signs`, () => {
      const seen: Dec[] = [];
      fc.assert(
        fc.property(logUniform(D, true), (x) => {
          seen.push(x);
          return decimalExp(D, x).eq(x.exp());
        }),
        { seed: 61, numRuns: RUNS },
      );
      // the range is really exercised: both ends and nearly every decade between, both signs
      const decades = decadesOf(seen);
      expect(decades.has(LOW) && decades.has(HIGH - 1), [...decades].join(' ')).toBe(true);
      expect(decades.size).toBeGreaterThanOrEqual(30);
      expect(seen.some((x) => x.isNeg()) && seen.some((x) => !x.isNeg())).toBe(true);
    });

    it(`ln at ${D.precision} digits, x log-uniform from 1e-30 to 1000`, () => {
      const seen: Dec[] = [];
      fc.assert(
        fc.property(logUniform(D, false), (x) => {
          seen.push(x);
          return decimalLn(D, x).eq(x.ln());
        }),
        { seed: 62, numRuns: RUNS },
      );
      const decades = decadesOf(seen);
      expect(decades.has(LOW) && decades.has(HIGH - 1), [...decades].join(' ')).toBe(true);
      expect(decades.size).toBeGreaterThanOrEqual(30);
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
