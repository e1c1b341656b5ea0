/**
 * Options of the case generators and the magnitude classes they know.
 */

import { ACTIVATION_NAMES, LOSS_NAMES, REDUCTIONS, type ActivationName, type LossName, type Reduction } from '../network/types.js';

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
 *
 * The stress classes of protocol version 2's families (outside the version-1 default mixture,
 * {@link MAGNITUDE_CLASSES}; in the default mixture of version-2 options when the drawn family is
 * allowed, see {@link defaultClassesFor}). Each prefers the activations it stresses where the
 * options allow them (hidden layers and an mse output from them; see {@link CLASS_PREFERS}):
 *
 * - `kinks` (rectifiers): typical numbers where each unit is, one in three, a kink unit (its
 *   weight column and bias exactly 0, so `S = 0` exactly whatever its inputs) and, one in
 *   five, a dead unit (a bias of -40, so `S < 0` for inputs of typical size: a ReLU that never
 *   fires); the rest typical.
 * - `nearKink` (rectifiers): near-kink units (one in two) have `|S|` within 1e-300 of the kink
 *   (float32: within float32's subnormals): weights 0 and a bias of magnitude 5e-324..1e-300
 *   of either sign, or, without a bias, weights 1e-320..1e-302 on typical inputs.
 * - `saturatedTanh` (tanh): like `saturating` with raw magnitudes in [20, 400], so `|S|` is
 *   typically 20..400: tanh is +-1 to the last bit and `1 - Z^2` cancels completely.
 * - `logitGap` (softmax + cce): typical hidden layers; the last layer's weights and bias like
 *   `saturating` with raw magnitudes in [710, 3000] and one sign per output unit, inputs
 *   |x| in [0.5, 1]: softmax rows whose logits are typically more than 709 apart, where `exp`
 *   overflows without the largest logit subtracted.
 */
export type MagnitudeClass = 'typical' | 'zeros' | 'tiny' | 'saturating' | 'kinks' | 'nearKink' | 'saturatedTanh' | 'logitGap';

/** The version-1 magnitude classes, in a fixed order: the default mixture of version-1 options. */
export const MAGNITUDE_CLASSES: readonly ('typical' | 'zeros' | 'tiny' | 'saturating')[] = ['typical', 'zeros', 'tiny', 'saturating'];

/** The stress classes of protocol version 2's families, in a fixed order. */
export const STRESS_CLASSES: readonly MagnitudeClass[] = ['kinks', 'nearKink', 'saturatedTanh', 'logitGap'];

/** Every magnitude class, version 1's then the stress classes. */
export const ALL_MAGNITUDE_CLASSES: readonly MagnitudeClass[] = [...MAGNITUDE_CLASSES, ...STRESS_CLASSES];

/** The activations (and the loss) each stress class stresses, preferred where the options allow them. */
export const CLASS_PREFERS: Readonly<Partial<Record<MagnitudeClass, { readonly activations: readonly ActivationName[]; readonly loss?: LossName }>>> = Object.freeze({
  kinks: { activations: ['relu', 'leaky_relu'] },
  nearKink: { activations: ['relu', 'leaky_relu'] },
  saturatedTanh: { activations: ['tanh'] },
  logitGap: { activations: ['softmax'], loss: 'cce' },
});

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
  /** Magnitude classes to draw from (non-empty), evenly. Default version 1's four ({@link MAGNITUDE_CLASSES}), plus the stress classes of the allowed families for version-2 options ({@link defaultClassesFor}). */
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
  /**
   * Activations to draw from (non-empty; protocol version 2). Each layer draws its own within
   * them as the pair rules allow (softmax only last, with cce), shrinking toward the first.
   * Default `['sigmoid']`.
   */
  readonly activations: readonly ActivationName[];
  /**
   * Losses to draw from (non-empty; protocol version 2): bce needs sigmoid among the
   * activations, cce softmax, mse any but softmax. Shrinks toward the first. Default `['bce']`.
   */
  readonly losses: readonly LossName[];
  /** leaky_relu's alpha values to draw from (each in [0, 1); rounded to float32 in float32 mode), shrinking toward the first. Default `[0.01, 0.1, 0.5, 0]`. */
  readonly alphas: readonly number[];
}

/** Whether options draw only what protocol version 1 can express (sigmoid layers, bce): the version-1 generator, draw for draw. */
export function isVersion1Options(o: Pick<GenerateOptions, 'activations' | 'losses'>): boolean {
  return o.activations.every((a) => a === 'sigmoid') && o.losses.every((l) => l === 'bce');
}

/**
 * The default class mixture: version 1's four classes, and for version-2 options the stress
 * classes of the families they allow (kinks and nearKink with relu or leaky_relu, saturatedTanh
 * with tanh, logitGap with softmax and cce).
 */
