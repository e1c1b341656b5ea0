import { BigFloat, Binary, bitLength, doubleParts, MAX_EXPONENT, pow2, sh, ZERO } from './bigfloat.js';
import { OracleLimitError } from './errors.js';

/**
 * exp, expm1, ln and log1p on BigFloat, computed in fixed point with `work` fractional bits.
 *
 * exp(x): x = n ln2 + r with |r| <= ln2/2, r = a/2^8 + b/2^16 + d/2^24 + y with 0 <= y < 2^-24,
 * and e^x = 2^n e^(a/2^8) e^(b/2^16) e^(d/2^24) e^y: three tables of 256 entries per width (made
 * once, by the squaring method below at 40 more bits) and the Taylor series of e^y (Horner,
 * inverse factorials precomputed; about W/26 terms). Relative error below (terms + 4) 2^-work, under 2^(20 - work).
 * The tables are made with e^r = (e^(r/2^K))^(2^K), K = 12 squarings of the series of e^(r/2^K)
 * (relative error below 2^(20 - work): the squarings multiply the series' few units by 2^K).
 * ln(y): y = 2^j z with z in [1/sqrt2, sqrt2), a = Math.log(z) in float64, then
 * ln z = a + log1p(z e^-a - 1) where z e^-a - 1 is below 2^-50, so its series needs W/50 terms;
 * absolute error below 2^(8 - work) (plus |j| 2^-(work+64)).
 * The public functions work at `bits + 40` bits, so their results are good to the last bit
 * but one of the `bits`-bit result.
 */

const GUARD = 40;
const K = 12;

interface Constants {
  readonly ln2: bigint; // ln 2 * 2^(W + 64)
  readonly invFactorial: bigint[]; // 2^W / i!
  readonly inverse: bigint[]; // 2^W / (i + 1)
}

const cache = new Map<number, Constants>();

function constants(W: number): Constants {
  let c = cache.get(W);
  if (c) return c;
  // ln 2 = 2 atanh(1/3) = 2 sum 1 / ((2k+1) 3^(2k+1)), at W + 80 bits
  const P = W + 80;
  const one = 1n << BigInt(P);
  let power = one / 3n;
  let sum = 0n;
  for (let k = 0n; power > 0n; k++) {
    sum += power / (2n * k + 1n);
    power /= 9n;
  }
  const ln2 = (2n * sum) >> 16n; // W + 64 bits
  const invFactorial: bigint[] = [];
  const inverse: bigint[] = [];
  const unit = 1n << BigInt(W);
  let f = unit;
  for (let i = 0; i < 400; i++) {
    if (i > 0) f /= BigInt(i);
    invFactorial.push(f);
    inverse.push(unit / BigInt(i + 1));
    if (f === 0n) break;
  }
  c = { ln2, invFactorial, inverse };
  cache.set(W, c);
  return c;
}

/** floor(x * 2^W) for a BigFloat x. */
export function toFixed(x: BigFloat, W: number): bigint {
  const s = x.e + W;
  return s >= 0 ? x.m << sh(s) : x.m >> sh(-s);
}

/** An approximate double of x = m 2^e, whose |m| has L bits (no rounding guarantees). */
function approx(x: BigFloat, L: number): number {
  return L > 60 ? Number(x.m >> sh(L - 60)) * 2 ** (x.e + L - 60) : Number(x.m) * 2 ** x.e;
}

/**
 * e^x as p * 2^(n - W) with p about 2^W; relative error below 2^(20 - W). x need not be
 * normalised (any mantissa width). Any x: where e^x lies below the BigFloat exponent range
 * (x < -2^51 ln 2, e^x < 2^-(2^51)) the result is p = 0, held as 0 like every value there.
 * @throws OracleLimitError where e^x lies above it (x > 2^51 ln 2 = 1.56e15)
 */
export function expFixed(x: BigFloat, W: number): { p: bigint; n: number } {
  const unit = pow2(W);
  if (x.m === 0n) return { p: unit, n: 0 };
  const L = bitLength(x.m < 0n ? -x.m : x.m);
  if (x.e + L < -(W + 2)) return { p: unit, n: 0 };
  const negative = x.m < 0n;
  // |x| >= 2^52: e^x is 0 in BigFloat (x < 0) or beyond its range (x > 0)
  if (x.e + L > 52) {
    if (negative) return { p: 0n, n: 0 };
    throw expOverflow(x, L);
  }
  const c = constants(W);
  const W2 = W + 64;
  const X = toFixed(x, W2); // x * 2^W2
  // n = round(x / ln 2): from a double while |x| < 2^40 (off by at most 0.01), else exactly in BigInt
  const n = x.e + L <= 40 ? Math.round(approx(x, L) / Math.LN2) : roundedQuotient(X, c.ln2);
  if (n < -MAX_EXPONENT - 1) return { p: 0n, n: 0 };
  if (n > MAX_EXPONENT - 1) throw expOverflow(x, L);
  const R = X - BigInt(n) * c.ln2; // r * 2^W2, |r| <= ln2/2 + 0.01
  // r = a/2^8 + b/2^16 + d/2^24 + y: e^r = T1[a] T2[b] T3[d] e^y
  const t = tablesFor(W);
  const s8 = sh(W2 - 8);
  const a = R >> s8; // floor(256 r), in [-90, 89]
  let Y = R - (a << s8);
  const s16 = sh(W2 - 16);
  const b = Y >> s16; // in [0, 256)
  Y -= b << s16;
  const s24 = sh(W2 - 24);
  const d = Y >> s24; // in [0, 256)
  Y -= d << s24; // y 2^W2, 0 <= y < 2^-24
  const shift = sh(W2);
  let p = c.invFactorial[t.terms]!;
  for (let i = t.terms - 1; i >= 0; i--) p = c.invFactorial[i]! + ((p * Y) >> shift);
  const WT = sh(W + TABLE_GUARD);
  p = (p * t.coarse[Number(a) + 128]!) >> WT;
  p = (p * t.fine[Number(b)]!) >> WT;
  p = (p * t.finest[Number(d)]!) >> WT;
  return { p, n };
}

