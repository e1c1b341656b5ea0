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
