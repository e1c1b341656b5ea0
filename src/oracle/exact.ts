import type { Decimal } from './decimal.js';
import type { OracleContext } from './context.js';

const view = new DataView(new ArrayBuffer(8));

/**
 * The exact value of a double as a decimal string: a double is m * 2^e with an integer m, and
 * m * 2^e = m * 5^-e * 10^e for e < 0, so its decimal expansion is finite (at most 767 digits).
 * `new Decimal(0.1)` would give the shortest round-trip form "0.1" instead.
 */
export function exactDecimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`oracle: cannot convert the non-finite number ${x} to a decimal`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074; // subnormal: m * 2^-1074
  else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e += 1;
  }
  if (e >= 0) return sign + (m << BigInt(e)).toString();
  return `${sign}${(m * 5n ** BigInt(-e)).toString()}e${e}`;
}

/** The double x as the Decimal it is exactly (the constructor keeps every digit, it does not round). */
export function toDecimal(ctx: OracleContext, x: number): Decimal {
  return new ctx.D(exactDecimalString(x));
}

/** Packed float64 values as exact Decimals. */
export function toDecimals(ctx: OracleContext, xs: ArrayLike<number>): Decimal[] {
  const out = new Array<Decimal>(xs.length);
  for (let k = 0; k < xs.length; k++) out[k] = toDecimal(ctx, xs[k]!);
  return out;
}

/** The double nearest to d (round half to even, as parsing a decimal string does). */
export function toNumber(d: Decimal): number {
  return d.toNumber();
}
