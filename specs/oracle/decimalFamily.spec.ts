import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createContext, decimalNetwork, finiteDifferences, oracle, oracleBackward, oracleForward, type Decimal } from '../../src/oracle/index.js';
import { decimalDigits } from '../../src/compare/index.js';
import { families, familyArbitrary, familyName } from '../helpers/families.js';

/**
 * The plain decimal.js cross-check (src/oracle/forward.ts, backward.ts: its own textbook tanh,
 * rectifiers, softmax with the max shift, cce by log-sum-exp and mse, decimal.js's exp and ln,
 * nothing of the layer modules or the BigFloat core) against the BigFloat oracle on every
 * version-2 family: loss, Z, Zc, deltas, gradients and magnitudes agree to 45 digits relative to
 * scale, less log10 of 4 times the largest |S| (decimal.js's S is rounded to 50 digits, and e^-|S| is
 * conditioned |S|; the figures printed are the digits plus that allowance). Its finite differences stay version 1's only, and say so.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 4);
const ctx = createContext(50);
const MIN = 45;

function agree(a: readonly Decimal[], b: readonly Decimal[], scale?: readonly Decimal[]): number {
  let worst = Infinity;
  a.forEach((x, k) => {
    const s = scale ? scale[k]! : b[k]!.abs();
    worst = Math.min(worst, decimalDigits(x, b[k]!, s.isZero() ? b[k]!.abs() : s));
  });
  return worst;
}

describe('the plain decimal cross-check equals the BigFloat oracle on every version-2 family', () => {
  for (const family of families()) {
    it(`${familyName(family)}: forward, loss and backward to ${MIN} digits`, () => {
      let worst = Infinity;
      fc.assert(
        fc.property(familyArbitrary(family, { maxLayers: 6 }), ({ network, batch }) => {
          const params = decimalNetwork(ctx, network);
          const pass = oracleForward(ctx, network, batch, params);
          // decimal.js holds S to 50 digits, and e^-|S| (Zc of a saturated unit, the losses' log1p) is
          // conditioned |S|: rectifier and linear layers reach |S| ~ 1e5 in the saturating class
          let biggest = 1;
          for (const Sl of pass.S) for (const x of Sl) biggest = Math.max(biggest, Math.abs(x.toNumber()));
          // beyond |S| = 1e14 (deep linear layers) e^-2|S| nears the BigFloat range's end, 2^-(2^51), held as 0 there (README, "Extreme inputs")
          if (biggest > 1e14) return true;
          const core = oracle(network, batch, { precision: ctx, finiteDifferences: false });
          const back = oracleBackward(ctx, network, batch, params, pass);
          // mse's terms (Z - t)^2 cancel in Z - t for a saturated tanh output at t = +-1 in both oracles
          // (the module forms Z - t from Z, not from 1 - |Z|): judged against (|Z| + |t|)^2 there
          const mse = network.loss === 'mse';
          const termScale = mse ? core.forward.terms.map((_, k) => core.forward.Z[network.layers.length - 1]![k]!.abs().plus(core.forward.T[k]!.abs()).pow(2)) : undefined;
          const lossScale = termScale ? [termScale.reduce((a, b) => a.plus(b), ctx.zero)] : undefined;
          const digits = [
            agree([pass.loss], [core.forward.loss], lossScale),
            agree(pass.terms, core.forward.terms, termScale),
            ...network.layers.flatMap((_, l) => [
              agree(pass.Z[l]!, core.forward.Z[l]!),
              agree(pass.Zc[l]!, core.forward.Zc[l]!),
              agree(back.delta[l]!, core.backward.delta[l]!, core.backward.deltaMagnitude[l]!),
              agree(back.deltaMagnitude[l]!, core.backward.deltaMagnitude[l]!),
              agree(back.layers[l]!.W, core.backward.layers[l]!.W, core.backward.magnitudes[l]!.W),
            ]),
          ];
          const d = Math.min(...digits) + Math.log10(4 * biggest); // tanh takes e^-2|S|, squared
          worst = Math.min(worst, d);
          return d >= MIN;
        }),
        { seed: 1204, numRuns: RUNS },
      );
      console.log(`${familyName(family)}: plain decimal vs BigFloat, worst ${worst.toFixed(1)} digits`);
    }, 600_000);
  }

  it('its finite differences refuse a version-2 network, naming what they do not cover', () => {
    const network = { layers: [{ nIn: 1, nOut: 1, W: Float64Array.from([0.5]), b: null, activation: 'tanh' as const }], reduction: 'sum' as const, loss: 'mse' as const };
    const batch = { size: 1, nIn: 1, nOut: 1, X: Float64Array.from([1]), T: Float64Array.from([0.2]) };
    const params = decimalNetwork(ctx, network);
    const pass = oracleForward(ctx, network, batch, params);
    expect(() => finiteDifferences(ctx, network, batch, params, pass)).toThrow(/finite differences cover version 1's sigmoid \/ bce networks only, not this network's activations \(tanh\) and loss \(mse\)/);
  });
});
