/**
 * fast-check arbitraries for networks and batches.
 *
 * Shrinking: the structure (layer count, widths, batch size, bias flags, reduction) is a
 * record of small integers / booleans, and the numbers are fixed-length pools of the
 * largest size the options allow (`maxLayers` layers of `maxWidth * maxWidth` weights,
 * `maxBatch * maxWidth` inputs and targets), cut to the chosen sizes by a `.map`. No
 * `fc.chain`, so fast-check shrinks sizes and numbers independently: sizes toward 1 layer,
 * width 1, batch 1; numbers toward 0 or simple values. Pools are indexed two-dimensionally
 * (`W_ji` is pool entry `j * maxWidth + i` whatever the widths), so dropping a unit keeps
 * the other entries in place.
 */

import fc from 'fast-check';
import type { ActivationName, Batch, Case, Layer, LossName, Network, Reduction } from '../network/types.js';
import { CLASS_PREFERS, familyPlan, isVersion1Options, resolveGenerateOptions, type FamilyPlan, type GenerateOptions, type MagnitudeClass } from './options.js';
import { classValues, finishBias, finishUnitBias, finishUnitWeight, finishWeight, targetValue } from './values.js';

/** A generated case: a packed network and batch that fit, and the class of their numbers. */
export interface GeneratedCase extends Case {
  readonly network: Network;
  readonly batch: Batch;
  readonly magnitude: MagnitudeClass;
}

/** The structure of a case, before numbers (all arrays at their maximal lengths). */
interface Structure {
  readonly layers: number;
  readonly widths: readonly number[];
  readonly size: number;
  readonly bias: readonly boolean[];
  readonly reduction: Reduction;
}

/** Raw numbers of one layer, at maximal size. */
interface LayerPool {
  readonly w: readonly number[];
  readonly b: readonly number[];
  readonly negative: readonly boolean[];
}

/** Raw numbers of a batch, at maximal size. */
interface BatchPool {
  readonly x: readonly number[];
  readonly t: readonly number[];
}

function fixedArray<T>(arb: fc.Arbitrary<T>, length: number): fc.Arbitrary<T[]> {
  return fc.array(arb, { minLength: length, maxLength: length });
}

function structureArbitrary(o: GenerateOptions): fc.Arbitrary<Structure> {
  const bias =
    o.bias === 'any' ? fixedArray(fc.boolean(), o.maxLayers) : fc.constant(new Array<boolean>(o.maxLayers).fill(o.bias));
  return fc.record({
    layers: fc.integer({ min: o.minLayers, max: o.maxLayers }),
    widths: fixedArray(fc.integer({ min: 1, max: o.maxWidth }), o.maxLayers + 1),
    size: fc.integer({ min: 1, max: o.maxBatch }),
    bias,
    reduction: fc.constantFrom(...o.reductions),
  });
}

function layerPoolsArbitrary(cls: MagnitudeClass, o: GenerateOptions): fc.Arbitrary<LayerPool[]> {
  const v = classValues(cls, o.float32);
  const pool = fc.record({
    w: fixedArray(v.weight, o.maxWidth * o.maxWidth),
    b: fixedArray(v.bias, o.maxWidth),
    negative: fixedArray(v.columnSign, o.maxWidth),
  });
  return fixedArray(pool, o.maxLayers);
}

function batchPoolArbitrary(cls: MagnitudeClass, o: GenerateOptions): fc.Arbitrary<BatchPool> {
  const v = classValues(cls, o.float32);
  const kind = o.targets === 'any' ? v.anyTargets : o.targets;
  return fc.record({
    x: fixedArray(v.input, o.maxBatch * o.maxWidth),
    t: fixedArray(targetValue(kind), o.maxBatch * o.maxWidth),
  });
}

function at<T>(values: readonly T[], index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`generator pool too short: no entry ${index} of ${values.length}`);
  return value;
}

/** The class and the pools of layer l. */
type LayerSource = (l: number) => { readonly cls: MagnitudeClass; readonly pools: readonly LayerPool[] };

/** A source of every layer from one class's pools. */
function oneClass(cls: MagnitudeClass, pools: readonly LayerPool[]): LayerSource {
  return () => ({ cls, pools });
}

