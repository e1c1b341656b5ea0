/**
 * The arithmetic the layers' exact identities are written over. The oracle is the only owner of
 * high precision: it instantiates this interface with its BigFloat (`src/oracle/exactArithmetic.ts`)
 * and, for the claims and the plain cross-check's change identities, with decimal.js. The layer
 * modules never see a concrete number type, so an identity is written once and read by every oracle.
 *
 * Every operation rounds to the instance's working precision (relative to its own result); `exp`,
 * `expm1` and `log1p` are accurate to it for every argument the identities pass.
 */
export interface Exact<T> {
  readonly zero: T;
  readonly one: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  neg(a: T): T;
  abs(a: T): T;
  isNeg(a: T): boolean;
  isZero(a: T): boolean;
  exp(a: T): T;
  /** e^a - 1, to full relative precision also for tiny |a|. */
  expm1(a: T): T;
  /** ln(1 + a), to full relative precision also for tiny |a|. */
  log1p(a: T): T;
  /**
   * S + D, moved pre-activation: exactly, or at least so precisely that exp of it keeps the working
   * precision however large |S| (the BigFloat instance keeps a wider mantissa).
   */
  moved(S: T, D: T): T;
  /** The integer `top` with 2^(top - 1) <= |a| < 2^top (a != 0): picks a form by the size of a step. */
  top(a: T): number;
}

/** A target of one output in the exact arithmetic: t, 1 - t (to full width) and the double it came from. */
export interface ExactTarget<T> {
  readonly t: T;
  readonly tc: T;
  /** The given double: 0 and 1 (hard targets) let an identity drop the vanishing side exactly. */
  readonly raw: number;
}

/** A unit's forward values in the exact arithmetic: Z = f(S), its complement Zc, the e^-|S| it came from, the slope f'(S). */
export interface ExactUnit<T> {
  readonly Z: T;
  readonly Zc: T;
  readonly f: T;
  readonly slope: T;
}
