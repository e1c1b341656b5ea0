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
import type { Batch, Case, Layer, Network, Reduction } from '../network/types.js';
import { resolveGenerateOptions, type GenerateOptions, type MagnitudeClass } from './options.js';
import { classValues, finishBias, finishWeight, targetValue } from './values.js';

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
      fc
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
