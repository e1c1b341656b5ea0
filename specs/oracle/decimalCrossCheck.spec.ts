import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { caseArbitraryForClass, MAGNITUDE_CLASSES, type MagnitudeClass } from '../../src/generate/index.js';
import { createContext, decimalNetwork, FAST_KERNEL, finiteDifferences, oracle, oracleBackward, oracleForward, type Decimal } from '../../src/oracle/index.js';
import { decimalDigits } from '../../src/compare/index.js';

/**
 * The fast oracle core (BigInt binary floats, src/oracle/core.ts) against the plain decimal.js
 * implementation of the same formulas (forward.ts, backward.ts, finiteDifference.ts), kept as an
 * independent second implementation: decimal.js's own exp and ln, its own sums, nothing of the
 * core. Loss, Z, Zc, deltas, gradients, magnitudes and finite differences agree to 45 digits
 * relative to scale (the finite differences to 40) on generated networks of every magnitude class
 * (the generator's, |S| up to 1000 in the saturating class), batches of 1 to 3 and both reductions.
 */

const ctx = createContext(50);
/** Cases per magnitude class; BACKPROP_ORACLE_RUNS for a longer run. */
const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 100);
const MIN = 45;

function agree(a: readonly Decimal[], b: readonly Decimal[], scale: readonly Decimal[]): number {
  let worst = Infinity;
  a.forEach((x, k) => {
    worst = Math.min(worst, decimalDigits(x, b[k]!, scale[k]!.isZero() ? b[k]!.abs() : scale[k]!));
  });
  return worst;
}

interface Seen {
  cases: number;
  worst: number;
  mean: number;
  batches: number;
  deep: number;
}

const seen = Object.fromEntries(MAGNITUDE_CLASSES.map((c) => [c, { cases: 0, worst: Infinity, mean: 0, batches: 0, deep: 0 }])) as Record<MagnitudeClass, Seen>;

describe('the fast oracle core equals the plain decimal.js oracle', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const [n, cls] of MAGNITUDE_CLASSES.entries()) {
    it(`${cls}: forward, loss, backward, magnitudes and finite differences agree to ${MIN} digits (${RUNS} cases)`, () => {
      const s = seen[cls];
      fc.assert(
        fc.property(caseArbitraryForClass(cls, { maxLayers: 3, maxWidth: 4, maxBatch: 3 }), ({ network, batch }) => {
          const fast = oracle(network, batch, { precision: ctx });
          const params = decimalNetwork(ctx, network);
          const forward = oracleForward(ctx, network, batch, params);
          const backward = oracleBackward(ctx, network, batch, params, forward);
          const fd = finiteDifferences(ctx, network, batch, params, forward);
          const digits: number[] = [decimalDigits(fast.forward.loss, forward.loss, forward.loss.isZero() ? ctx.one : forward.loss)];
          forward.Z.forEach((Z, l) => {
            digits.push(agree(fast.forward.Z[l]!, Z, Z), agree(fast.forward.Zc[l]!, forward.Zc[l]!, forward.Zc[l]!));
            digits.push(agree(fast.backward.delta[l]!, backward.delta[l]!, backward.deltaMagnitude[l]!));
          });
          backward.layers.forEach((g, l) => {
            const m = backward.magnitudes[l]!;
            digits.push(agree(fast.backward.layers[l]!.W, g.W, m.W), agree(fast.backward.magnitudes[l]!.W, m.W, m.W));
            expect(agree(fast.fd!.layers[l]!.W, fd.layers[l]!.W, m.W)).toBeGreaterThanOrEqual(MIN - 5);
            if (g.b) {
              digits.push(agree(fast.backward.layers[l]!.b!, g.b, m.b!));
              expect(agree(fast.fd!.layers[l]!.b!, fd.layers[l]!.b!, m.b!)).toBeGreaterThanOrEqual(MIN - 5);
            }
          });
          const worst = Math.min(...digits);
          expect(worst).toBeGreaterThanOrEqual(MIN);
          s.cases += 1;
          s.worst = Math.min(s.worst, worst);
          if (network.reduction === 'mean') s.mean += 1;
          if (batch.size > 1) s.batches += 1;
          if (network.layers.length === 3) s.deep += 1;
          return true;
        }),
        { seed: 777 + n, numRuns: RUNS },
      );
      // the run reached what it claims: every case checked, with mean reductions, batches and 3 layers among them
      expect(s.cases).toBe(RUNS);
      expect(Math.min(s.mean, s.batches, s.deep), JSON.stringify(s)).toBeGreaterThan(0);
    });
  }

  it('the plain oracle uses decimal.js exp and ln, never the fast kernel', () => {
    const P = Object.getPrototypeOf(ctx.one) as { exp: () => Decimal; ln: () => Decimal };
    const exp = vi.spyOn(P, 'exp');
    const ln = vi.spyOn(P, 'ln');
    const fastExp = vi.spyOn(FAST_KERNEL, 'exp');
    const fastLn = vi.spyOn(FAST_KERNEL, 'ln');
    const [c] = fc.sample(caseArbitraryForClass('saturating', { minLayers: 2, maxLayers: 2, maxWidth: 3 }), { seed: 7, numRuns: 1 });
    const params = decimalNetwork(ctx, c!.network);
    const forward = oracleForward(ctx, c!.network, c!.batch, params);
    finiteDifferences(ctx, c!.network, c!.batch, params, forward, { step: new ctx.D('0.01') }); // a step large enough for exp, not the series
    const units = c!.network.layers.reduce((n, l) => n + l.nOut, 0) * c!.batch.size;
    expect(exp.mock.calls.length).toBeGreaterThanOrEqual(units);
    expect(ln.mock.calls.length).toBeGreaterThan(0);
    expect(fastExp).not.toHaveBeenCalled();
    expect(fastLn).not.toHaveBeenCalled();
  });

  it('the truncation estimate of the plain finite differences is tiny', () => {
    const [c] = fc.sample(caseArbitraryForClass('typical', { maxLayers: 2, maxWidth: 3 }), { seed: 5, numRuns: 1 });
    const params = decimalNetwork(ctx, c!.network);
    const forward = oracleForward(ctx, c!.network, c!.batch, params);
    const fd = finiteDifferences(ctx, c!.network, c!.batch, params, forward, { truncationEstimate: true });
    for (const layer of fd.truncation!) for (const e of layer) expect(e.lt('1e-40')).toBe(true);
  });
});