function buildNetwork(source: LayerSource, o: GenerateOptions, s: Structure): Network {
  const round = o.float32 ? Math.fround : (x: number) => x;
  const layers: Layer[] = [];
  for (let l = 0; l < s.layers; l++) {
    const nIn = at(s.widths, l);
    const nOut = at(s.widths, l + 1);
    const { cls, pools } = source(l);
    const pool = at(pools, l);
    const hasBias = at(s.bias, l);
    const W = new Float64Array(nIn * nOut);
    for (let j = 0; j < nIn; j++) {
      for (let i = 0; i < nOut; i++) {
        const raw = at(pool.w, j * o.maxWidth + i);
        W[j * nOut + i] = round(finishWeight(cls, raw, at(pool.negative, i), nIn, hasBias));
      }
    }
    let b: Float64Array | null = null;
    if (hasBias) {
      b = new Float64Array(nOut);
      for (let i = 0; i < nOut; i++) b[i] = round(finishBias(cls, at(pool.b, i), at(pool.negative, i), nIn));
    }
    layers.push({ nIn, nOut, W, b });
  }
  return { layers, reduction: s.reduction };
}

function buildBatch(o: GenerateOptions, s: Structure, pool: BatchPool): Batch {
  const round = o.float32 ? Math.fround : (x: number) => x;
  const nIn = at(s.widths, 0);
  const nOut = at(s.widths, s.layers);
  const X = new Float64Array(s.size * nIn);
  const T = new Float64Array(s.size * nOut);
  for (let b = 0; b < s.size; b++) {
    for (let j = 0; j < nIn; j++) X[b * nIn + j] = round(at(pool.x, b * o.maxWidth + j));
    for (let i = 0; i < nOut; i++) T[b * nOut + i] = round(at(pool.t, b * o.maxWidth + i));
  }
  return { size: s.size, nIn, nOut, X, T };
}

/**
 * Cases whose numbers all belong to the magnitude class `cls` (the `classes` option is
 * ignored). Shrinks toward 1 layer, width 1, batch 1 and simple numbers of that class
 * (0 for typical / zeros / tiny; raw magnitude 30 and input 0.5 for saturating).
 *
 * @throws RangeError on invalid options (see {@link resolveGenerateOptions}).
 */
export function caseArbitraryForClass(
  cls: MagnitudeClass,
  options: Partial<GenerateOptions> = {},
): fc.Arbitrary<GeneratedCase> {
  const o = resolveGenerateOptions(options);
  if (!isVersion1Options(o) || !isVersion1Class(cls)) return familyCaseArbitrary(cls, o);
  return fc
    .tuple(structureArbitrary(o), layerPoolsArbitrary(cls, o), batchPoolArbitrary(cls, o))
    .map(([s, layers, batch]) => ({
      network: buildNetwork(oneClass(cls, layers), o, s),
      batch: buildBatch(o, s, batch),
      magnitude: cls,
    }));
}

/**
 * Cases (network, batch and magnitude class) drawn evenly from the `classes` option;
 * a case keeps its class while shrinking.
 *
 * @throws RangeError on invalid options (see {@link resolveGenerateOptions}).
 */
export function caseArbitrary(options: Partial<GenerateOptions> = {}): fc.Arbitrary<GeneratedCase> {
  const o = resolveGenerateOptions(options);
  return fc.oneof(...o.classes.map((cls) => caseArbitraryForClass(cls, o)));
}

/**
 * Cases that MIX saturated and typical layers: each layer draws its weights and biases from the
 * `saturating` class or from the `typical` class, at least one layer of each (so at least two
 * layers; `minLayers` is raised to 2), and the inputs from the class of the first layer. A
 * typical layer above a saturated one sees inputs that are 0 or 1 to the last bit and keeps
 * `|S|` of order 1; a saturated layer above a typical one sees inputs in (0, 1). The
 * cases are labelled `saturating` (the `classes` option is ignored). The layer kinds shrink toward
 * "saturated" except the last layer, which is then typical: the simplest case is `1-1-1 B=1`, a
 * saturated unit (raw weight 30, input 0.5) feeding a typical one (weight 0).
 *
 * Not part of {@link caseArbitrary}'s mixture (adding it there would change every case the
 * default generator draws for a given seed); use it directly.
 *
 * @throws RangeError on invalid options (see {@link resolveGenerateOptions}), and when
 *   `maxLayers` is below 2.
 */
