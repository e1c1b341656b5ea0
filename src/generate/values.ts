/**
 * Arbitraries for single numbers of each magnitude class.
 *
 * Every arbitrary here shrinks toward 0 or toward a simple value (few decimal digits):
 * mixtures use `fc.oneof` with `withCrossShrink`, so a value drawn from a later arm first
 * tries a value of the first (simplest) arm while shrinking.
 */

import fc from 'fast-check';
import type { MagnitudeClass, TargetKind } from './options.js';

/**
 * The raw number arbitraries of one magnitude class. "Raw" because the `saturating`
 * class still scales weights and biases by the fan-in once the structure is known
 * (see {@link finishWeight}); for the other classes raw values are final.
 */
export interface ClassValues {
  /** Raw weight `W_ji`. */
  readonly weight: fc.Arbitrary<number>;
  /** Raw bias `b_i`. */
  readonly bias: fc.Arbitrary<number>;
  /** Input `X[b, j]`. */
  readonly input: fc.Arbitrary<number>;
  /**
   * One sign per output unit of a layer (`true`: negative); only the `saturating` class
   * uses it (to make all the terms of a pre-activation pull the same way).
   */
  readonly columnSign: fc.Arbitrary<boolean>;
  /** Targets when the options ask for `'any'`. */
  readonly anyTargets: TargetKind;
  /**
   * What each output unit of a layer is in the stress classes of rectifiers (version-2 pools
   * only): 0 an ordinary unit, 1 a kink unit (`kinks`: S = 0 exactly; `nearKink`: |S| within
   * 1e-300 of 0), 2 a dead unit (`kinks`: S < 0). Shrinks to 0.
   */
  readonly unitKind: fc.Arbitrary<number>;
}

/** Lowest and highest raw magnitude of a saturating weight / bias (before fan-in scaling). */
export const SATURATING_RANGE: readonly [number, number] = [30, 1000];

/** Lowest and highest magnitude of a saturating input. */
export const SATURATING_INPUT_RANGE: readonly [number, number] = [0.5, 1];

/** Lowest and highest raw magnitude of a `saturatedTanh` weight / bias (before fan-in scaling): |S| typically 20..400. */
export const SATURATED_TANH_RANGE: readonly [number, number] = [20, 400];

/** Lowest and highest raw magnitude of a `logitGap` last layer's weight and bias: logit gaps typically beyond 709. */
export const LOGIT_GAP_RANGE: readonly [number, number] = [710, 3000];

/** The bias of a dead unit of the `kinks` class: S < 0 for inputs of typical size (|Y| <= 2, fan-in <= 8, |W| <= 2 sum to at most 32). */
export const DEAD_UNIT_BIAS = -40;

/** A near-kink unit's bias is its raw typical value (|raw| <= 2) times this: |S| = |b| <= 1e-300, 0 when raw is (float32: float32 subnormals). */
export const NEAR_KINK_BIAS_SCALE = 5e-301;
export const NEAR_KINK_BIAS_SCALE_FLOAT32 = 5e-40;
/** A near-kink unit without a bias: weights raw times this, so |S| <= 8 * 2 * 2 * 5e-303 < 1e-300 on typical inputs. */
export const NEAR_KINK_WEIGHT_SCALE = 5e-303;
export const NEAR_KINK_WEIGHT_SCALE_FLOAT32 = 5e-42;

/** Magnitude range of `tiny` values in float64 mode (1e-310 is subnormal). */
export const TINY_RANGE_FLOAT64: readonly [number, number] = [1e-310, 1e-290];

/** Magnitude range of `tiny` values in float32 mode (1e-40 is a float32 subnormal). */
export const TINY_RANGE_FLOAT32: readonly [number, number] = [1e-40, 1e-30];

/** `x` rounded to `digits` decimals (shortest decimal form), keeping `-0`. */
function roundTo(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/**
 * A double uniformly distributed in [lo, hi] (0 <= lo < hi) with full precision, shrinking
 * toward lo. (`fc.double({ min, max })` draws uniformly over the representable doubles,
 * so over [0, 2] most draws would be below 1e-10: fine for `tiny`, not for `typical`.)
 * Doubles in [1, 2] are evenly spaced, and `d - 1` is exact.
 */
function uniformDouble(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.double({ min: 1, max: 2, noNaN: true }).map((d) => lo + (hi - lo) * (d - 1));
}

/**
 * A full-precision double, uniform in [0, max] (or [-max, max] when `symmetric`), whose
 * precision shrinks first: while shrinking it becomes an integer, or two, or six decimals
 * where that keeps the property failing; then the double itself shrinks toward 0.
 */
function preciseDouble(max: number, symmetric: boolean): fc.Arbitrary<number> {
  const magnitude = uniformDouble(0, max);
  return fc
    .tuple(fc.integer({ min: 0, max: 7 }), symmetric ? signed(magnitude) : magnitude)
    .map(([precision, x]) => {
      if (precision === 0) return roundTo(x, 0);
      if (precision === 1) return roundTo(x, 2);
      if (precision === 2) return roundTo(x, 6);
      return x;
    });
}

/** Integers `min..max` divided by `scale`, shrinking toward the end nearest 0. */
function scaledInteger(min: number, max: number, scale: number): fc.Arbitrary<number> {
  return fc.integer({ min, max }).map((k) => k / scale);
}

/** `arb`, negated once in `1 + odds` draws (shrinks to not negated). */
function rarelyNegated(arb: fc.Arbitrary<number>, odds: number): fc.Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: arb, weight: odds },
    { arbitrary: arb.map((x) => -x), weight: 1 },
  );
}

