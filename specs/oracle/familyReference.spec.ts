import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CaseOracle, createContext } from '../../src/oracle/api.js';
import { referenceGradients } from '../../src/reference/index.js';
import { families, familyArbitrary, familyName } from '../helpers/families.js';

/**
 * A sanity check of the oracle against the float64 reference (src/reference, itself made of the
 * layer modules) on typical networks of every version-2 family: loss, gradients and outputs agree
 * to about 1e-12 relative to each entry's magnitude (the proven per-entry bound is
 * src/compare's, checked by its own specs). Two independent computations that share only the
 * modules' formulas: a wrong oracle branch (a head's terms per row, a softmax forward, a slope of
 * the wrong layer) shows here at once.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 6);
const ctx = createContext(40);
const RELATIVE = 1e-12;

describe('the oracle agrees with the float64 reference on typical networks of every family', () => {
  for (const family of families()) {
    it(`${familyName(family)}: loss, gradients and outputs within ${RELATIVE} of their magnitude`, () => {
      let worst = 0;
      fc.assert(
        fc.property(familyArbitrary(family, { classes: ['typical'], maxLayers: 6, mseTargets: 'typical' }), ({ network, batch }) => {
          const o = CaseOracle.of(ctx, network, batch);
          const ref = referenceGradients(network, batch);
          const check = (value: number, exact: ReturnType<CaseOracle['exact']>, scale: number): boolean => {
            const e = exact.distanceTo(value);
            // relative where the scale is a normal number (a tiny alpha makes subnormal gradients: the 1e-300 absolute floor)
            if (scale > 1e-280) worst = Math.max(worst, e / scale);
            return e <= RELATIVE * scale + 1e-300;
          };
          if (!check(ref.loss, o.exact({ kind: 'loss' }), Math.abs(o.exact({ kind: 'loss' }).toNumber()))) return false;
          for (let k = 0; k < o.parameterCount; k++) {
            const where = o.layout.locate(k);
            const layer = ref.layers[where.kind === 'weight' || where.kind === 'bias' ? where.layer : 0]!;
            const value = where.kind === 'weight' ? layer.W[where.j * network.layers[where.layer]!.nOut + where.i]! : where.kind === 'bias' ? layer.b![where.i]! : NaN;
            if (!check(value, o.exact(where), o.magnitude(where).toNumber())) return false;
          }
          const nL = network.layers[network.layers.length - 1]!.nOut;
          for (let sample = 0; sample < batch.size; sample++) {
            for (let i = 0; i < nL; i++) {
              const z = o.exact({ kind: 'output', sample, i });
              if (!check(ref.outputs[sample * nL + i]!, z, Math.abs(z.toNumber()))) return false;
            }
          }
          return true;
        }),
        { seed: 1202, numRuns: RUNS },
      );
      expect(worst).toBeLessThanOrEqual(RELATIVE);
      console.log(`${familyName(family)}: worst |reference - oracle| / magnitude ${worst.toExponential(2)}`);
    }, 600_000);
  }
});
