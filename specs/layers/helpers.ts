import fc from 'fast-check';
import type { Exact } from '../../src/layers/index.js';
import { Binary, type BigFloat } from '../../src/oracle/bigfloat.js';
import { BinaryMath } from '../../src/oracle/bigfloatMath.js';
import { bigFloatExact } from '../../src/oracle/exactArithmetic.js';

/** An exact arithmetic of `bits` bits, as the oracle instantiates it. */
export function exactOf(bits: number): { bin: Binary; x: Exact<BigFloat> } {
  const bin = new Binary(bits);
  return { bin, x: bigFloatExact(bin, new BinaryMath(bin)) };
}

/** Pre-activations of every size up to |S| = 1000: log-uniform magnitudes from 1e-20, either sign, and 0, +-1000 themselves. */
export const preActivation: fc.Arbitrary<number> = fc.oneof(
  fc.tuple(fc.double({ min: -20, max: 3, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * Math.min(10 ** e, 1000)),
  fc.double({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1000, -1000, 36.7, -745.2, 709.8),
);

/** Steps D of a moved pre-activation: log-uniform from 1e-30 to 10, either sign. */
export const step: fc.Arbitrary<number> = fc.tuple(fc.double({ min: -30, max: 1, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e);

/** Targets: hard ones and soft ones. */
export const target: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(0, 1, 0.5), fc.double({ min: 0, max: 1, noNaN: true }));

/** |a - b| <= r in the exact arithmetic (r a double). */
export function within(bin: Binary, a: BigFloat, b: BigFloat, r: number): boolean {
  return bin.cmp(bin.abs(bin.sub(a, b)), bin.fromNumber(r)) <= 0;
}

/** |a - b| / |b| as a double (0 where both are 0). */
export function relative(bin: Binary, a: BigFloat, b: BigFloat): number {
  if (b.m === 0n) return a.m === 0n ? 0 : Infinity;
  return bin.toNumber(bin.div(bin.abs(bin.sub(a, b)), bin.abs(b)));
}

/** Sorted copies, for monotonicity. */
export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/**
 * Rows of logits (1 to 6 units) for a row-wise activation: a base anywhere up to |S| = 1e4 plus
 * offsets whose gaps reach 2000 (beyond 709, where e^S overflows without the max shift), ties included.
 */
export const logitRow: fc.Arbitrary<number[]> = fc
  .tuple(
    fc.oneof(fc.constantFrom(0, 800, -800, 1e4), fc.double({ min: -1e4, max: 1e4, noNaN: true })),
    fc.array(fc.oneof(fc.double({ min: -2000, max: 2000, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(0, -710, -746, -1500)), { minLength: 1, maxLength: 6 }),
  )
  .map(([base, offsets]) => offsets.map((o) => base + o));

/**
 * A target row of n probabilities summing to exactly 1 in float64: one-hot, or soft as dyadic
 * pieces c_k / 2^30 between sorted cut points (every partial sum exact).
 */
export function probabilityRow(n: number): fc.Arbitrary<number[]> {
  const oneHot = fc.nat({ max: n - 1 }).map((k) => Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)));
  const soft = fc.array(fc.nat({ max: 2 ** 30 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const c = [0, ...[...cuts].sort((a, b) => a - b), 2 ** 30];
    return Array.from({ length: n }, (_, k) => (c[k + 1]! - c[k]!) / 2 ** 30);
  });
  return fc.oneof(oneHot, soft);
}

/** A row of logits with a probability target row of its length. */
export const logitsAndTargets: fc.Arbitrary<{ S: number[]; T: number[] }> = logitRow.chain((S) => probabilityRow(S.length).map((T) => ({ S, T })));

/** Steps D of a moved pre-activation of a row from 1e-25 to 1e6 (log-uniform), either sign. */
export const rowStep: fc.Arbitrary<number> = fc.tuple(fc.double({ min: -25, max: 6, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e);

/** Pre-activations at and within 1e-300 of a kink at 0: exact zeros (both signs) and log-uniform magnitudes from the smallest subnormal, either sign. */
export const nearKink: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, 1e-300, -1e-300),
  fc.tuple(fc.double({ min: -323.9, max: -300, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e),
);

/** Steps D from 1e-25 to large (1e3), log-uniform, either sign. */
export const wideStep: fc.Arbitrary<number> = fc.tuple(fc.double({ min: -25, max: 3, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e);

/** A pre-activation's error bound eS: 0, relative to |S| (1e-17 to 10 times it) or absolute (1e-320 to 1). */
export function errorOf(S: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constant(0),
    fc.double({ min: -17, max: 1, noNaN: true }).map((e) => Math.abs(S) * 10 ** e),
    fc.double({ min: -320, max: 0, noNaN: true }).map((e) => 10 ** e),
  );
}

/** A pre-activation S with a bound eS and the exact S* = S + theta eS (theta in [-1, 1], the ends included) it may stand for, at `bin`'s width. */
export function withinBound(pre: fc.Arbitrary<number>): fc.Arbitrary<{ S: number; eS: number; theta: number }> {
  return pre.chain((S) =>
    fc.record({ S: fc.constant(S), eS: errorOf(S), theta: fc.oneof(fc.constantFrom(-1, 0, 1), fc.double({ min: -1, max: 1, noNaN: true })) }),
  );
}

/** S + theta eS in the exact arithmetic (exact where the width holds it, else rounded to it). */
export function exactPoint(bin: Binary, S: number, theta: number, eS: number): BigFloat {
  return bin.add(bin.fromNumber(S), bin.mul(bin.fromNumber(theta), bin.fromNumber(eS)));
}

/** The worst of a measured quantity over a property's runs, for the spec's own summary line. */
export class Worst {
  value = 0;
  at = '';
  see(v: number, at: () => string): void {
    if (v > this.value) {
      this.value = v;
      this.at = at();
    }
  }
  toString(): string {
    return `${this.value.toExponential(3)}${this.at ? ` at ${this.at}` : ''}`;
  }
}
