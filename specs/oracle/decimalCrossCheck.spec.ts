import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary } from '../../src/generate/index.js';
import { createContext, decimalNetwork, finiteDifferences, oracle, oracleBackward, oracleForward, type Decimal } from '../../src/oracle/index.js';
import { decimalDigits } from '../../src/compare/index.js';

/**
 * The fast oracle core (BigInt binary floats, src/oracle/core.ts) against the plain decimal.js
 * implementation of the same formulas (forward.ts, backward.ts, finiteDifference.ts), kept as an
 * independent second implementation: loss, Z, deltas, gradients, magnitudes and finite
 * differences agree to 45 digits relative to scale on generated networks of every class.
 */

const ctx = createContext(50);
const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 60);
const MIN = 45;

function agree(a: readonly Decimal[], b: readonly Decimal[], scale: readonly Decimal[]): number {
  let worst = Infinity;
  a.forEach((x, k) => {
    worst = Math.min(worst, decimalDigits(x, b[k]!, scale[k]!.isZero() ? b[k]!.abs() : scale[k]!));
  });
  return worst;
}

describe('the fast oracle core equals the plain decimal.js oracle', () => {
  it(`forward, loss, backward, magnitudes and finite differences agree to ${MIN} digits`, () => {
    fc.assert(
      fc.property(caseArbitrary({ maxLayers: 3, maxWidth: 4, maxBatch: 2 }), ({ network, batch }) => {
        const fast = oracle(network, batch, { precision: ctx });
        const params = decimalNetwork(ctx, network);
        const forward = oracleForward(ctx, network, batch, params);
        const backward = oracleBackward(ctx, network, batch, params, forward);
        const fd = finiteDifferences(ctx, network, batch, params, forward);
        expect(decimalDigits(fast.forward.loss, forward.loss, forward.loss.isZero() ? ctx.one : forward.loss)).toBeGreaterThanOrEqual(MIN);
        forward.Z.forEach((Z, l) => {
          expect(agree(fast.forward.Z[l]!, Z, Z)).toBeGreaterThanOrEqual(MIN);
          expect(agree(fast.forward.Zc[l]!, forward.Zc[l]!, forward.Zc[l]!)).toBeGreaterThanOrEqual(MIN);
          expect(agree(fast.backward.delta[l]!, backward.delta[l]!, backward.deltaMagnitude[l]!)).toBeGreaterThanOrEqual(MIN);
        });
        backward.layers.forEach((g, l) => {
          const m = backward.magnitudes[l]!;
          expect(agree(fast.backward.layers[l]!.W, g.W, m.W)).toBeGreaterThanOrEqual(MIN);
          expect(agree(fast.backward.magnitudes[l]!.W, m.W, m.W)).toBeGreaterThanOrEqual(MIN);
          expect(agree(fast.fd!.layers[l]!.W, fd.layers[l]!.W, m.W)).toBeGreaterThanOrEqual(MIN - 5);
          if (g.b) {
            expect(agree(fast.backward.layers[l]!.b!, g.b, m.b!)).toBeGreaterThanOrEqual(MIN);
            expect(agree(fast.fd!.layers[l]!.b!, fd.layers[l]!.b!, m.b!)).toBeGreaterThanOrEqual(MIN - 5);
          }
        });
        return true;
      }),
      { seed: 777, numRuns: RUNS },
    );
  });

  it('the truncation estimate of the plain finite differences is tiny', () => {
    const [c] = fc.sample(caseArbitrary({ maxLayers: 2, maxWidth: 3, classes: ['typical'] }), { seed: 5, numRuns: 1 });
    const params = decimalNetwork(ctx, c!.network);
    const forward = oracleForward(ctx, c!.network, c!.batch, params);
    const fd = finiteDifferences(ctx, c!.network, c!.batch, params, forward, { truncationEstimate: true });
    for (const layer of fd.truncation!) for (const e of layer) expect(e.lt('1e-40')).toBe(true);
  });
});