/** Extra fractional bits of the table entries. */
const TABLE_GUARD = 16;

interface Tables {
  /** e^(a/2^8) 2^(W + 16) for a = -128..127, at index a + 128. */
  readonly coarse: bigint[];
  /** e^(b/2^16) 2^(W + 16) for b = 0..255. */
  readonly fine: bigint[];
  /** e^(d/2^24) 2^(W + 16) for d = 0..255. */
  readonly finest: bigint[];
  /** Taylor terms of e^y for 0 <= y < 2^-24: until y^N / N! < 2^-(W + 4). */
  readonly terms: number;
}

const TABLES = new Map<number, Tables>();

/** The tables of exp at W fractional bits, made once by the squaring method at W + 40 bits. */
function tablesFor(W: number): Tables {
  let t = TABLES.get(W);
  if (t) return t;
  const Wt = W + 40;
  const drop = sh(Wt - W - TABLE_GUARD);
  const at = (r: bigint, scale: number): bigint => expSquaringFixed(r << sh(Wt + 64 - scale), Wt) >> drop;
  const coarse = Array.from({ length: 256 }, (_, k) => at(BigInt(k - 128), 8));
  const fine = Array.from({ length: 256 }, (_, k) => at(BigInt(k), 16));
  const finest = Array.from({ length: 256 }, (_, k) => at(BigInt(k), 24));
  let terms = 1;
  let logTerm = 0;
  while (logTerm > -(W + 4)) {
    terms += 1;
    logTerm = -24 * terms - Math.log2(factorialApprox(terms));
  }
  t = { coarse, fine, finest, terms };
  TABLES.set(W, t);
  return t;
}

/** e^r 2^W for r = R / 2^(W + 64), |r| <= 1/2: the series of e^(r/2^K) and K squarings. */
function expSquaringFixed(R: bigint, W: number): bigint {
  const c = constants(W);
  const N = termsFor(W);
  const shift = sh(W + 64 + K);
  let p = c.invFactorial[N]!;
  for (let i = N - 1; i >= 0; i--) p = c.invFactorial[i]! + ((p * R) >> shift);
  const WW = sh(W);
  for (let s = 0; s < K; s++) p = (p * p) >> WW;
  return p;
}

/** round(a / b) for BigInts, b > 0, as a number (|a / b| below 2^53). */
function roundedQuotient(a: bigint, b: bigint): number {
  const num = 2n * a + b;
  const den = 2n * b;
  let q = num / den;
  if (num < 0n && q * den !== num) q -= 1n; // BigInt division truncates toward 0: floor it
  return Number(q);
}

/** The OracleLimitError of e^x for an x above 2^51 ln 2. */
function expOverflow(x: BigFloat, L: number): OracleLimitError {
  return new OracleLimitError(`e^x for x = ${approx(x, L).toPrecision(6)}`, 'the BigFloat exponent range (e^x below 2^(2^51) needs x below 1.56e15)');
}

const TERMS = new Map<number, number>();
/** Taylor terms of e^(r/2^K), |r/2^K| <= 2^-12.5, until a term is below 2^-(W+4). */
function termsFor(W: number): number {
  let N = TERMS.get(W);
  if (N === undefined) {
    N = 1;
    let logTerm = 0;
    while (logTerm > -(W + 4)) {
      N += 1;
      logTerm = -12.5 * N - Math.log2(factorialApprox(N));
    }
    TERMS.set(W, N);
  }
  return N;
}