/** `arb` with a random sign (shrinks to positive). */
function signed(arb: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc.tuple(fc.boolean(), arb).map(([negative, x]) => (negative ? -x : x));
}

/**
 * A typical value, |x| <= 2: mostly `k / 100` for integer k (shrinks to 0), sometimes a
 * full-precision double in [-2, 2] (shrinks to few digits, then toward 0).
 */
export function typicalValue(): fc.Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: scaledInteger(-200, 200, 100), weight: 3 },
    { arbitrary: preciseDouble(2, true), weight: 1 },
  );
}

/** About half exact zeros (a fifth of them `-0`), otherwise typical; shrinks to 0. */
export function zerosValue(): fc.Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(0), weight: 4 },
    { arbitrary: fc.constant(-0), weight: 1 },
    { arbitrary: typicalValue(), weight: 5 },
  );
}

/**
 * A tiny value with a random sign: either `m * 10^-e` (m in 1..9, 10^-e in the class
 * range, so up to 9 times its top) or a double drawn log-uniformly over the range.
 * In float32 mode the range is float32's, and values are rounded by the caller.
 */
function tinyMagnitude(float32: boolean): fc.Arbitrary<number> {
  const [lo, hi] = float32 ? TINY_RANGE_FLOAT32 : TINY_RANGE_FLOAT64;
  const eMin = Math.round(-Math.log10(hi));
  const eMax = Math.round(-Math.log10(lo));
  const decimal = fc
    .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: eMin, max: eMax }))
    .map(([m, e]) => m * Math.pow(10, -e));
  return signed(
    fc.oneof(
      { withCrossShrink: true },
      { arbitrary: decimal, weight: 1 },
      { arbitrary: fc.double({ min: lo, max: hi, noNaN: true }), weight: 1 },
    ),
  );
}

/** Mostly tiny values (three in four), otherwise typical; shrinks to typical, then 0. */
export function tinyValue(float32: boolean): fc.Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: typicalValue(), weight: 1 },
    { arbitrary: tinyMagnitude(float32), weight: 3 },
  );
}

/** A magnitude in [lo, hi]: mostly `k / scale` for integer k, sometimes a double; shrinks to lo. */
function magnitude(lo: number, hi: number, scale: number): fc.Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: scaledInteger(lo * scale, hi * scale, scale), weight: 3 },
    { arbitrary: uniformDouble(lo, hi), weight: 1 },
  );
}

/** Number arbitraries of a magnitude class. */
export function classValues(cls: MagnitudeClass, float32: boolean): ClassValues {
  const positive = fc.constant(false);
  const ordinary = fc.constant(0);
  switch (cls) {
    case 'typical': {
      const v = typicalValue();
      return { weight: v, bias: v, input: v, columnSign: positive, anyTargets: 'any', unitKind: ordinary };
    }
    case 'zeros': {
      const v = zerosValue();
      return { weight: v, bias: v, input: v, columnSign: positive, anyTargets: 'hard', unitKind: ordinary };
    }
    case 'tiny': {
      const v = tinyValue(float32);
      return { weight: v, bias: v, input: v, columnSign: positive, anyTargets: 'any', unitKind: ordinary };
    }
    case 'kinks': {
      const v = typicalValue();
      const unitKind = fc.oneof({ arbitrary: fc.constant(0), weight: 7 }, { arbitrary: fc.constant(1), weight: 5 }, { arbitrary: fc.constant(2), weight: 3 });
      return { weight: v, bias: v, input: v, columnSign: positive, anyTargets: 'any', unitKind };
    }
    case 'nearKink': {
      const v = typicalValue();
      return { weight: v, bias: v, input: v, columnSign: positive, anyTargets: 'any', unitKind: fc.integer({ min: 0, max: 1 }) };
    }
    case 'saturating':
    case 'saturatedTanh':
    case 'logitGap': {
      const [lo, hi] = cls === 'saturating' ? SATURATING_RANGE : cls === 'saturatedTanh' ? SATURATED_TANH_RANGE : LOGIT_GAP_RANGE;
      const [xLo, xHi] = SATURATING_INPUT_RANGE;
      const raw = magnitude(lo, hi, 1);
      return {
        // Negative raw weight: this entry goes against its column's sign (1 in 8).
        weight: rarelyNegated(raw, 7),
        bias: raw,
        // Mostly positive inputs, like the sigmoid outputs deeper layers see (1 in 8 negative).
        input: rarelyNegated(magnitude(xLo, xHi, 100), 7),
        columnSign: fc.boolean(),
        anyTargets: 'any',
        unitKind: ordinary,
      };
    }
  }
}

