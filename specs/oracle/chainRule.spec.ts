import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary, MAGNITUDE_CLASSES } from '../../src/generate/index.js';
import { createContext, decimalDigits, log1p, oracle, parameterFiniteDifferences, sigmoidPair, toDecimal, type Decimal } from '../helpers/oracle.js';

/**
 * Spec 1: each factor of the seed's chain rule, checked on its own against finite differences of
 * the function it differentiates, and their product dE/dW_ji = (Z_i - t_i) Y_j against finite
 * differences of the oracle's loss. One-layer networks ("sum" reduction, the derivation's form),
 * every magnitude class, >= 20 digits relative to the quantity's scale.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 200);
const MIN_DIGITS = 20;
const ctx = createContext(50);
// plain central differences of directly evaluated functions need room for cancellation: 90 digits, h = 1e-25
const wide = createContext(90);
const h = new wide.D('1e-25');

const oneLayer = caseArbitrary({ minLayers: 1, maxLayers: 1, reductions: ['sum'] });

describe('the chain rule of the derivation, factor by factor (one layer, every magnitude class)', () => {
  it(`dE/dZ_i = (Z_i - t_i) / (Z_i (1 - Z_i)) agrees with differences of the loss in Z to ${MIN_DIGITS} digits`, () => {
    fc.assert(
      fc.property(oneLayer, ({ network, batch }) => {
        const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
        const { Z, Zc } = { Z: o.forward.Z[0]!, Zc: o.forward.Zc[0]! };
        return Z.every((z, k) => {
          const zc = Zc[k]!;
          const t = o.forward.T[k]!;
          const one = ctx.one;
          // claim: (Z - t) / (Z (1 - Z)), with Z - t formed as (1-t) Z - t (1-Z)
          const claim = one.minus(t).times(z).minus(t.times(zc)).div(z.times(zc));
          const scale = one.minus(t).times(z).plus(t.times(zc)).div(z.times(zc));
          // E(Z) = -(t ln Z + (1-t) ln(1-Z)); moving Z by d changes it by -(t log1p(d/Z) + (1-t) log1p(-d/(1-Z)))
          const d = (z.lt(zc) ? z : zc).times('1e-25');
          const change = (dz: Decimal): Decimal => t.times(log1p(ctx, dz.div(z))).plus(one.minus(t).times(log1p(ctx, dz.neg().div(zc)))).neg();
          const fd = change(d).minus(change(d.neg())).div(d.times(2));
          return decimalDigits(claim, fd, scale) >= MIN_DIGITS;
        });
      }),
      { seed: 101, numRuns: RUNS },
    );
  });

  it(`dZ_i/dS_i = Z_i (1 - Z_i) agrees with central differences of sigma to ${MIN_DIGITS} digits`, () => {
    fc.assert(
      fc.property(oneLayer, ({ network, batch }) => {
        const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
        return o.forward.S[0]!.every((S, k) => {
          const claim = o.forward.Z[0]![k]!.times(o.forward.Zc[0]![k]!);
          // difference the small side of the pair (Zc for S >= 0, Z below), so no digits are lost in 1 - Z
          const Sw = new wide.D(S);
          const side = (x: Decimal): Decimal => (S.isNeg() ? sigmoidPair(wide, x).Z : sigmoidPair(wide, x).Zc.neg());
          const fd = side(Sw.plus(h)).minus(side(Sw.minus(h))).div(h.times(2));
          return decimalDigits(new wide.D(claim), fd, new wide.D(claim)) >= MIN_DIGITS;
        });
      }),
      { seed: 102, numRuns: RUNS },
    );
  });

  it('dS_i/dW_ji = Y_j agrees with central differences of S in W (exactly linear)', () => {
    fc.assert(
      fc.property(oneLayer, ({ network, batch }) => {
        const { nIn, nOut, W, b } = network.layers[0]!;
        const Wd = Array.from(W, (w) => toDecimal(wide, w));
        const Xd = Array.from(batch.X, (x) => toDecimal(wide, x));
        for (let s = 0; s < batch.size; s++) {
          for (let j = 0; j < nIn; j++) {
            const Y = Xd[s * nIn + j]!;
            for (let i = 0; i < nOut; i++) {
              const S = (shift: Decimal): Decimal => {
                let sum = b ? toDecimal(wide, b[i]!) : wide.zero;
                for (let q = 0; q < nIn; q++) {
                  const w = Wd[q * nOut + i]!;
                  sum = sum.plus(Xd[s * nIn + q]!.times(q === j ? w.plus(shift) : w));
                }
                return sum;
              };
              // a step that moves S by 1e-25 of its own size (Y_j may be 1e-300 or 0)
              const size = S(wide.zero).abs().plus(1);
              const step = Y.isZero() ? wide.one : size.times(h).div(Y.abs());
              const fd = S(step).minus(S(step.neg())).div(step.times(2));
              if (decimalDigits(Y, fd, Y.isZero() ? wide.one : Y.abs()) < MIN_DIGITS) return false;
            }
          }
        }
        return true;
      }),
      { seed: 103, numRuns: RUNS },
    );
  });

  it(`their product dE/dW_ji = (Z_i - t_i) Y_j equals the finite differences of the loss per weight to ${MIN_DIGITS} digits`, () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(oneLayer, ({ network, batch, magnitude }) => {
        seen.add(magnitude);
        const o = oracle(network, batch, { precision: ctx, finiteDifferences: false });
        const fd = parameterFiniteDifferences(ctx, network, batch, o.params, o.forward)[0]!;
        const { nIn, nOut } = network.layers[0]!;
        for (let j = 0; j < nIn; j++) {
          for (let i = 0; i < nOut; i++) {
            // the seed's formula, summed over the batch, and its scale sum |Z - t| |Y|
            let claim = ctx.zero;
            let scale = ctx.zero;
            for (let s = 0; s < batch.size; s++) {
              const k = s * nOut + i;
              const t = o.forward.T[k]!;
              const Y = o.forward.X[s * nIn + j]!;
              const dEdZ = ctx.one.minus(t).times(o.forward.Z[0]![k]!).minus(t.times(o.forward.Zc[0]![k]!)).div(o.forward.Z[0]![k]!.times(o.forward.Zc[0]![k]!));
              const dZdS = o.forward.Z[0]![k]!.times(o.forward.Zc[0]![k]!);
              claim = claim.plus(dEdZ.times(dZdS).times(Y));
              scale = scale.plus(ctx.one.minus(t).times(o.forward.Z[0]![k]!).plus(t.times(o.forward.Zc[0]![k]!)).times(Y.abs()));
            }
            if (decimalDigits(claim, fd.W[j * nOut + i]!, scale) < MIN_DIGITS) return false;
          }
        }
        return true;
      }),
      { seed: 104, numRuns: RUNS },
    );
    expect([...seen].sort()).toEqual([...MAGNITUDE_CLASSES].sort());
  });
});
