import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alignedZeroCase,
  analyseDecay,
  decayViolations,
  decimalArithmetic,
  FLOAT64,
  oracleDecay,
  oracleDecayInput,
  referenceDecay,
  referenceDecayInput,
  underflowAllowance,
} from '../../src/decay/index.js';
import { caseArbitrary, caseArbitraryForClass } from '../../src/generate/index.js';
import { parseBatch, parseNetwork } from '../../src/network/validate.js';
import { widths } from '../../src/network/shape.js';
import { createContext, decimalDigits, oracle } from '../helpers/oracle.js';

/**
 * Spec 3 of issue 5: the layer recursion delta^(l) = sigma'(S^(l)) (.) (W^(l+1) delta^(l+1)) and the
 * bounds that follow from it, with W^(l+1) the [n_l x n_(l+1)] matrix W[j][i] acting on delta^(l+1):
 *   ||delta^(l)_b||_2 <= (1/4) ||W^(l+1)||_F ||delta^(l+1)_b||_2 <= (1/4)^(L-l) prod_{m>l} ||W^(m)||_F ||delta^(L)_b||_2
 *   ||dE/dW^(l)||_F <= sum_b ||Y^(l-1)_b||_2 ||delta^(l)_b||_2 <= (1/4)^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b||
 * checked on every generated network and every layer: in decimal on the oracle's exact values, and in
 * float64 on the reference's (relative slack 1e-12, plus a few 2^-1074 where values underflow).
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 100);
const ctx = createContext(50);
const deep = caseArbitrary({ minLayers: 1, maxLayers: 10, maxWidth: 8, maxBatch: 3 });

describe('the layer recursion', () => {
  it('holds for the finite differences dE/dS, which do not use it: dE/dS^(l) = Z(1-Z) (.) (W^(l+1) dE/dS^(l+1)) to 20 digits', () => {
    let worst = Infinity;
    fc.assert(
      fc.property(caseArbitrary({ minLayers: 2, maxLayers: 10, maxWidth: 4, maxBatch: 2 }), ({ network, batch }) => {
        const o = oracle(network, batch, { precision: ctx });
        const dS = o.fd!.preActivation;
        for (let l = 0; l + 1 < network.layers.length; l++) {
          const { nIn, nOut } = network.layers[l + 1]!; // W^(l+1): n_l x n_(l+1)
          const W = o.params.W[l + 1]!;
          for (let b = 0; b < batch.size; b++) {
            for (let j = 0; j < nIn; j++) {
              let g = ctx.zero;
              for (let i = 0; i < nOut; i++) g = g.plus(W[j * nOut + i]!.times(dS[l + 1]![b * nOut + i]!));
              const k = b * nIn + j;
              const recursion = o.forward.Z[l]![k]!.times(o.forward.Zc[l]![k]!).times(g);
              worst = Math.min(worst, decimalDigits(dS[l]![k]!, recursion, o.backward.deltaMagnitude[l]![k]!));
            }
          }
        }
        return worst >= 20;
      }),
      { seed: 530, numRuns: Math.ceil(RUNS / 2) },
    );
    expect(worst).toBeGreaterThanOrEqual(20);
  });
});

describe('the decay bound', () => {
  it('is never violated, on any generated network, layer or sample: exactly (decimal) and in float64', () => {
    let layers = 0;
    fc.assert(
      fc.property(deep, ({ network, batch }) => {
        const exact = oracleDecay(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false }));
        const float = referenceDecay(network, batch);
        layers += exact.length;
        expect(decayViolations(decimalArithmetic(ctx), exact)).toEqual([]);
        expect(decayViolations(FLOAT64, float, underflowAllowance(float, widths(network), batch.size))).toEqual([]);
      }),
      { seed: 531, numRuns: RUNS },
    );
    expect(layers).toBeGreaterThan(2 * RUNS);
  });

  it('would be violated with a factor below 1/4: the check can fail', () => {
    const { network, batch } = alignedZeroCase({ widths: [2, 4, 4, 2], weights: [1, -0.5, 2] });
    const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
    const input = oracleDecayInput(network, batch, o);
    const exact = decimalArithmetic(ctx);
    expect(decayViolations(exact, analyseDecay(exact, input))).toEqual([]);
    const violated = decayViolations({ ...exact, quarter: new ctx.D('0.2499') }, analyseDecay({ ...exact, quarter: new ctx.D('0.2499') }, input));
    expect(new Set(violated.map((v) => `${v.layer} ${v.inequality}`))).toEqual(new Set(['1 step', '1 delta', '1 gradient', '2 step', '2 delta', '2 gradient']));
    // in float64, a delta 1e-9 too large in one layer is caught as well
    const float = referenceDecayInput(network, batch);
    const delta = float.delta.map((d, l) => (l === 1 ? Float64Array.from(d, (x) => x * (1 + 1e-9)) : d));
    const caught = decayViolations(FLOAT64, analyseDecay(FLOAT64, { ...float, delta }));
    expect(caught.map((v) => `${v.layer} ${v.inequality}`)).toEqual(['2 step', '2 delta']);
  });

  it('needs its underflow allowance in float64 where values are subnormal, and in decimal none', () => {
    // weights 1e-161 above the first layer: its delta is 5e-324, the smallest subnormal, while the
    // product bound (1/4)^2 1e-161 1e-161 ||delta^(L)|| rounds to 0 in float64
    const network = parseNetwork({ layers: [{ weights: [[1]] }, { weights: [[1e-161]] }, { weights: [[1e-161]] }] });
    const batch = parseBatch({ inputs: [[1]], targets: [[0]] }, network);
    const float = referenceDecay(network, batch);
    expect(float[0]!.deltaNorms[0]).toBe(5e-324);
    expect(decayViolations(FLOAT64, float).map((v) => `${v.layer} ${v.inequality} ${v.actual} > ${v.bound}`)).toEqual(['1 delta 5e-324 > 0', '1 gradient 5e-324 > 0']);
    expect(decayViolations(FLOAT64, float, underflowAllowance(float, widths(network), batch.size))).toEqual([]);
    expect(decayViolations(decimalArithmetic(ctx), oracleDecay(network, batch, oracle(network, batch, { precision: ctx, finiteDifferences: false })))).toEqual([]);
  });

  it('allows for underflow in float64 only a few multiples of 2^-1074 on ordinary networks', () => {
    fc.assert(
      fc.property(caseArbitraryForClass('typical', { maxLayers: 10, maxWidth: 8 }), ({ network, batch }) => {
        const float = referenceDecay(network, batch);
        const allowance = underflowAllowance(float, widths(network), batch.size);
        const largest = Math.max(...allowance.step, ...allowance.delta, ...allowance.outer, ...allowance.gradient);
        expect(largest).toBeLessThan(1e-300);
      }),
      { seed: 532, numRuns: RUNS },
    );
  });
});
