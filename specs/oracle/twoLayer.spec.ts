import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary, MAGNITUDE_CLASSES, type MagnitudeClass } from '../../src/generate/index.js';
import { createContext, decimalDigits, oracle, parameterFiniteDifferences, type Decimal } from '../helpers/oracle.js';

/**
 * Spec 2: the 2-layer network of the derivation (input -> hidden -> output). The oracle's analytic
 * gradients of both layers equal its finite differences to >= 20 digits relative to each entry's
 * magnitude, over generated networks of every magnitude class, with and without bias, both reductions.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 200);
const MIN_DIGITS = 20;
const ctx = createContext(50);
const twoLayers = caseArbitrary({ minLayers: 2, maxLayers: 2 });

interface Agreement {
  worst: number;
}

function agree(analytic: (Decimal[] | null)[], fd: (Decimal[] | null)[], scale: (Decimal[] | null)[], into: Agreement): boolean {
  return analytic.every((values, l) =>
    (values ?? []).every((a, k) => {
      const digits = decimalDigits(a, fd[l]![k]!, scale[l]![k]!);
      into.worst = Math.min(into.worst, digits);
      return digits >= MIN_DIGITS;
    }),
  );
}

describe('the 2-layer network: analytic gradients equal finite differences', () => {
  it(`through the pre-activations, in both layers, to ${MIN_DIGITS} digits, for every magnitude class`, () => {
    // version 1's classes (the generator's stress classes are not drawn here)
    const worst: Partial<Record<MagnitudeClass, Agreement>> = { typical: { worst: Infinity }, zeros: { worst: Infinity }, tiny: { worst: Infinity }, saturating: { worst: Infinity } };
    fc.assert(
      fc.property(twoLayers, ({ network, batch, magnitude }) => {
        const o = oracle(network, batch, { precision: ctx });
        const { layers, magnitudes } = o.backward;
        const fd = o.fd!.layers;
        return (
          agree(layers.map((g) => g.W), fd.map((g) => g.W), magnitudes.map((g) => g.W), worst[magnitude]!) &&
          agree(layers.map((g) => g.b), fd.map((g) => g.b), magnitudes.map((g) => g.b), worst[magnitude]!)
        );
      }),
      { seed: 201, numRuns: RUNS },
    );
    for (const cls of MAGNITUDE_CLASSES) expect(worst[cls]!.worst, cls).toBeGreaterThanOrEqual(MIN_DIGITS);
  });

  it(`per parameter, the textbook way (W_ji +- h), to ${MIN_DIGITS} digits`, () => {
    fc.assert(
      fc.property(twoLayers, ({ network, batch }) => {
        const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
        const fd = parameterFiniteDifferences(ctx, network, batch, o.params, o.forward);
        const { layers, magnitudes } = o.backward;
        const sink = { worst: Infinity };
        return (
          agree(layers.map((g) => g.W), fd.map((g) => g.W), magnitudes.map((g) => g.W), sink) &&
          agree(layers.map((g) => g.b), fd.map((g) => g.b), magnitudes.map((g) => g.b), sink)
        );
      }),
      { seed: 202, numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('the truncation error of the finite differences is far below the 20 digits claimed', () => {
    fc.assert(
      fc.property(twoLayers, ({ network, batch }) => {
        const o = oracle(network, batch, { precision: ctx, truncationEstimate: true });
        // |D(h) - D(2h)| / 3 estimates D(h)'s truncation error; compare with the entry's own magnitude
        return o.fd!.truncation!.every((perS, l) =>
          perS.every((e, k) => {
            const d = o.backward.delta[l]![k]!;
            const m = o.backward.deltaMagnitude[l]![k]!;
            return m.isZero() ? e.isZero() || d.isZero() : e.div(m).lt('1e-30');
          }),
        );
      }),
      { seed: 203, numRuns: 50 },
    );
  });
});
