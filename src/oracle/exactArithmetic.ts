import type { Exact } from '../layers/exact.js';
import { BigFloat, ZERO, type Binary } from './bigfloat.js';
import type { BinaryMath } from './bigfloatMath.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { expm1, FAST_KERNEL, log1p, type DecimalKernel } from './functions.js';

/**
 * The oracle's arithmetics as the layer modules' `Exact<T>` (`src/layers/exact.ts`): the layers
 * write each identity once, generically; the oracle, sole owner of high precision, instantiates it.
 */

/**
 * S + D exactly, as a BigFloat of a wider mantissa (exp takes any width): rounding S + D to
 * `bits` bits would move e^-|S + D| by |S| 2^-bits relative, 5 digits lost at |S| = 1e15. D is
 * dropped only where it lies below 2^-(W + 72), far below anything exp resolves.
 */
export function movedExactly(bin: Binary, math: BinaryMath, S: BigFloat, D: BigFloat): BigFloat {
  if (S.m === 0n) return D;
  if (D.e + bin.bits < -(math.W + 72)) return S;
  const e = Math.min(S.e, D.e);
  return new BigFloat((S.m << BigInt(S.e - e)) + (D.m << BigInt(D.e - e)), e);
}

/** BigFloat at `bin`'s width: the core's and the finite differences' arithmetic. */
export function bigFloatExact(bin: Binary, math: BinaryMath): Exact<BigFloat> {
  return {
    zero: ZERO,
    one: bin.one,
    add: (a, b) => bin.add(a, b),
    sub: (a, b) => bin.sub(a, b),
    mul: (a, b) => bin.mul(a, b),
    div: (a, b) => bin.div(a, b),
    neg: (a) => bin.neg(a),
    abs: (a) => bin.abs(a),
    isNeg: (a) => bin.isNeg(a),
    isZero: (a) => a.m === 0n,
    exp: (a) => math.exp(a),
    expm1: (a) => math.expm1(a),
    log1p: (a) => math.log1p(a),
    moved: (S, D) => movedExactly(bin, math, S, D),
    top: (a) => a.e + bin.bits,
  };
}

/**
 * decimal.js at the context's precision, exp and ln from `kernel` (decimal.js's own for the plain
 * cross-check, the fast BigInt kernel, digit for digit the same, for the claims).
 */
export function decimalExact(ctx: OracleContext, kernel: DecimalKernel = FAST_KERNEL): Exact<Decimal> {
  let byKernel = DECIMAL_EXACT.get(ctx);
  if (!byKernel) DECIMAL_EXACT.set(ctx, (byKernel = new Map()));
  let x = byKernel.get(kernel);
  if (!x) byKernel.set(kernel, (x = makeDecimalExact(ctx, kernel)));
  return x;
}

const DECIMAL_EXACT = new WeakMap<OracleContext, Map<DecimalKernel, Exact<Decimal>>>();

function makeDecimalExact(ctx: OracleContext, kernel: DecimalKernel): Exact<Decimal> {
  return {
    zero: ctx.zero,
    one: ctx.one,
    add: (a, b) => a.plus(b),
    sub: (a, b) => a.minus(b),
    mul: (a, b) => a.times(b),
    div: (a, b) => a.div(b),
    neg: (a) => a.neg(),
    abs: (a) => a.abs(),
    isNeg: (a) => a.isNeg(),
    isZero: (a) => a.isZero(),
    exp: (a) => kernel.exp(ctx.D, a),
    expm1: (a) => expm1(ctx, a, kernel),
    log1p: (a) => log1p(ctx, a, kernel),
    moved: (S, D) => S.plus(D),
    top: (a) => Math.floor(a.abs().log(2).toNumber()) + 1,
  };
}