export function mixedSaturationArbitrary(options: Partial<GenerateOptions> = {}): fc.Arbitrary<GeneratedCase> {
  const given = resolveGenerateOptions(options);
  if (given.maxLayers < 2) throw new RangeError(`mixed saturation needs maxLayers >= 2 (a saturated and a typical layer), got ${given.maxLayers}`);
  const o = resolveGenerateOptions({ ...given, minLayers: Math.max(2, given.minLayers) });
  return fc
    .tuple(
      structureArbitrary(o),
      fixedArray(fc.boolean(), o.maxLayers),
      layerPoolsArbitrary('saturating', o),
      layerPoolsArbitrary('typical', o),
      batchPoolArbitrary('saturating', o),
      batchPoolArbitrary('typical', o),
    )
    .map(([s, typicalFlags, saturated, typical, saturatedBatch, typicalBatch]) => {
      const kinds = typicalFlags.slice(0, s.layers);
      // at least one layer of each kind: when all agree, the last layer is the other kind
      if (kinds.every((k) => k === kinds[0])) kinds[s.layers - 1] = !kinds[0];
      const source: LayerSource = (l) => (at(kinds, l) ? { cls: 'typical', pools: typical } : { cls: 'saturating', pools: saturated });
      return {
        network: buildNetwork(source, o, s),
        batch: buildBatch(o, s, at(kinds, 0) ? typicalBatch : saturatedBatch),
        magnitude: 'saturating' as const,
      };
    });
}

/**
 * Networks alone, drawn evenly from the `classes` option (batch options are unused).
 *
 * @throws RangeError on invalid options (see {@link resolveGenerateOptions}).
 */
export function networkArbitrary(options: Partial<GenerateOptions> = {}): fc.Arbitrary<Network> {
  const o = resolveGenerateOptions(options);
  return fc.oneof(
    ...o.classes.map((cls) =>
      !isVersion1Options(o) || !isVersion1Class(cls)
        ? familyCaseArbitrary(cls, o).map((c) => c.network)
        : fc
            .tuple(structureArbitrary(o), layerPoolsArbitrary(cls, o))
            .map(([s, layers]) => buildNetwork(oneClass(cls, layers), o, s)),
    ),
  );
}

/**
 * `count` cases, the same for the same options and seed (for the CLI). fast-check biases
 * the first draws toward small structures and simple values, as in `fc.assert`.
 *
 * @throws RangeError on invalid options (see {@link resolveGenerateOptions}).
 */
export function sampleCases(options: Partial<GenerateOptions>, count: number, seed: number): GeneratedCase[] {
  return fc.sample(caseArbitrary(options), { seed, numRuns: count });
}

// ---------------------------------------------------------------------------------------------
// Protocol version 2: networks of several activation families and losses. Version-1 options
// (sigmoid layers, bce) with version 1's classes take the code above, draw for draw (their cases
// for a given seed are pinned: specs/generate/version1Pin.spec.ts); everything else takes this.
// The structure is version 1's record plus a family record of small integers (the loss, each
// layer's activation and alpha as indices into the allowed lists), so fast-check shrinks the
// family toward the first allowed names independently of sizes and numbers.

function isVersion1Class(cls: MagnitudeClass): boolean {
  return cls === 'typical' || cls === 'zeros' || cls === 'tiny' || cls === 'saturating';
}

/** The family of a case before it is cut to its layer count: indices into a class's lists. */
interface Family {
  readonly loss: number;
  readonly output: number;
  readonly hidden: readonly number[];
  readonly alpha: readonly number[];
}

/** Raw numbers of one version-2 layer: version 1's plus each unit's kind. */
interface FamilyLayerPool extends LayerPool {
  readonly unit: readonly number[];
}

/** Raw numbers of a version-2 batch: inputs, targets in [0, 1] (bce's, and cce's cuts), each mse target's mode and wide value, each cce row's kind and dyadic bits. */
interface FamilyBatchPool extends BatchPool {
  readonly mode: readonly number[];
  readonly wide: readonly number[];
  readonly hot: readonly boolean[];
  readonly bits: readonly number[];
}

/** A class's lists: the plan's, narrowed to the activations (and loss) the class stresses where the options allow them. */
function classPlan(plan: FamilyPlan, cls: MagnitudeClass): FamilyPlan {
  const prefers = CLASS_PREFERS[cls];
  if (!prefers) return plan;
  const narrow = (names: readonly ActivationName[]): readonly ActivationName[] => {
    const kept = names.filter((a) => prefers.activations.includes(a));
    return kept.length > 0 ? kept : names;
  };
  const losses = prefers.loss !== undefined && plan.losses.includes(prefers.loss) ? [prefers.loss] : plan.losses;
  return { losses, hidden: narrow(plan.hidden), mseOutputs: narrow(plan.mseOutputs), deep: plan.deep };
}

function indexArbitrary(length: number): fc.Arbitrary<number> {
  return length <= 1 ? fc.constant(0) : fc.integer({ min: 0, max: length - 1 });
}

