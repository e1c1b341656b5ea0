import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary, MAGNITUDE_CLASSES, type MagnitudeClass } from '../../src/generate/index.js';
import { checkReference, referenceBound } from '../../src/compare/index.js';
import { backward, forward, loss } from '../../src/reference/index.js';
import { createContext, oracle, toDecimal } from '../helpers/oracle.js';

/**
 * Spec 3: the float64 reference equals the oracle within its derived error bound, for every loss
 * value, gradient entry and output, in every magnitude class (saturating and tiny included): never
 * a NaN or an infinity, never outside the bound. And the bound is tight enough to matter.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 200);
const ctx = createContext(50);
const anyCase = caseArbitrary();

describe('the float64 reference against the oracle, within the derived bound', () => {
  it('every loss value, gradient entry and output lies within its bound, finite, in every magnitude class', () => {
    const worst: Record<MagnitudeClass, number> = { typical: Infinity, zeros: Infinity, tiny: Infinity, saturating: Infinity };
    fc.assert(
      fc.property(anyCase, ({ network, batch, magnitude }) => {
        const check = checkReference(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false }));
        // digits are counted where the scale is a normal double well above underflow; below it the
        // bound's absolute underflow terms (multiples of 2^-1074) govern, and are checked all the same
        for (const e of check.entries) if (e.scale > 1e-290) worst[magnitude] = Math.min(worst[magnitude], e.digits);
        return check.entries.every((e) => Number.isFinite(e.value) && Number.isFinite(e.bound)) && check.violations.length === 0;
      }),
      { seed: 301, numRuns: RUNS },
    );
    // a stable float64 computation keeps at least 12 digits relative to scale in every class
    for (const cls of MAGNITUDE_CLASSES) expect(worst[cls], cls).toBeGreaterThan(12);
  });

  it('the bound catches gradients perturbed by one part in 1e12', () => {
    fc.assert(
      fc.property(anyCase, ({ network, batch }) => {
        const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
        const pass = forward(network, batch);
        const E = loss(network, batch, pass);
        const { layers } = backward(network, batch, pass);
        const bound = referenceBound(network, batch, pass, E);
        // scale every gradient entry by (1 + 1e-12): at least one entry must fall outside its bound
        let caught = false;
        layers.forEach((g, l) => {
          g.W.forEach((v, k) => {
            const perturbed = v * (1 + 1e-12);
            if (o.backward.layers[l]!.W[k]!.minus(toDecimal(ctx, perturbed)).abs().toNumber() > bound.layers[l]!.W[k]!) caught = true;
          });
        });
        fc.pre(layers.some((g) => g.W.some((v) => Math.abs(v) > 1e-290)));
        return caught;
      }),
      { seed: 302, numRuns: RUNS },
    );
  });

  it('the bound is within a few hundred ulps of the scale for typical networks (it is not loose)', () => {
    fc.assert(
      fc.property(caseArbitrary({ classes: ['typical'] }), ({ network, batch }) => {
        const check = checkReference(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false }));
        // bound / scale, the relative width of the acceptance window, stays below 1e-13
        return check.entries.every((e) => e.scale === 0 || e.bound / e.scale < 1e-13);
      }),
      { seed: 303, numRuns: RUNS },
    );
  });
});