function factorialApprox(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** log1p(w) * 2^W for a fixed-point w = X / 2^W with |w| <= 2^-m (m >= 1): the series, N = ceil(W/m) terms. */
function log1pSeriesFixed(X: bigint, m: number, W: number): bigint {
  const c = constants(W);
  const N = Math.min(Math.ceil((W + 4) / m), c.inverse.length - 1);
  const WW = sh(W);
  let q = c.inverse[N]!;
  for (let i = N - 1; i >= 0; i--) q = c.inverse[i]! - ((q * X) >> WW);
  return (X * q) >> WW;
}

/**
 * ln(M * 2^E) * 2^W for an integer M > 0: absolute error below 2^(8 - W) + |j| 2^-(W+64),
 * j = the binary exponent of the argument.
 */
export function lnFixed(M: bigint, E: number, W: number): bigint {
  const c = constants(W);
  const L = bitLength(M);
  // y in [2^(L+E-1), 2^(L+E)); z = y / 2^j in [1/sqrt2, sqrt2)
  const lead = Number(L > 53 ? M >> sh(L - 53) : M << sh(53 - L)) / 2 ** 52; // in [1, 2)
  const j = lead >= Math.SQRT2 ? L + E : L + E - 1;
  const s = E - j + W;
  const Z = s >= 0 ? M << sh(s) : M >> sh(-s); // z * 2^W
  const a = Math.log(lead >= Math.SQRT2 ? lead / 2 : lead);
  // a exactly in fixed point (a double with |a| < 0.35 has no bits below 2^-1100; W >= 100 keeps them but far ones)
  const A = doubleToFixed(a, W);
  const neg = expFixed(new BigFloat(-A, -W), W); // e^-a
  const prod = Z * neg.p;
  const shift = W - neg.n;
  const T = shift >= 0 ? prod >> sh(shift) : prod << sh(-shift);
  const w = T - pow2(W);
  const lw = w === 0n ? 0n : log1pSeriesFixed(w, Math.max(1, W - bitLength(w < 0n ? -w : w)), W);
  return A + lw + ((BigInt(j) * c.ln2) >> 64n);
}

/** floor(a * 2^W) for a double a. */
function doubleToFixed(a: number, W: number): bigint {
  if (a === 0) return 0n;
  const { mant, exp } = doubleParts(a);
  const s = exp + W;
  const Q = BigInt(mant);
  return s >= 0 ? Q << sh(s) : Q >> sh(-s);
}

/** Elementary functions at the precision of a `Binary`. */
export class BinaryMath {
  readonly W: number;
  constructor(readonly bin: Binary) {
    this.W = bin.bits + GUARD;
  }

  exp(x: BigFloat): BigFloat {
    const { p, n } = expFixed(x, this.W);
    return this.bin.norm(p, n - this.W);
  }

  /** e^x - 1, to full relative precision also for tiny |x|, and for any x (e^x - 1 = -1 below the exponent range). */
  expm1(x: BigFloat): BigFloat {
    if (x.m === 0n) return ZERO;
    const W = this.W;
    const mag = x.e + this.bin.bits; // |x| < 2^mag
    if (mag < -20) {
      // x * sum x^i / (i+1)!: Horner on the inverse factorials shifted by one
      const c = constants(W);
      const N = Math.min(Math.ceil((W + 2) / -mag), c.invFactorial.length - 2);
      const X = toFixed(x, W);
      const WW = sh(W);
      let q = c.invFactorial[N + 1]!;
      for (let i = N - 1; i >= 0; i--) q = c.invFactorial[i + 1]! + ((q * X) >> WW);
      return this.bin.norm(x.m * q, x.e - W);
    }
    // |x| >= 1/2: e^x - 1 is at least 0.39 in magnitude, so subtracting 1 costs at most 2 bits
    if (mag > 0) return this.bin.sub(this.exp(x), this.bin.one);
    const { p, n } = expFixed(x, W);
    const y = n >= 0 ? p << sh(n) : p >> sh(-n);
    return this.bin.norm(y - pow2(W), -W);
  }

  /** ln(1 + x) for x > -1, to full relative precision also for tiny |x|. */
  log1p(x: BigFloat): BigFloat {
    if (x.m === 0n) return ZERO;
    const W = this.W;
    const mag = x.e + this.bin.bits;
    if (mag < -20) {
      const c = constants(W);
      const N = Math.min(Math.ceil((W + 2) / -mag), c.inverse.length - 1);
      const X = toFixed(x, W);
      const WW = sh(W);
      let q = c.inverse[N]!;
      for (let i = N - 1; i >= 0; i--) q = c.inverse[i]! - ((q * X) >> WW);
      return this.bin.norm(x.m * q, x.e - W);
    }
    if (x.m < 0n && this.bin.cmp(x, this.bin.neg(this.bin.one)) <= 0) throw new RangeError('oracle: log1p of an argument <= -1');
    // x >= 2^64: ln(1 + x) with 1 + x rounded (its relative error moves the result by less than 2^-bits)
    if (mag > 64) return this.ln(this.bin.add(this.bin.one, x));
    // 1 + x exactly, at the finer of the two exponents (x is at least 2^-21 here)
    const e = Math.min(x.e, -W);
    const Y = pow2(-e) + (x.e - e >= 0 ? x.m << sh(x.e - e) : x.m);
    return this.bin.norm(lnFixed(Y, e, W), -W);
  }

  /** ln x for x > 0; relative precision is lost only where x is within 2^-20 of 1 (use log1p there). */
  ln(x: BigFloat): BigFloat {
    if (x.m <= 0n) throw new RangeError('oracle: ln of a non-positive number');
    return this.bin.norm(lnFixed(x.m, x.e, this.W), -this.W);
  }
}