function familyArbitrary(plan: FamilyPlan, o: GenerateOptions): fc.Arbitrary<Family> {
  return fc.record({
    loss: indexArbitrary(plan.losses.length),
    output: indexArbitrary(plan.mseOutputs.length),
    hidden: fixedArray(indexArbitrary(plan.hidden.length), o.maxLayers),
    alpha: fixedArray(indexArbitrary(o.alphas.length), o.maxLayers),
  });
}

function familyLayerPoolsArbitrary(cls: MagnitudeClass, o: GenerateOptions): fc.Arbitrary<FamilyLayerPool[]> {
  const v = classValues(cls, o.float32);
  const pool = fc.record({
    w: fixedArray(v.weight, o.maxWidth * o.maxWidth),
    b: fixedArray(v.bias, o.maxWidth),
    negative: fixedArray(v.columnSign, o.maxWidth),
    unit: fixedArray(v.unitKind, o.maxWidth),
  });
  return fixedArray(pool, o.maxLayers);
}

/** A wide mse target, |t| <= 100 (two decimals; shrinks to 0). */
const WIDE_TARGET = fc.integer({ min: -10000, max: 10000 }).map((k) => k / 100);

function familyBatchPoolArbitrary(cls: MagnitudeClass, o: GenerateOptions): fc.Arbitrary<FamilyBatchPool> {
  const v = classValues(cls, o.float32);
  const kind = o.targets === 'any' ? v.anyTargets : o.targets;
  const n = o.maxBatch * o.maxWidth;
  return fc.record({
    x: fixedArray(v.input, n),
    t: fixedArray(targetValue(kind), n),
    mode: fixedArray(fc.integer({ min: 0, max: 4 }), n),
    wide: fixedArray(WIDE_TARGET, n),
    // one-hot rows are the simpler: `hot` shrinks to true
    hot: fixedArray(kind === 'hard' ? fc.constant(true) : kind === 'soft' ? fc.constant(false) : fc.boolean().map((b) => !b), o.maxBatch),
    bits: fixedArray(fc.integer({ min: 1, max: o.float32 ? 24 : 52 }), o.maxBatch),
  });
}

/** The loss and each layer's activation (and leaky_relu's alpha) of a case of `layers` layers. */
function familyOf(plan: FamilyPlan, o: GenerateOptions, f: Family, layers: number): { loss: LossName; activations: ActivationName[]; alphas: (number | undefined)[] } {
  const loss = at(plan.losses, f.loss);
  const last: ActivationName = loss === 'bce' ? 'sigmoid' : loss === 'cce' ? 'softmax' : at(plan.mseOutputs, f.output);
  const activations: ActivationName[] = [];
  for (let l = 0; l < layers - 1; l++) activations.push(at(plan.hidden, at(f.hidden, l)));
  activations.push(last);
  const round = o.float32 ? Math.fround : (x: number) => x;
  const alphas = activations.map((a, l) => (a === 'leaky_relu' ? round(at(o.alphas, at(f.alpha, l))) : undefined));
  return { loss, activations, alphas };
}

/** A version-2 network: each layer's numbers from its source, by unit kind. */
function buildFamilyNetwork(
  source: (l: number) => { readonly cls: MagnitudeClass; readonly pools: readonly FamilyLayerPool[] },
  o: GenerateOptions,
  s: Structure,
  family: { loss: LossName; activations: readonly ActivationName[]; alphas: readonly (number | undefined)[] },
): Network {
  const round = o.float32 ? Math.fround : (x: number) => x;
  const layers: Layer[] = [];
  for (let l = 0; l < s.layers; l++) {
    const nIn = at(s.widths, l);
    const nOut = at(s.widths, l + 1);
    const { cls, pools } = source(l);
    const pool = at(pools, l);
    const hasBias = at(s.bias, l);
    const W = new Float64Array(nIn * nOut);
    for (let j = 0; j < nIn; j++) {
      for (let i = 0; i < nOut; i++) {
        W[j * nOut + i] = round(finishUnitWeight(cls, at(pool.unit, i), at(pool.w, j * o.maxWidth + i), at(pool.negative, i), nIn, hasBias, o.float32));
      }
    }
    let b: Float64Array | null = null;
    if (hasBias) {
      b = new Float64Array(nOut);
      for (let i = 0; i < nOut; i++) b[i] = round(finishUnitBias(cls, at(pool.unit, i), at(pool.b, i), at(pool.negative, i), nIn, o.float32));
    }
    const activation = at(family.activations, l);
    const alpha = family.alphas[l];
    const layer: Layer = { nIn, nOut, W, b };
    // version-1 layers carry no activation field (as parseNetwork gives them)
    layers.push(activation === 'sigmoid' ? layer : alpha === undefined ? { ...layer, activation } : { ...layer, activation, alpha });
  }
  return family.loss === 'bce' ? { layers, reduction: s.reduction } : { layers, reduction: s.reduction, loss: family.loss };
}