export function defaultClassesFor(o: Pick<GenerateOptions, 'activations' | 'losses'>): readonly MagnitudeClass[] {
  if (isVersion1Options(o)) return MAGNITUDE_CLASSES;
  const has = (a: ActivationName): boolean => o.activations.includes(a);
  const classes: MagnitudeClass[] = [...MAGNITUDE_CLASSES];
  if (has('relu') || has('leaky_relu')) classes.push('kinks', 'nearKink');
  if (has('tanh')) classes.push('saturatedTanh');
  if (has('softmax') && o.losses.includes('cce')) classes.push('logitGap');
  return classes;
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
  activations: ['sigmoid'] as readonly ActivationName[],
  losses: ['bce'] as readonly LossName[],
  alphas: [0.01, 0.1, 0.5, 0] as readonly number[],
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
  const given = stripUndefined(options);
  const merged: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, ...given };
  const resolved: GenerateOptions = given.classes === undefined ? { ...merged, classes: defaultClassesFor(merged) } : merged;
  checkCount('minLayers', resolved.minLayers, 1);
  checkCount('maxLayers', resolved.maxLayers, resolved.minLayers);
  checkCount('maxWidth', resolved.maxWidth, 1);
  checkCount('maxBatch', resolved.maxBatch, 1);
  if (resolved.reductions.length === 0 || !resolved.reductions.every((r) => REDUCTIONS.includes(r))) {
    throw new RangeError(`generate option reductions must be a non-empty subset of ${REDUCTIONS.join(', ')}`);
  }
  if (resolved.classes.length === 0 || !resolved.classes.every((c) => ALL_MAGNITUDE_CLASSES.includes(c))) {
    throw new RangeError(`generate option classes must be a non-empty subset of ${ALL_MAGNITUDE_CLASSES.join(', ')}`);
  }
  if (resolved.activations.length === 0 || !resolved.activations.every((a) => ACTIVATION_NAMES.includes(a))) {
    throw new RangeError(`generate option activations must be a non-empty subset of ${ACTIVATION_NAMES.join(', ')}, got [${resolved.activations.join(', ')}]`);
  }
  if (resolved.losses.length === 0 || !resolved.losses.every((l) => LOSS_NAMES.includes(l))) {
    throw new RangeError(`generate option losses must be a non-empty subset of ${LOSS_NAMES.join(', ')}, got [${resolved.losses.join(', ')}]`);
  }
  if (resolved.alphas.length === 0 || !resolved.alphas.every((a) => typeof a === 'number' && a >= 0 && a < 1)) {
    throw new RangeError(`generate option alphas must be a non-empty list of numbers in [0, 1), got [${resolved.alphas.join(', ')}]`);
  }
  familyPlan(resolved);
  if (resolved.bias !== 'any' && typeof resolved.bias !== 'boolean') {
    throw new RangeError(`generate option bias must be 'any', true or false`);
  }
  if (resolved.targets !== 'any' && resolved.targets !== 'hard' && resolved.targets !== 'soft') {
    throw new RangeError(`generate option targets must be 'hard', 'soft' or 'any'`);
  }
  return resolved;
}

/** What the pair rules leave of the options: the losses that admit a network, the hidden layers' and an mse output's activations. */
export interface FamilyPlan {
  /** The losses some valid network has, in the options' order. */
  readonly losses: readonly LossName[];
  /** Activations of the layers below the last (the allowed ones but softmax). */
  readonly hidden: readonly ActivationName[];
  /** Activations an mse output may have (the allowed ones but softmax). */
  readonly mseOutputs: readonly ActivationName[];
  /** Whether a network of more than one layer can be drawn (some hidden activation allowed). */
  readonly deep: boolean;
}

/**
 * The families the options admit under protocol version 2's pair rules: softmax only on the last
 * layer and only with cce; bce needs a sigmoid output; mse any output but softmax.
 *
 * @throws RangeError saying why when the allowed activations and losses admit no valid network,
 *   or only one-layer networks (softmax alone) while `minLayers` asks for more.
 */
export function familyPlan(o: Pick<GenerateOptions, 'activations' | 'losses' | 'minLayers'>): FamilyPlan {
  const has = (a: ActivationName): boolean => o.activations.includes(a);
  const hidden = o.activations.filter((a) => a !== 'softmax');
  const why: string[] = [];
  const losses = o.losses.filter((loss) => {
    if (loss === 'bce' && !has('sigmoid')) why.push('bce needs a sigmoid output (sigmoid is not allowed)');
    else if (loss === 'cce' && !has('softmax')) why.push('cce needs a softmax output (softmax is not allowed)');
    else if (loss === 'mse' && hidden.length === 0) why.push('mse needs an output activation other than softmax (only softmax is allowed)');
    else return true;
    return false;
  });
  const allowed = `activations [${o.activations.join(', ')}] with losses [${o.losses.join(', ')}]`;
  if (losses.length === 0) throw new RangeError(`generate options admit no valid network: ${allowed}: ${why.join('; ')}`);
  if (hidden.length === 0 && o.minLayers > 1) {
    throw new RangeError(`generate options admit no valid network of ${o.minLayers} or more layers: ${allowed}: softmax may only be the last layer's activation and no other is allowed`);
  }
  return { losses, hidden, mseOutputs: hidden, deep: hidden.length > 0 };
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(options) as (keyof T)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}
