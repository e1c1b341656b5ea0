import type { Case, Network } from '../../src/network/types.js';

/** A fixed-seed 50-30-10 network and one sample (uniform weights in +-1/sqrt(fan-in), inputs in [0, 1)). */
export function midCase(sizes = [50, 30, 10], seed = 7): Case {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const layers: Network['layers'] = sizes.slice(1).map((nOut, l) => {
    const nIn = sizes[l]!;
    const r = 1 / Math.sqrt(nIn);
    return { nIn, nOut, W: Float64Array.from({ length: nIn * nOut }, () => (2 * rand() - 1) * r), b: Float64Array.from({ length: nOut }, () => (2 * rand() - 1) * 0.1) };
  });
  const nL = sizes[sizes.length - 1]!;
  const hot = 3 % nL;
  return {
    network: { layers, reduction: 'sum' },
    batch: { size: 1, nIn: sizes[0]!, nOut: nL, X: Float64Array.from({ length: sizes[0]! }, () => rand()), T: Float64Array.from({ length: nL }, (_, i) => (i === hot ? 1 : 0)) },
  };
}

