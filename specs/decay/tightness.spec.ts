import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignedZeroCase, oracleDecay, ratiosByDepth, referenceDecay, type LayerDecay } from '../../src/decay/index.js';
import { caseArbitraryForClass } from '../../src/generate/index.js';
import type { Decimal } from '../../src/oracle/decimal.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * Spec 4 of issue 5: how tight the decay bound is. On the constructed family of `alignedZeroCase`
 * (every pre-activation exactly 0, rank-one weights W_ji = w (-1)^(i+j) along which every delta
 * points) every inequality of the bound is an equality, to the oracle's precision; off it the bound
 * is not attained; and on generated networks the ratio of actual to bounded norm is summarised per
 * depth L - l.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 100);
const ctx = createContext(50);

/** Correct digits of actual / bound = 1: -log10 |actual / bound - 1|. */
function digitsOfOne(actual: Decimal, bound: Decimal): number {
  const off = actual.div(bound).minus(1).abs();
  return off.isZero() ? Infinity : -off.log(10).toNumber();
}

/** The fewest digits to which any inequality of an exact analysis is an equality. */
function tightness(layers: readonly LayerDecay<Decimal>[]): number {
  let digits = Infinity;
  for (const d of layers) {
    d.deltaNorms.forEach((norm, b) => {
      if (d.stepBounds) digits = Math.min(digits, digitsOfOne(norm, d.stepBounds[b]!));
      digits = Math.min(digits, digitsOfOne(norm, d.deltaBounds[b]!));
    });
    digits = Math.min(digits, digitsOfOne(d.gradientNorm, d.outerBound), digitsOfOne(d.gradientNorm, d.gradientBound));
  }
  return digits;
}

const evenWidth = fc.constantFrom(2, 4, 6, 8);
const weightSize = fc.tuple(fc.boolean(), fc.double({ min: 1e-3, max: 1e3, noNaN: true })).map(([negative, w]) => (negative ? -w : w));
const aligned = fc
  .integer({ min: 1, max: 8 })
  .chain((L) =>
    fc.record({
      widths: fc.tuple(fc.array(evenWidth, { minLength: L, maxLength: L }), fc.integer({ min: 1, max: 8 })).map(([w, last]) => [...w, last]),
      weights: fc.array(weightSize, { minLength: L, maxLength: L }),
      inputs: fc.array(fc.double({ min: 1e-2, max: 1e2, noNaN: true }), { minLength: 1, maxLength: 3 }),
      reduction: fc.constantFrom('sum' as const, 'mean' as const),
    }),
  );

describe('tightness: networks on which the bound is attained', () => {
  it('every pre-activation is exactly 0, every sigma\' exactly 1/4, and every inequality an equality to 45 digits', () => {
    let worst = Infinity;
    fc.assert(
      fc.property(aligned, (options) => {
        const { network, batch } = alignedZeroCase(options);
        const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
        expect(o.forward.S.every((S) => S.every((s) => s.isZero()))).toBe(true);
        expect(o.forward.Z.every((Z, l) => Z.every((z, k) => z.times(o.forward.Zc[l]![k]!).eq(0.25)))).toBe(true);
        worst = Math.min(worst, tightness(oracleDecay(network, batch, o)));
        // float64 gets there too, to its own precision
        for (const d of referenceDecay(network, batch)) expect(Math.abs(d.log10Ratio)).toBeLessThan(1e-14);
      }),
      { seed: 540, numRuns: Math.ceil(RUNS / 2) },
    );
    expect(worst).toBeGreaterThanOrEqual(45);
  });

  it('is attained only there: a bias of 1e-3 in layer 2 (S != 0) puts layers 1-2 below it, one weight of layer 3 changed by 10% (not rank one) layers 1-3', () => {
    const base = alignedZeroCase({ widths: [4, 4, 4, 4, 2], weights: [1.5, -2, 0.75, 1] });
    const withBias = { ...base.network, layers: base.network.layers.map((layer, l) => (l === 1 ? { ...layer, b: new Float64Array(layer.nOut).fill(1e-3) } : layer)) };
    const bent = { ...base.network, layers: base.network.layers.map((layer, l) => (l === 2 ? { ...layer, W: layer.W.map((w, k) => (k === 0 ? 1.1 * w : w)) } : layer)) };
    for (const network of [withBias, bent]) {
      const layers = oracleDecay(network, base.batch, oracle(network, base.batch, { precision: ctx, finiteDifferences: false }));
      const below = layers.filter((d) => d.log10Ratio < -1e-9).map((d) => d.layer);
      expect(below).toEqual(network === withBias ? [1, 2] : [1, 2, 3]);
      expect(layers[3]!.log10Ratio).toBe(0); // the output layer of one sample: ||Y delta^T||_F = ||Y|| ||delta||
    }
  });

  it('is approached more loosely the more layers lie above: median ratio per depth on generated networks', () => {
    const all: LayerDecay<Decimal>[] = [];
    fc.assert(
      fc.property(caseArbitraryForClass('typical', { minLayers: 10, maxLayers: 10, maxWidth: 8, maxBatch: 1 }), ({ network, batch }) => {
        all.push(...oracleDecay(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false })));
      }),
      { seed: 541, numRuns: 25 }, // a fixed sample: the medians below are figures of it
    );
    const byDepth = ratiosByDepth(all);
    expect(byDepth.map((d) => d.above)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(byDepth[0]!.log10Ratio.max).toBeCloseTo(0, 40); // batch 1: attained at the output layer
    const medians = byDepth.map((d) => d.log10Ratio.median);
    for (let k = 1; k < medians.length; k++) expect(medians[k]!).toBeLessThan(medians[k - 1]!);
    expect(byDepth.every((d) => d.log10Ratio.max <= 1e-40)).toBe(true);
    if (process.env.BACKPROP_ORACLE_VERBOSE) console.info(byDepth.map((d) => `${d.above}: median ${d.log10Ratio.median.toFixed(2)}, ${d.log10Ratio.min.toFixed(2)} .. ${d.log10Ratio.max.toFixed(2)} (${d.log10Ratio.count})`).join('\n'));
  });
});
