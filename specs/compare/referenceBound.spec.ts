import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary, MAGNITUDE_CLASSES, mixedSaturationArbitrary, type MagnitudeClass } from '../../src/generate/index.js';
import { checkReference, referenceBound } from '../../src/compare/index.js';
import { backward, forward, loss } from '../../src/reference/index.js';
import { createContext, oracle, toDecimal } from '../helpers/oracle.js';
import type { Batch, Network } from '../../src/network/types.js';

/**
 * Spec 3: the float64 reference equals the oracle within its derived error bound, for every loss
 * value, gradient entry and output, in every magnitude class (saturating and tiny included; the
 * saturating cases are checked to reach |S| > 900), and on cases mixing a saturated layer with a
 * typical one: never a NaN or an infinity, never outside the bound. And the bound is tight enough
 * to matter.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 200);

/** The largest |S| over every layer, sample and unit of a case (the reference's forward pass). */
function maxAbsS(network: Network, batch: Batch): number {
  return forward(network, batch).S.reduce((m, layer) => layer.reduce((n, x) => Math.max(n, Math.abs(x)), m), 0);
}

const ctx = createContext(50);
const anyCase = caseArbitrary();

describe('the float64 reference against the oracle, within the derived bound', () => {
  it('every loss value, gradient entry and output lies within its bound, finite, in every magnitude class', () => {
    const worst: Partial<Record<MagnitudeClass, number>> = { typical: Infinity, zeros: Infinity, tiny: Infinity, saturating: Infinity };
    const saturatedMaxS: number[] = [];
    fc.assert(
      fc.property(anyCase, ({ network, batch, magnitude }) => {
        if (magnitude === 'saturating') saturatedMaxS.push(maxAbsS(network, batch));
        const check = checkReference(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false }));
        // digits are counted where the scale is a normal double well above underflow; below it the
        // bound's absolute underflow terms (multiples of 2^-1074) govern, and are checked all the same
        for (const e of check.entries) if (e.scale > 1e-290) worst[magnitude] = Math.min(worst[magnitude] ?? Infinity, e.digits);
        return check.entries.every((e) => Number.isFinite(e.value) && Number.isFinite(e.bound)) && check.violations.length === 0;
      }),
      { seed: 301, numRuns: RUNS },
    );
    // a stable float64 computation keeps at least 12 digits relative to scale in every class
    for (const cls of MAGNITUDE_CLASSES) expect(worst[cls], cls).toBeGreaterThan(12);
    // and "saturating included" means the range the class claims: |S| up to 1000 was reached
    expect(Math.max(...saturatedMaxS)).toBeGreaterThan(900);
    expect(saturatedMaxS.filter((m) => m > 500).length / saturatedMaxS.length).toBeGreaterThan(0.3);
  });

  it('the same on cases mixing a saturated layer with a typical one, |S| up to 1000 next to |S| of order 1', () => {
    let worst = Infinity;
    const maxima: number[] = [];
    const typicalAboveSaturated: number[] = [];
    fc.assert(
      fc.property(mixedSaturationArbitrary(), ({ network, batch }) => {
        const S = forward(network, batch).S.map((layer) => layer.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
        maxima.push(Math.max(...S));
        for (let l = 1; l < S.length; l++) if (S[l - 1]! > 30 && S[l]! < 5) typicalAboveSaturated.push(S[l]!);
        const check = checkReference(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false }));
        for (const e of check.entries) if (e.scale > 1e-290) worst = Math.min(worst, e.digits);
        return check.entries.every((e) => Number.isFinite(e.value) && Number.isFinite(e.bound)) && check.violations.length === 0;
      }),
      { seed: 304, numRuns: RUNS },
    );
    expect(worst).toBeGreaterThan(12);
    expect(Math.max(...maxima)).toBeGreaterThan(900);
    expect(typicalAboveSaturated.length / RUNS).toBeGreaterThan(0.2);
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
