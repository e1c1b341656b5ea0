import { BigFloat, Binary, bitLength, bitsForDigits, pow2, sh } from './bigfloat.js';
import { expFixed, lnFixed } from './bigfloatMath.js';
import { Decimal, type DecimalConstructor } from './decimal.js';

/**
 * Between decimal.js and BigFloat: exact-as-possible conversions, and `exp` and `ln` of Decimals
 * that return exactly what decimal.js returns (its results are correctly rounded, so are these:
 * computed in BigFloat with a proven error bound, rounded once, and handed to decimal.js itself in
 * the rare case where the bound does not decide the rounding).
 */

const POW10: bigint[] = [1n];
const POW10_CACHED = 2500;
/** 10^k as a BigInt (cached up to 10^2500; larger powers are made when asked). */
export function pow10(k: number): bigint {
  if (k > POW10_CACHED) return 10n ** BigInt(k);
  for (let i = POW10.length; i <= k; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[k]!;
}

/** Conversions are exact rational arithmetic while binary exponents stay within this; beyond, `pow5` approximations. */
const EXACT_EXPONENT = 6000;

/**
 * 5^k for an integer k >= 0 as M * 2^e with M of about w bits, a lower bound:
 * M 2^e <= 5^k < M 2^e (1 + k 2^(3 - w)). Square and multiply from the top bit of k, every step
 * truncated to w bits (an error eps before a squaring is 2 eps after it, so the first step's error
 * grows at most k-fold). Costs about 2 log2(k) multiplications of w-bit numbers, for any k < 2^53.
 */
export function pow5(k: number, w: number): { M: bigint; e: number } {
  let M = 1n;
  let e = 0;
  const bigK = BigInt(k);
  const keep = (): void => {
    const L = bitLength(M);
    if (L > w) {
      M >>= sh(L - w);
      e += L - w;
    }
  };
  for (let b = bitLength(bigK > 0n ? bigK : 1n) - 1; b >= 0; b--) {
    M *= M;
    e *= 2;
    keep();
    if (((bigK >> BigInt(b)) & 1n) === 1n) {
      M *= 5n;
      keep();
    }
  }
  return { M, e };
}

/** The digits of a Decimal as an integer N and exponent: d = sign * N * 10^E. */
function decimalParts(d: Decimal): { N: bigint; E: number; neg: boolean } {
  const limbs = (d as unknown as { d: number[] }).d;
  let text = String(limbs[0]);
  for (let k = 1; k < limbs.length; k++) text += String(limbs[k]).padStart(7, '0');
  return { N: BigInt(text), E: d.e - text.length + 1, neg: d.isNeg() };
}

/**
 * The Decimal d as a BigFloat of `bin`'s width: truncated (relative error below 2^(1 - bits)) while
 * its decimal exponent is within 2000, else through `pow5` (relative error below 2^(2 - bits)).
 */
export function fromDecimal(bin: Binary, d: Decimal): BigFloat {
  if (d.isZero()) return bin.norm(0n, 0);
  if (!d.isFinite()) throw new RangeError(`oracle: cannot convert the non-finite decimal ${d.toString()}`);
  const { N, E, neg } = decimalParts(d);
  const signed = (x: bigint): bigint => (neg ? -x : x);
  if (Math.abs(E) > 2000) {
    // N 10^E = N 5^E 2^E
    const w = bin.bits + 64 + bitLength(BigInt(Math.abs(E)));
    const p5 = pow5(Math.abs(E), w);
    if (E > 0) return bin.norm(signed(N * p5.M), p5.e + E);
    const s = Math.max(0, bin.bits + 2 - bitLength(N) + bitLength(p5.M));
    return bin.norm(signed((N << sh(s)) / p5.M), E - p5.e - s);
  }
  if (E >= 0) return bin.norm(signed(N * pow10(E)), 0);
  const den = pow10(-E);
  const s = Math.max(0, bin.bits + 2 - bitLength(N) + bitLength(den));
  return bin.norm(signed((N << sh(s)) / den), -s);
}

/**
 * floor(|x| * 10^t) where x = M * 2^e (M > 0, t may be negative), as A with the true floor in
 * [A, A + slop]: exactly (slop 0, with a sticky flag) while |e| <= EXACT_EXPONENT, else through
 * `pow5` at `bits` bits more than A has (slop 2, always inexact: such an x has hundreds of digits).
 */
function scaledFloor(M: bigint, e: number, t: number, bits = 0): { A: bigint; inexact: boolean; slop: bigint } {
  if (Math.abs(e) <= EXACT_EXPONENT && Math.abs(t) <= EXACT_EXPONENT) {
    let num = M;
    let den = 1n;
    if (t >= 0) num *= pow10(t);
    else den = pow10(-t);
    if (e >= 0) num <<= sh(e);
    else den <<= sh(-e);
    const A = num / den;
    return { A, inexact: A * den !== num, slop: 0n };
  }
  // 10^t = 5^t 2^t; A has about log2(M) + e + 3.33 t bits
  const k = Math.abs(t);
  const w = Math.max(bits, 64) + bitLength(BigInt(k + 1)) + 16;
  const p5 = pow5(k, w);
  if (t >= 0) {
    // p5 <= 5^t: the product is a lower bound, short by a relative k 2^(3 - w), under one unit
    const s = e + t + p5.e;
    const prod = M * p5.M;
    return { A: s >= 0 ? prod << sh(s) : prod >> sh(-s), inexact: true, slop: 2n };
  }
  // M 2^(e + t) / 5^k, and 5^k >= p5: an upper bound, over by under one unit
  const s = e + t - p5.e;
  const A = s >= 0 ? (M << sh(s)) / p5.M : M / (p5.M << sh(-s));
  return { A: A >= 2n ? A - 2n : 0n, inexact: true, slop: 2n };
}

/**
 * The BigFloat x as a Decimal of D, rounded to D's precision with D's rounding (half to even
 * for the oracle's contexts): the exact binary value is rounded once (for |x| beyond 2^+-6000,
 * from digits known to within 2 units of the 12th digit beyond D's precision, with more digits
 * wherever those do not decide the rounding).
 */
export function toDecimal(bin: Binary, x: BigFloat, D: DecimalConstructor): Decimal {
  if (x.m === 0n) return new D(0);
  const P = D.precision;
  const neg = x.m < 0n;
  const M = neg ? -x.m : x.m;
  const q = Math.floor(bin.log10Abs(x));
  for (let K = Math.abs(x.e) <= EXACT_EXPONENT ? P + 3 : P + 12; ; K += 24) {
    let t = K - 1 - q;
    const bits = Math.ceil((K + 2) * 3.33);
    let r = scaledFloor(M, x.e, t, bits);
    if (r.A >= pow10(K + 1)) {
      t -= 1;
      r = scaledFloor(M, x.e, t, bits);
    }
    if (r.slop > 0n) {
      // the true digits lie in [A, A + slop]: undecided if a half-way point between two P-digit numbers lies in there
      const unit = pow10(Math.max(1, String(r.A).length - P));
      const tail = r.A % unit;
      const half = unit / 2n;
      if (tail <= half && tail + r.slop + 1n >= half) continue;
    }
    // a sticky last digit: the rounding to P < K digits then sees "more than" where there is more
    const digits = r.inexact ? `${r.A}1` : r.A.toString();
    const exponent = r.inexact ? -t - 1 : -t;
    return new D(`${neg ? '-' : ''}${digits}e${exponent}`).toSignificantDigits(P);
  }
}

/** A BigFloat approximation y of a positive real, relative error below `2^-errorBits`. */
interface Approximation {
  readonly M: bigint;
  readonly e: number;
  readonly errorBits: number;
}

/**
 * Rounds y (sign `neg`) to D's precision, half to even, if its error bound decides the rounding;
 * null when it does not (the real value may lie on the other side of a rounding boundary).
 */
function roundCorrectly(y: Approximation, neg: boolean, D: DecimalConstructor): Decimal | null {
  const P = D.precision;
  const G = 12;
  const digits = P + G;
  if (y.errorBits < digits * Math.log2(10) + 8) return null;
  const log10 = Math.log10(Number(y.M >> sh(Math.max(0, bitLength(y.M) - 60)))) + (y.e + Math.max(0, bitLength(y.M) - 60)) * Math.log10(2);
  let t = digits - 1 - Math.floor(log10);
  const bits = Math.ceil((digits + 2) * 3.33);
  let { A, slop } = scaledFloor(y.M, y.e, t, bits);
  if (A >= pow10(digits)) {
    t -= 1;
    ({ A, slop } = scaledFloor(y.M, y.e, t, bits));
  } else if (A < pow10(digits - 1)) {
    t += 1;
    ({ A, slop } = scaledFloor(y.M, y.e, t, bits));
  }
  // the real value lies within 2 + slop units of A (errorBits makes the error below one unit)
  if (A - pow10(digits - 1) <= 2n + slop || pow10(digits) - A <= 2n + slop) return null;
  const unit = pow10(G);
  let Q = A / unit;
  const r = A - Q * unit;
  const half = unit / 2n;
  const distance = r > half ? r - half : half - r;
  if (distance <= 3n + slop) return null;
  if (r > half) Q += 1n;
  return new D(`${neg ? '-' : ''}${Q}e${G - t}`);
}

const binaries = new Map<number, Binary>();
function binaryFor(bits: number): Binary {
  let b = binaries.get(bits);
  if (!b) {
    b = new Binary(bits);
    binaries.set(bits, b);
  }
  return b;
}

function halfEven(D: DecimalConstructor): boolean {
  return D.rounding === Decimal.ROUND_HALF_EVEN;
}

/**
 * e^x rounded to D's precision: the same Decimal as `x.exp()` under D (decimal.js rounds exp
 * correctly, and so does this, about 20 times faster at 50 digits).
 */
export function decimalExp(D: DecimalConstructor, x: Decimal): Decimal {
  if (x.isZero()) return new D(1);
  if (!halfEven(D) || !x.isFinite() || x.abs().gt(1e9)) return new D(x).exp();
  const W = bitsForDigits(D.precision + 20) + 40;
  // x to W + |x| bits: its conversion error times |x| stays below 2^-W relative in e^x
  const extra = Math.max(0, x.e + 1) * 4;
  const bin = binaryFor(W + extra);
  const xb = fromDecimal(bin, x);
  const { p, n } = expFixed(xb, W);
  return roundCorrectly({ M: p, e: n - W, errorBits: W - 24 }, false, D) ?? new D(x).exp();
}

/**
 * ln x rounded to D's precision: the same Decimal as `x.ln()` under D. Falls back to decimal.js
 * where x is within 2^-30 of 1 (there the fixed-point logarithm's absolute error is too large a
 * part of the result) and wherever the error bound does not decide the rounding.
 */
export function decimalLn(D: DecimalConstructor, x: Decimal): Decimal {
  if (!halfEven(D) || !x.isFinite() || x.lte(0) || x.eq(1)) return new D(x).ln();
  const W = bitsForDigits(D.precision + 20) + 40;
  const bin = binaryFor(W);
  const xb = fromDecimal(bin, x);
  const L = lnFixed(xb.m, xb.e, W);
  if (L === 0n) return new D(x).ln();
  const neg = L < 0n;
  const M = neg ? -L : L;
  // absolute error below 2^(10 - W) (with the conversion of x): relative to |ln x| = M 2^-W
  const errorBits = bitLength(M) - 12;
  if (errorBits < 0) return new D(x).ln();
  return roundCorrectly({ M, e: -W, errorBits }, neg, D) ?? new D(x).ln();
}

/** 2^k exactly as a BigInt (re-exported for kernels that build fixed-point constants). */
export { pow2 };
