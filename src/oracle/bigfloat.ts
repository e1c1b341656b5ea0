import { OracleLimitError } from './errors.js';

/**
 * Binary floating point on BigInt mantissas: the oracle's working arithmetic.
 *
 * A value is m * 2^e with an integer mantissa m of exactly `bits` bits (2^(bits-1) <= |m| < 2^bits)
 * or m = 0, and an exponent e (a JS integer) with |e + bits| <= MAX_EXPONENT = 2^51, so nothing a
 * float64 network produces overflows (e^-1000 = 2^-1443 is an ordinary number here, and so is
 * e^-(10^15)). A result below 2^-(2^51) (10^-(6.8e14)) is held as 0: no float64 or float32 number
 * and no error measure relative to a scale above it can tell it from 0 (README, "Extreme inputs");
 * one above 2^(2^51) throws an `OracleLimitError`. Every operation truncates its exact result to
 * `bits` bits: relative error below 2^(2 - bits) per operation, any sign, any size. BigInt multiplies a 200-bit mantissa in about 0.2 us, ten times faster than
 * decimal.js multiplies 50 digits, which is why the oracle computes in this form and converts
 * to Decimal only at its edges (see `decimalBridge.ts`).
 */

/** m * 2^e; m = 0n is zero (then e is 0). */
export class BigFloat {
  constructor(readonly m: bigint, readonly e: number) {}
}

/** Zero, shared. */
export const ZERO = new BigFloat(0n, 0);

/** Every non-zero BigFloat x has |e + bits| <= MAX_EXPONENT: 2^-(MAX_EXPONENT + 1) <= |x| < 2^MAX_EXPONENT. */
export const MAX_EXPONENT = 2 ** 51;

/** The error of a result of magnitude 2^top, top > MAX_EXPONENT. */
export function exponentOverflow(top: number): OracleLimitError {
  return new OracleLimitError(`a value of magnitude 2^${top}`, `the BigFloat exponent range (magnitudes below 2^(2^51))`);
}

const SHIFTS: bigint[] = [];
/** BigInt(n) for a shift count, cached. */
export function sh(n: number): bigint {
  if (n < 4096) {
    let s = SHIFTS[n];
    if (s === undefined) {
      for (let k = SHIFTS.length; k <= n; k++) SHIFTS.push(BigInt(k));
      s = SHIFTS[n]!;
    }
    return s;
  }
  return BigInt(n);
}

const POW2: bigint[] = [];
/** 2^n as a BigInt, cached for n < 4096. */
export function pow2(n: number): bigint {
  if (n < 4096) {
    let p = POW2[n];
    if (p === undefined) {
      p = 1n << sh(n);
      POW2[n] = p;
    }
    return p;
  }
  return 1n << BigInt(n);
}

