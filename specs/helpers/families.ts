import fc from 'fast-check';
import { caseArbitrary, MAGNITUDE_CLASSES, type GeneratedCase } from '../../src/generate/index.js';
import type { ActivationName, Batch, Layer, LossName, Network } from '../../src/network/types.js';

/**
 * Version-2 networks for the oracle's specs, made from version 1's `caseArbitrary` (its shapes,
 * magnitude classes and numbers) by assigning each layer an activation and the network a loss,
 * and the targets the loss allows. Local to the specs: the real version-2 generators live in
 * src/generate (another owner); these only need to reach every family.
 *
 *   hidden:  the activations the hidden layers draw from, one per layer (a mix when several);
 *            leaky_relu's alpha drawn from [0, 1) per layer;
 *   output:  'sigmoid+bce' (targets as version 1 drew them, in [0, 1]), 'softmax+cce' (target
 *            rows one-hot or soft, dyadic so that each row sums to exactly 1), or '<f>+mse' for an
 *            elementwise f (targets any finite numbers: typical, huge or tiny).
 */
export type OutputPair = 'sigmoid+bce' | 'softmax+cce' | `${ElementwiseName}+mse`;
export type ElementwiseName = Exclude<ActivationName, 'softmax'>;

export const ELEMENTWISE: readonly ElementwiseName[] = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'];
export const OUTPUT_PAIRS: readonly OutputPair[] = ['sigmoid+bce', 'softmax+cce', ...ELEMENTWISE.map((f) => `${f}+mse` as OutputPair)];

export interface Family {
  readonly hidden: readonly ElementwiseName[];
  readonly output: OutputPair;
}

/** A family's name for a spec's title and the measured figures. */
export function familyName({ hidden, output }: Family): string {
  return `hidden ${hidden.length === ELEMENTWISE.length ? 'mix' : hidden.join('/')}, ${output}`;
}

export interface FamilyOptions {
  readonly minLayers?: number;
  readonly maxLayers?: number;
  readonly maxWidth?: number;
  readonly maxBatch?: number;
  readonly classes?: readonly (typeof MAGNITUDE_CLASSES)[number][];
  /** mse targets: 'any' finite (default: typical, huge or tiny), or 'typical' only (|t| <= 3). */
  readonly mseTargets?: 'any' | 'typical';
}

const typicalTarget = fc.double({ min: -3, max: 3, noNaN: true });
/** An mse target: any finite number, mostly typical, sometimes huge or tiny. */
const mseTarget = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1, 1e-300, -1e300) },
);

/** A cce target row of n entries summing to exactly 1: one-hot, or a soft row of multiples of 2^-20 (exact). */
function cceRow(n: number): fc.Arbitrary<number[]> {
  const oneHot = fc.nat({ max: n - 1 }).map((k) => Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)));
  const soft = fc.array(fc.nat({ max: 2 ** 20 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const c = [0, ...cuts.sort((a, b) => a - b), 2 ** 20];
    return Array.from({ length: n }, (_, j) => (c[j + 1]! - c[j]!) / 2 ** 20);
  });
  return fc.oneof(oneHot, soft);
}

/** Cases of one family: version 1's cases with the family's activations, loss and targets. */
export function familyArbitrary(family: Family, options: FamilyOptions = {}): fc.Arbitrary<GeneratedCase> {
  const base = caseArbitrary({
    minLayers: options.minLayers ?? 1,
    maxLayers: options.maxLayers ?? 10,
    maxWidth: options.maxWidth ?? 5,
    maxBatch: options.maxBatch ?? 3,
    classes: options.classes ?? MAGNITUDE_CLASSES,
  });
  const [lastName, lossName] = family.output.split('+') as [ActivationName, LossName];
  return base.chain((c) => {
    const L = c.network.layers.length;
    const nOut = c.batch.nOut;
    const layer = fc.record({ activation: fc.constantFrom(...family.hidden), alpha: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) });
    const targets: fc.Arbitrary<number[]> =
      lossName === 'cce'
        ? fc.array(cceRow(nOut), { minLength: c.batch.size, maxLength: c.batch.size }).map((rows) => rows.flat())
        : lossName === 'mse'
          ? fc.array(options.mseTargets === 'typical' ? typicalTarget : mseTarget, { minLength: c.batch.size * nOut, maxLength: c.batch.size * nOut })
          : fc.constant(Array.from(c.batch.T));
    return fc.record({ hidden: fc.array(layer, { minLength: L, maxLength: L }), lastAlpha: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), targets }).map(({ hidden, lastAlpha, targets: T }) => {
      const layers: Layer[] = c.network.layers.map((l, k) => {
        const name = k === L - 1 ? lastName : hidden[k]!.activation;
        const alpha = k === L - 1 ? lastAlpha : hidden[k]!.alpha;
        return { ...l, activation: name, ...(name === 'leaky_relu' ? { alpha } : {}) };
      });
      const network: Network = { ...c.network, layers, loss: lossName };
      const batch: Batch = { ...c.batch, T: Float64Array.from(T) };
      return { ...c, network, batch };
    });
  });
}

/** Every family the specs check: each hidden activation alone and all mixed, with every output pair (mixes with each pair). */
export function families(): Family[] {
  const out: Family[] = [];
  for (const output of OUTPUT_PAIRS) {
    for (const f of ELEMENTWISE) out.push({ hidden: [f], output });
    out.push({ hidden: ELEMENTWISE, output });
  }
  return out;
}
