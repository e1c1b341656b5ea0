/**
 * Probe networks: a few fixed cases with "generic" numbers (no zeros, no symmetries, soft
 * targets), on which two formulas that agree are taken to be the same formula. The factor
 * analysis decides which of a claim's factors stand for which factor of the chain rule here, not
 * on the (deliberately simple) counterexample, where coincidences such as Z(1-Z) = 1/4 abound.
 */
import type { Case, Layer } from '../network/types.js';
import { inFamily, type ClaimFamily } from './family.js';

/** A deterministic xorshift32 stream of numbers in [lo, hi], rounded to 6 decimals. */
function stream(seed: number): (lo: number, hi: number) => number {
  let x = seed >>> 0 || 1;
  return (lo, hi) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return Number((lo + ((hi - lo) * x) / 0xffffffff).toFixed(6));
  };
}

/**
 * `count` probe cases of `depth` layers: widths 2, 3, 2, 3, ... ending in 2 outputs, batch 2,
 * every layer with a bias, weights in [-1.5, 1.5] away from 0, targets in [0.1, 0.9]. With a
 * `family` (the claim's layer at `layerIndex(depth)`), the networks are of it; a cce target row is
 * (t, 1 - t) with t in [0.5, 0.9] (1 - t exact in float64), the larger share on either unit.
 */
export function probeCases(depth: number, reduction: 'sum' | 'mean', count = 2, family?: ClaimFamily, layerIndex: (L: number) => number = (L) => L - 1): Case[] {
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const next = stream(0x9e3779b9 + 7919 * c);
    const nonzero = (): number => {
      const x = next(0.2, 1.5);
      return next(0, 1) < 0.5 ? -x : x;
    };
    const widths = Array.from({ length: depth + 1 }, (_, l) => (l === depth ? 2 : l % 2 === 0 ? 2 : 3));
    const layers: Layer[] = [];
    for (let l = 0; l < depth; l++) {
      const nIn = widths[l]!;
      const nOut = widths[l + 1]!;
      layers.push({ nIn, nOut, W: Float64Array.from({ length: nIn * nOut }, nonzero), b: Float64Array.from({ length: nOut }, nonzero) });
    }
    const size = 2;
    const X = Float64Array.from({ length: size * widths[0]! }, nonzero);
    const T = Float64Array.from({ length: size * widths[depth]! }, () => next(0.1, 0.9));
    if (family?.loss === 'cce') {
      for (let q = 0; q < size; q++) {
        const t = next(0.5, 0.9);
        const hot = (q + c) % 2;
        T[2 * q + hot] = t;
        T[2 * q + 1 - hot] = 1 - t;
      }
    }
    const plain = { layers, reduction };
    cases.push({ network: family ? inFamily(family, plain, layerIndex(depth)) : plain, batch: { size, nIn: widths[0]!, nOut: widths[depth]!, X, T } });
  }
  return cases;
}