/** The in-range interval of an mse target for an output activation (where its outputs mostly are). */
function mseRange(activation: ActivationName): readonly [number, number] {
  switch (activation) {
    case 'sigmoid':
      return [0, 1];
    case 'tanh':
      return [-1, 1];
    case 'relu':
      return [0, 2];
    default:
      return [-2, 2];
  }
}

/**
 * A version-2 batch: inputs as version 1's; targets valid for the loss. bce: the [0, 1] targets
 * as version 1's. mse: four in five in the output's range (t scaled to its upper end, or to its
 * lower end when the mode is odd), one in five a wide value |t| <= 100 (shrinks to in range,
 * then 0). cce: each row one-hot (the unit from the row's first target) or a soft row of dyadic
 * fractions k / 2^m (m the row's bits, <= 24 in float32 mode): the row's first n_L - 1 targets
 * cut [0, 2^m] and the row is the gaps, so every entry is exact and the row sums to exactly 1
 * in any order (every partial sum is a multiple of 2^-m in [0, 1]).
 */
function buildFamilyBatch(o: GenerateOptions, s: Structure, pool: FamilyBatchPool, loss: LossName, output: ActivationName): Batch {
  const round = o.float32 ? Math.fround : (x: number) => x;
  const nIn = at(s.widths, 0);
  const nOut = at(s.widths, s.layers);
  const X = new Float64Array(s.size * nIn);
  const T = new Float64Array(s.size * nOut);
  const [lo, hi] = mseRange(output);
  for (let b = 0; b < s.size; b++) {
    for (let j = 0; j < nIn; j++) X[b * nIn + j] = round(at(pool.x, b * o.maxWidth + j));
    const t = (i: number): number => at(pool.t, b * o.maxWidth + i);
    if (loss === 'cce') {
      if (at(pool.hot, b)) {
        T[b * nOut + Math.min(nOut - 1, Math.floor(t(0) * nOut))] = 1;
      } else {
        const scale = 2 ** at(pool.bits, b);
        const cuts = Array.from({ length: nOut - 1 }, (_, i) => Math.round(t(i) * scale)).sort((a, c) => a - c);
        let previous = 0;
        for (let i = 0; i < nOut; i++) {
          const cut = i < nOut - 1 ? at(cuts, i) : scale;
          T[b * nOut + i] = (cut - previous) / scale;
          previous = cut;
        }
      }
      continue;
    }
    for (let i = 0; i < nOut; i++) {
      const k = b * o.maxWidth + i;
      if (loss === 'bce') {
        T[b * nOut + i] = round(t(i));
      } else {
        const mode = at(pool.mode, k);
        const value = mode === 4 ? at(pool.wide, k) : mode % 2 === 1 && lo < 0 ? t(i) * lo : t(i) * hi;
        T[b * nOut + i] = round(value);
      }
    }
  }
  return { size: s.size, nIn, nOut, X, T };
}

/**
 * Version-2 cases of one class: the structure, the family (each layer's activation within the
 * class's lists, the loss), and the numbers. `logitGap` draws its hidden layers from `typical`
 * and its last layer from its own class; every other class draws every layer from itself. Only
 * one-layer networks when no hidden activation is allowed (softmax alone).
 */
function familyCaseArbitrary(cls: MagnitudeClass, o: GenerateOptions): fc.Arbitrary<GeneratedCase> {
  const plan = classPlan(familyPlan(o), cls);
  const hiddenCls: MagnitudeClass = cls === 'logitGap' ? 'typical' : cls;
  return fc
    .tuple(
      structureArbitrary(o),
      familyArbitrary(plan, o),
      familyLayerPoolsArbitrary(hiddenCls, o),
      cls === 'logitGap' ? familyLayerPoolsArbitrary(cls, o) : fc.constant(null),
      familyBatchPoolArbitrary(cls, o),
    )
    .map(([drawn, f, hidden, last, batch]) => {
      const s: Structure = plan.deep ? drawn : { ...drawn, layers: 1 };
      const family = familyOf(plan, o, f, s.layers);
      const source = (l: number) => (last && l === s.layers - 1 ? { cls, pools: last } : { cls: hiddenCls, pools: hidden });
      return {
        network: buildFamilyNetwork(source, o, s, family),
        batch: buildFamilyBatch(o, s, batch, family.loss, at(family.activations, s.layers - 1)),
        magnitude: cls,
      };
    });
}