/**
 * The final weight `W_ji` from its raw value. For `saturating`:
 * `sign_i * raw / (fanIn + (hasBias ? 1 : 0))` — the bias counts as one more input of 1,
 * so with positive inputs |x| in [0.5, 1], no flipped entry and raw magnitudes in
 * [30, 1000], `|S_i| = sum_j |x_j w_ji| + |b_i|` lies in [15, 1000] and mostly in 30..1000.
 * With flipped entries or negative inputs that is typical, not guaranteed; deeper layers
 * see sigmoid outputs (in [0, 1], often saturated to 0) as inputs.
 */
export function finishWeight(
  cls: MagnitudeClass,
  raw: number,
  negativeColumn: boolean,
  fanIn: number,
  hasBias: boolean,
): number {
  if (cls !== 'saturating' && cls !== 'saturatedTanh' && cls !== 'logitGap') return raw;
  const scaled = raw / (fanIn + (hasBias ? 1 : 0));
  return negativeColumn ? -scaled : scaled;
}

/** The final bias `b_i` from its raw value (scaled like a weight, see {@link finishWeight}). */
export function finishBias(cls: MagnitudeClass, raw: number, negativeColumn: boolean, fanIn: number): number {
  // a logit layer's bias is not spread over the fan-in: the gap holds when its inputs are 0 (dead units below)
  if (cls === 'logitGap') return negativeColumn ? -raw : raw;
  return finishWeight(cls, raw, negativeColumn, fanIn, true);
}

/**
 * The weight `W_ji` of unit i of a version-2 layer, from its raw value and the unit's kind
 * (see {@link ClassValues.unitKind}): a kink unit's weights are 0 (`nearKink` without a bias:
 * raw times {@link NEAR_KINK_WEIGHT_SCALE}); a dead unit's weights are -|raw| (S < 0 on positive
 * inputs when the layer has no bias); otherwise {@link finishWeight}.
 */
export function finishUnitWeight(cls: MagnitudeClass, kind: number, raw: number, negativeColumn: boolean, fanIn: number, hasBias: boolean, float32: boolean): number {
  if (kind === 1) {
    if (cls === 'nearKink' && !hasBias) return raw * (float32 ? NEAR_KINK_WEIGHT_SCALE_FLOAT32 : NEAR_KINK_WEIGHT_SCALE);
    return 0;
  }
  if (kind === 2) return -Math.abs(raw);
  return finishWeight(cls, raw, negativeColumn, fanIn, hasBias);
}

/** The bias `b_i` of unit i of a version-2 layer (see {@link finishUnitWeight}): a kink unit's is 0 (`nearKink`: raw times {@link NEAR_KINK_BIAS_SCALE}), a dead unit's {@link DEAD_UNIT_BIAS}. */
export function finishUnitBias(cls: MagnitudeClass, kind: number, raw: number, negativeColumn: boolean, fanIn: number, float32: boolean): number {
  if (kind === 1) return cls === 'nearKink' ? raw * (float32 ? NEAR_KINK_BIAS_SCALE_FLOAT32 : NEAR_KINK_BIAS_SCALE) : 0;
  if (kind === 2) return DEAD_UNIT_BIAS;
  return finishBias(cls, raw, negativeColumn, fanIn);
}

/**
 * A target arbitrary: hard is 0 or 1 (shrinks to 0), soft is in [0, 1] (mostly two
 * decimals, shrinks to 0), any mixes both.
 */
export function targetValue(kind: TargetKind): fc.Arbitrary<number> {
  const hard = fc.constantFrom(0, 1);
  const soft = fc.oneof(
    { withCrossShrink: true },
    { arbitrary: scaledInteger(0, 100, 100), weight: 3 },
    { arbitrary: preciseDouble(1, false), weight: 1 },
  );
  if (kind === 'hard') return hard;
  if (kind === 'soft') return soft;
  return fc.oneof({ withCrossShrink: true }, hard, soft);
}
