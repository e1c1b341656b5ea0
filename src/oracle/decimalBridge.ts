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
/** 10^k as a BigInt, cached. */
export function pow10(k: number): bigint {
  for (let i = POW10.length; i <= k; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[k]!;
}

/** The digits of a Decimal as an integer N and exponent: d = sign * N * 10^E. */
function decimalParts(d: Decimal): { N: bigint; E: number; neg: boolean } {
  const limbs = (d as unknown as { d: number[] }).d;
  let text = String(limbs[0]);
  for (let k = 1; k < limbs.length; k++) text += String(limbs[k]).padStart(7, '0');
  return { N: BigInt(text), E: d.e - text.length + 1, neg: d.isNeg() };
}

/** The Decimal d as a BigFloat of `bin`'s width (truncated: relative error below 2^(1 - bits)). */
export function fromDecimal(bin: Binary, d: Decimal): BigFloat {
  if (d.isZero()) return bin.norm(0n, 0);
  if (!d.isFinite()) throw new RangeError(`oracle: cannot convert the non-finite decimal ${d.toString()}`);
  const { N, E, neg } = decimalParts(d);
  const signed = (x: bigint): bigint => (neg ? -x : x);
  if (E >= 0) return bin.norm(signed(N * pow10(E)), 0);
  const den = pow10(-E);
  const s = Math.max(0, bin.bits + 2 - bitLength(N) + bitLength(den));
  return bin.norm(signed((N << sh(s)) / den), -s);
}

/**
 * floor(|x| * 10^t) with a sticky flag, where x = M * 2^e (M > 0). t may be negative.
 */
function scaledFloor(M: bigint, e: number, t: number): { A: bigint; inexact: boolean } {
  let num = M;
  let den = 1n;
  if (t >= 0) num *= pow10(t);
  else den = pow10(-t);
  if (e >= 0) num <<= sh(e);
  else den <<= sh(-e);
  const A = num / den;
  return { A, inexact: A * den !== num };
}

/**
 * The BigFloat x as a Decimal of D, rounded to D's precision with D's rounding (half to even
 * for the oracle's contexts): the exact binary value is rounded once.
 */
export function toDecimal(bin: Binary, x: BigFloat, D: DecimalConstructor): Decimal {
  if (x.m === 0n) return new D(0);
  const P = D.precision;
  const neg = x.m < 0n;
  const M = neg ? -x.m : x.m;
  const K = P + 3;
  const q = Math.floor(bin.log10Abs(x));
  let t = K - 1 - q;
  let { A, inexact } = scaledFloor(M, x.e, t);
  if (A >= pow10(K + 1)) {
    t -= 1;
    ({ A, inexact } = scaledFloor(M, x.e, t));
  }
  // a sticky last digit: the rounding to P < K digits then sees "more than" where there is more
  const digits = inexact ? `${A}1` : A.toString();
  const exponent = inexact ? -t - 1 : -t;
  return new D(`${neg ? '-' : ''}${digits}e${exponent}`).toSignificantDigits(P);
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
  let { A } = scaledFloor(y.M, y.e, t);
  if (A >= pow10(digits)) {
    t -= 1;
    ({ A } = scaledFloor(y.M, y.e, t));
  } else if (A < pow10(digits - 1)) {
    t += 1;
    ({ A } = scaledFloor(y.M, y.e, t));
  }
  // the real value lies within 2 units of A (errorBits makes the error below one unit)
  if (A - pow10(digits - 1) <= 2n || pow10(digits) - A <= 2n) return null;
  const unit = pow10(G);
  let Q = A / unit;
  const r = A - Q * unit;
  const half = unit / 2n;
  const distance = r > half ? r - half : half - r;
  if (distance <= 3n) return null;
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
