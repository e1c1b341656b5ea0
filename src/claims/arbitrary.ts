/**
 * Cases for checking claims: small networks (widths 1 to 3, batch 1 to 3) of simple numbers, so
 * that a shrunk counterexample is a worked example a person can check by hand.
 *
 * Numbers are mostly quarters k/4 in [-2, 2] (exact in binary and in decimal), sometimes
 * hundredths, sometimes a full double in [-2, 2]; every number shrinks toward 0 and across to the
 * quarters (`withCrossShrink`). Targets are 0 or 1, quarters, or hundredths in [0, 1]. With
 * `saturating`, weights and biases may also be integers up to 100, so that |S| reaches the
 * hundreds: a float64 claim meets saturation, and shrinking finds the smallest |S| that breaks it.
 * Like `src/generate`, the structure and fixed-size pools of numbers are drawn independently (no
 * `chain`), so sizes and numbers shrink separately.
 */
import fc from 'fast-check';
import type { Batch, Case, Layer, Network, Reduction } from '../network/types.js';
import { inFamily, type ClaimFamily } from './family.js';

/** Options of {@link claimCaseArbitrary}. */
export interface ClaimArbitraryOptions {
  /** Depths to draw from (non-empty). */
  readonly depths: readonly number[];
  /** Widths are 1..maxWidth (default 3). */
  readonly maxWidth?: number;
  /** Batch sizes are 1..maxBatch (default 3). */
  readonly maxBatch?: number;
  readonly reduction: Reduction;
  /** `true`: every layer has a bias; `'any'` (default): each may or may not. */
  readonly bias?: 'any' | true;
  /** Also integer weights and biases up to 100 (default false). */
  readonly saturating?: boolean;
  /**
   * The networks' family (default: version 1, no family fields) and the claim's layer in a network
   * of L layers (default the output). A cce family's target rows are probability rows of quarters.
   */
  readonly family?: ClaimFamily;
  readonly layerIndex?: (L: number) => number;
}

/**
 * A cce target row from the pool's targets t_k in [0, 1]: quarters a_k = round(4 t_k) of the unit
 * mass taken in order while they last, the rest to the last unit (all-zero pool: one-hot last).
 */
function probabilityRow(pool: readonly number[]): number[] {
  let left = 4;
  const row = pool.map((t, k) => {
    if (k === pool.length - 1) return left / 4;
    const a = Math.min(Math.round(4 * t), left);
    left -= a;
    return a / 4;
  });
  return row;
}

/** 0, 1, -1, 2, -2, ...: integers 0..2n in an order that shrinks to the positive value first. */
function zigzag(n: number, scale: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 2 * n }).map((k) => (k % 2 === 1 ? (k + 1) / 2 : -k / 2) / scale + 0);
}

/** Quarters, hundredths or full doubles in [-2, 2], shrinking toward 0 (positive first) and to quarters. */
export function simpleValue(): fc.Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: zigzag(8, 4), weight: 4 },
    { arbitrary: zigzag(200, 100), weight: 2 },
    { arbitrary: fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), weight: 1 },
  );
}

/** A target in [0, 1]: 0 or 1, a quarter, or a hundredth; shrinks toward 0. */
export function simpleTarget(): fc.Arbitrary<number> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constantFrom(0, 1), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: 4 }).map((k) => k / 4), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 100 }).map((k) => k / 100), weight: 1 },
  );
}

/** A weight: simple, or with `saturating` also an integer in [-100, 100]. */
function weightValue(saturating: boolean): fc.Arbitrary<number> {
  if (!saturating) return simpleValue();
  return fc.oneof({ withCrossShrink: true }, { arbitrary: simpleValue(), weight: 1 }, { arbitrary: zigzag(100, 1), weight: 2 });
}

function fixed<T>(arb: fc.Arbitrary<T>, length: number): fc.Arbitrary<T[]> {
  return fc.array(arb, { minLength: length, maxLength: length });
}

function get<T>(values: readonly T[], index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`claims: pool too short (no entry ${index})`);
  return value;
}

/**
 * Cases of `depths` layers, widths 1..maxWidth, batch 1..maxBatch, the given reduction.
 * @throws RangeError when `depths` is empty or a size is not a positive integer.
 */
export function claimCaseArbitrary(options: ClaimArbitraryOptions): fc.Arbitrary<Case> {
  const { depths, maxWidth = 3, maxBatch = 3, reduction, bias = 'any', saturating = false, family, layerIndex = (L: number) => L - 1 } = options;
  const rows = family?.loss === 'cce';
  if (depths.length === 0 || ![...depths, maxWidth, maxBatch].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`claims: depths must be non-empty and sizes positive integers`);
  }
  const deepest = Math.max(...depths);
  const structure = fc.record({
    layers: fc.constantFrom(...depths),
    widths: fixed(fc.integer({ min: 1, max: maxWidth }), deepest + 1),
    size: fc.integer({ min: 1, max: maxBatch }),
    bias: bias === true ? fc.constant(new Array<boolean>(deepest).fill(true)) : fixed(fc.boolean(), deepest),
  });
  const layerPool = fc.record({ w: fixed(weightValue(saturating), maxWidth * maxWidth), b: fixed(weightValue(saturating), maxWidth) });
  const batchPool = fc.record({ x: fixed(simpleValue(), maxBatch * maxWidth), t: fixed(simpleTarget(), maxBatch * maxWidth) });
  return fc.tuple(structure, fixed(layerPool, deepest), batchPool).map(([s, pools, data]) => {
    const layers: Layer[] = [];
    for (let l = 0; l < s.layers; l++) {
      const nIn = get(s.widths, l);
      const nOut = get(s.widths, l + 1);
      const pool = get(pools, l);
      const W = new Float64Array(nIn * nOut);
      for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) W[j * nOut + i] = get(pool.w, j * maxWidth + i);
      const b = get(s.bias, l) ? Float64Array.from({ length: nOut }, (_, i) => get(pool.b, i)) : null;
      layers.push({ nIn, nOut, W, b });
    }
    const plain: Network = { layers, reduction };
    const network = family ? inFamily(family, plain, layerIndex(s.layers)) : plain;
    const nIn = get(s.widths, 0);
    const nOut = get(s.widths, s.layers);
    const X = new Float64Array(s.size * nIn);
    const T = new Float64Array(s.size * nOut);
    for (let q = 0; q < s.size; q++) {
      for (let j = 0; j < nIn; j++) X[q * nIn + j] = get(data.x, q * maxWidth + j);
      if (rows) T.set(probabilityRow(Array.from({ length: nOut }, (_, i) => get(data.t, q * maxWidth + i))), q * nOut);
      else for (let i = 0; i < nOut; i++) T[q * nOut + i] = get(data.t, q * maxWidth + i);
    }
    const batch: Batch = { size: s.size, nIn, nOut, X, T };
    return { network, batch };
  });
}
