/**
 * Options of the case generators and the magnitude classes they know.
 */

import { REDUCTIONS, type Reduction } from '../network/types.js';

/**
 * What kind of numbers a generated case holds.
 *
 * - `typical`: weights, biases and inputs with |x| <= 2, mostly "simple" (two decimals).
 * - `zeros`: like typical but about half the entries are exact zeros (`-0` sometimes),
 *   with hard (0/1) targets.
 * - `tiny`: subnormal-adjacent weights, biases and inputs, |x| between about 1e-310 and
 *   1e-290 (1e-40 and 1e-30 in float32 mode), mixed with some typical-size values, so
 *   that some products underflow toward (or past) the subnormals.
 * - `saturating`: pre-activations |S| typically from 30 to 1000, so the sigmoid saturates:
 *   raw weight magnitudes in [30, 1000] divided by the fan-in (plus 1 when the layer has a
 *   bias, which pushes the same way), one sign per output unit with an occasional entry
 *   flipped, inputs with |x| in [0.5, 1] (mostly positive). |S| in 30..1000 is typical,
 *   not guaranteed (flipped signs cancel; the lowest is 15 even without flips).
 */
export type MagnitudeClass = 'typical' | 'zeros' | 'tiny' | 'saturating';

/** Every magnitude class, in a fixed order. */
export const MAGNITUDE_CLASSES: readonly MagnitudeClass[] = ['typical', 'zeros', 'tiny', 'saturating'];

/** Which targets to generate: hard (0 or 1), soft (in [0, 1]) or both mixed. */
export type TargetKind = 'hard' | 'soft' | 'any';

/** Options of the case generators (see {@link DEFAULT_GENERATE_OPTIONS} for the defaults). */
export interface GenerateOptions {
  /** Fewest layers (>= 1). Default 1. */
  readonly minLayers: number;
  /** Most layers (>= minLayers). Default 6. */
  readonly maxLayers: number;
  /** Widths are drawn from 1..maxWidth. Default 8. */
  readonly maxWidth: number;
  /** Batch sizes are drawn from 1..maxBatch. Default 4. */
  readonly maxBatch: number;
  /**
   * `true`: every layer has a bias; `false`: none has; `'any'` (default): each layer
   * independently may or may not have one.
   */
  readonly bias: 'any' | boolean;
  /** Reductions to draw from (non-empty). Default both. */
  readonly reductions: readonly Reduction[];
  /** Magnitude classes to draw from (non-empty), evenly. Default all four. */
  readonly classes: readonly MagnitudeClass[];
  /**
   * `'hard'`: targets 0 or 1; `'soft'`: targets in [0, 1]; `'any'` (default): both mixed
   * (the `zeros` class then uses hard targets only).
   */
  readonly targets: TargetKind;
  /**
   * When true every generated number (targets too) is float32-representable
   * (`Math.fround(x) === x`), and the `tiny` class uses float32-range tiny values.
   * Default false.
   */
  readonly float32: boolean;
}

/** The default generation options. */
export const DEFAULT_GENERATE_OPTIONS: Readonly<GenerateOptions> = Object.freeze({
  minLayers: 1,
  maxLayers: 6,
  maxWidth: 8,
  maxBatch: 4,
  bias: 'any',
  reductions: REDUCTIONS,
  classes: MAGNITUDE_CLASSES,
  targets: 'any',
  float32: false,
});

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`generate option ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Fills in the defaults and checks the options.
 *
 * @throws RangeError when a count is not an integer in range, `maxLayers < minLayers`,
 *   or `reductions` / `classes` is empty or holds an unknown name.
 */
export function resolveGenerateOptions(options: Partial<GenerateOptions> = {}): GenerateOptions {
  const resolved: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, ...stripUndefined(options) };
  checkCount('minLayers', resolved.minLayers, 1);
  checkCount('maxLayers', resolved.maxLayers, resolved.minLayers);
  checkCount('maxWidth', resolved.maxWidth, 1);
  checkCount('maxBatch', resolved.maxBatch, 1);
  if (resolved.reductions.length === 0 || !resolved.reductions.every((r) => REDUCTIONS.includes(r))) {
    throw new RangeError(`generate option reductions must be a non-empty subset of ${REDUCTIONS.join(', ')}`);
  }
  if (resolved.classes.length === 0 || !resolved.classes.every((c) => MAGNITUDE_CLASSES.includes(c))) {
    throw new RangeError(`generate option classes must be a non-empty subset of ${MAGNITUDE_CLASSES.join(', ')}`);
  }
  if (resolved.bias !== 'any' && typeof resolved.bias !== 'boolean') {
    throw new RangeError(`generate option bias must be 'any', true or false`);
  }
  if (resolved.targets !== 'any' && resolved.targets !== 'hard' && resolved.targets !== 'soft') {
    throw new RangeError(`generate option targets must be 'hard', 'soft' or 'any'`);
  }
  return resolved;
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(options) as (keyof T)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}