/** Number of bits of x > 0 (floor(log2 x) + 1). */
export function bitLength(x: bigint): number {
  const n = Number(x);
  if (n !== Number.POSITIVE_INFINITY) {
    let L = Math.floor(Math.log2(n)) + 1;
    // Number(x) rounds: correct an off-by-one near a power of two
    if (x < pow2(L - 1)) L -= 1;
    else if (x >= pow2(L)) L += 1;
    return L;
  }
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** x = mant * 2^exp exactly, with an integer |mant| < 2^53 (signed); x must be finite. */
export function doubleParts(x: number): { mant: number; exp: number } {
  f64[0] = x;
  const hi = u32[HI]!;
  const lo = u32[LO]!;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (hi & 0xfffff) * 4294967296 + lo;
  if (biased !== 0) mant += 4503599627370496;
  return { mant: hi >>> 31 === 1 ? -mant : mant, exp: biased === 0 ? -1074 : biased - 1075 };
}

/**
 * Arithmetic at a fixed mantissa width. All operations return normalised values; inputs must be
 * normalised values of the same width (made by this object).
 */
export class Binary {
  /** Mantissa bits. */
  readonly bits: number;
  private readonly F: bigint;
  private readonly top: bigint;
  private readonly half: bigint;
  private readonly productHalf: bigint;
  private readonly Fm1: bigint;
  private readonly lowest: number;
  private readonly highest: number;
  readonly one: BigFloat;
  readonly two: BigFloat;

  constructor(bits: number) {
    if (!Number.isInteger(bits) || bits < 60 || bits > 8000) throw new RangeError(`oracle: mantissa bits must be an integer from 60 to 8000, got ${bits}`);
    this.bits = bits;
    this.F = BigInt(bits);
    this.top = 1n << this.F;
    this.half = 1n << (this.F - 1n);
    this.productHalf = 1n << (2n * this.F - 1n);
    this.Fm1 = this.F - 1n;
    this.lowest = -MAX_EXPONENT - bits;
    this.highest = MAX_EXPONENT - bits;
    this.one = new BigFloat(this.half, 1 - bits);
    this.two = new BigFloat(this.half, 2 - bits);
  }

  /** Normalises any integer mantissa m (truncating toward zero) at exponent e. */
  norm(m: bigint, e: number): BigFloat {
    if (m === 0n) return ZERO;
    const neg = m < 0n;
    let a = neg ? -m : m;
    const L = bitLength(a);
    if (L > this.bits) {
      a >>= sh(L - this.bits);
      e += L - this.bits;
    } else if (L < this.bits) {
      a <<= sh(this.bits - L);
      e -= this.bits - L;
    }
    const top = e + this.bits;
    if (top < -MAX_EXPONENT) return ZERO;
    if (top > MAX_EXPONENT) throw exponentOverflow(top);
    return new BigFloat(neg ? -a : a, e);
  }

  /** The double x exactly (every double has at most 53 significant bits). */
  fromNumber(x: number): BigFloat {
    if (x === 0) return ZERO;
    if (!Number.isFinite(x)) throw new RangeError(`oracle: cannot convert the non-finite number ${x}`);
    f64[0] = x;
    const hi = u32[HI]!;
    const lo = u32[LO]!;
    const biased = (hi >>> 20) & 0x7ff;
    const mant = (hi & 0xfffff) * 4294967296 + lo;
    const neg = hi >>> 31 === 1;
    if (biased === 0) return this.norm(BigInt(neg ? -mant : mant), -1074);
    const m = BigInt(mant + 4503599627370496) << sh(this.bits - 53);
    return new BigFloat(neg ? -m : m, biased - 1075 - (this.bits - 53));
  }

  /** A small integer exactly. */
  fromInt(k: number): BigFloat {
    return this.norm(BigInt(k), 0);
  }

  /** The double nearest to x (ties to even), also in the subnormal range; +-Infinity beyond it. */
  toNumber(x: BigFloat): number {
    if (x.m === 0n) return 0;
    const E = x.e + this.bits; // 2^(E-1) <= |x| < 2^E
    if (E > 1025) return x.m < 0n ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (E - 1 >= -1022) {
      // Number() rounds an integer to 53 bits (ties to even); the power-of-two scalings are exact
      const neg = x.m < 0n;
      const a = neg ? -x.m : x.m;
      let t: number;
      if (this.bits <= 1000) t = Number(a) * 2 ** (1 - this.bits);
      else {
        const k = this.bits - 64;
        let top = a >> sh(k);
        if (top << sh(k) !== a) top |= 1n; // sticky bit: keeps ties honest
        t = Number(top) * 2 ** -63;
      }
      const v = E - 1 > 1023 ? t * 2 ** 1023 * 2 : t * 2 ** (E - 1);
      return neg ? -v : v;
    }
    // subnormal result: round |m| * 2^(e + 1074) to an integer, half to even
    const s = -(x.e + 1074);
    if (s > this.bits + 1) return x.m < 0n ? -0 : 0;
    const neg = x.m < 0n;
    const a = neg ? -x.m : x.m;
    let q = a >> sh(s);
    const rem = a - (q << sh(s));
    const half = pow2(s - 1);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    const v = Number(q) * Number.MIN_VALUE;
    return neg ? -v : v;
  }

  neg(x: BigFloat): BigFloat {
    return x.m === 0n ? x : new BigFloat(-x.m, x.e);
  }

  abs(x: BigFloat): BigFloat {
    return x.m < 0n ? new BigFloat(-x.m, x.e) : x;
  }

  isZero(x: BigFloat): boolean {
    return x.m === 0n;
  }

  isNeg(x: BigFloat): boolean {
    return x.m < 0n;
  }

  /** x * 2^k, exact. */
  ldexp(x: BigFloat, k: number): BigFloat {
    return x.m === 0n ? x : new BigFloat(x.m, x.e + k);
  }

  mul(a: BigFloat, b: BigFloat): BigFloat {
    if (a.m === 0n || b.m === 0n) return ZERO;
    let p = a.m * b.m;
    const neg = p < 0n;
    if (neg) p = -p;
    let e = a.e + b.e;
    if (p >= this.productHalf) {
      p >>= this.F;
      e += this.bits;
    } else {
      p >>= this.Fm1;
      e += this.bits - 1;
    }
    // beyond the exponent range: below it is 0, above it an OracleLimitError
    if (e < this.lowest) return ZERO;
    if (e > this.highest) throw exponentOverflow(e + this.bits);
    return new BigFloat(neg ? -p : p, e);
  }

  add(a: BigFloat, b: BigFloat): BigFloat {
    if (a.m === 0n) return b;
    if (b.m === 0n) return a;
    if (a.e < b.e) {
      const t = a;
      a = b;
      b = t;
    }
    const d = a.e - b.e;
    if (d > this.bits + 1) return a; // |b| < ulp(a) / 2
    const sameSign = a.m < 0n === b.m < 0n;
    if (sameSign || d >= 2) {
      // at most one bit of cancellation: truncate b first (error below one unit of a)
      let s = a.m + (b.m >> sh(d));
      let e = a.e;
      const neg = s < 0n;
      if (neg) s = -s;
      if (s >= this.top) {
        s >>= 1n;
        e += 1;
      } else if (s < this.half) {
        s <<= 1n;
        e -= 1;
      }
      return new BigFloat(neg ? -s : s, e);
    }
    return this.norm((a.m << sh(d)) + b.m, b.e);
  }

  sub(a: BigFloat, b: BigFloat): BigFloat {
    return this.add(a, b.m === 0n ? b : new BigFloat(-b.m, b.e));
  }

  div(a: BigFloat, b: BigFloat): BigFloat {
    if (b.m === 0n) throw new RangeError('oracle: division by zero');
    if (a.m === 0n) return ZERO;
    const q = (a.m << (this.F + 1n)) / b.m;
    return this.norm(q, a.e - b.e - this.bits - 1);
  }

  /** -1, 0 or 1 as a is below, equal to or above b. */
  cmp(a: BigFloat, b: BigFloat): number {
    const d = this.sub(a, b);
    return d.m === 0n ? 0 : d.m < 0n ? -1 : 1;
  }

  /** log10 |x| as a double (for digit counts); -Infinity for 0. */
  log10Abs(x: BigFloat): number {
    if (x.m === 0n) return Number.NEGATIVE_INFINITY;
    const a = x.m < 0n ? -x.m : x.m;
    return Math.log10(Number(a >> sh(this.bits - 60))) + (x.e + this.bits - 60) * Math.LOG10E * Math.LN2;
  }
}

/** Mantissa bits for a decimal precision: P digits plus 32 guard bits (about 10 digits). */
export function bitsForDigits(digits: number): number {
  return Math.ceil(digits * Math.log2(10)) + 32;
}
