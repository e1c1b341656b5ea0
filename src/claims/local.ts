/**
 * The truth for the chain rule's factors, per sample, from finite differences of the network's own
 * functions (never from the derivation), each with its magnitude:
 *
 *   dE/dZ_i   central difference of the output's loss term in Z: moving Z by d changes
 *             -(t ln Z + (1 - t) ln(1 - Z)) by -(t log1p(d/Z) + (1 - t) log1p(-d/(1 - Z)));
 *   dE/dY_j   central difference of the loss when Y_j moves by d: the layer above's S_i move by
 *             W_ji d, carried forward by the oracle's `lossChange`;
 *   dZ/dS     central difference of sigma: sigma(S + D) - sigma(S) = -Z Zc expm1(-D) / (1 + Zc expm1(-D))
 *             (version 2: of the layer's activation, its module's changeFromValues; at a rectifier's
 *             kink S = 0 one-sided on the left piece, the protocol's convention);
 *
 * (the loss's and the sigmoid's change identities are the layer modules', `src/layers/bce.ts` and
 * `src/layers/sigmoid.ts`, in decimal.js);
 *   dS/dW     Y (X_k in a hidden layer) exactly: S is linear in W, so its difference quotient is Y for every step;
 *   dE/dS     the oracle's finite difference through the pre-activation.
 *
 * Each difference is evaluated to the oracle's precision relative to itself, with step
 * 10^-(P/2) (times min(Z, 1 - Z) in Z), so the truncation error is about 10^-P of the value.
 */
import type { Decimal } from '../oracle/decimal.js';
import { defaultStep, lossChange } from '../oracle/finiteDifference.js';
import { modulesOf } from '../layers/index.js';
import { decimalExact } from '../oracle/exactArithmetic.js';
import { isVersion1 } from '../network/types.js';
import type { ResolvedClaim } from './resolve.js';
import type { OracleCase } from './scope.js';
import type { EntryRef } from './types.js';

/** (f(h) - f(-h)) / 2h. */
function central(f: (d: Decimal) => Decimal, h: Decimal): Decimal {
  return f(h).minus(f(h.neg())).div(h.times(2));
}

/** The truth and magnitude of a per-sample chain-factor entry. */
export function localTruth(r: ResolvedClaim, oc: OracleCase, entry: EntryRef): { truth: Decimal; magnitude: Decimal } {
  const { forward, backward, fd, params, ctx } = oc.oracle;
  const l = entry.layer;
  const s = entry.sample ?? 0;
  const { nIn, nOut } = oc.network.layers[l]!;
  const k = s * nOut + entry.unit;
  const Z = forward.Z[l]![k]!;
  const Zc = forward.Zc[l]![k]!;
  const h = defaultStep(ctx);
  const x = decimalExact(ctx);
  const modules = modulesOf(oc.network);
  switch (entry.target) {
    case 'dZ/dS': {
      const change = (d: Decimal): Decimal => modules.elementwise(l).exact.changeFromValues(x, Z, Zc, d);
      if (isVersion1(oc.network)) return { truth: central(change, h), magnitude: Z.times(Zc) };
      // version 2: the magnitude of the module's exact slope (0 on a rectifier's flat piece); at a
      // rectifier's kink S = 0 exactly, the one-sided difference of the declared (left) piece, as the oracle takes it
      const S = forward.S[l]![k]!;
      const activation = modules.elementwise(l);
      // near a kink a step within |S| / 2 keeps to S's piece (a rectifier is linear there: any such step is exact)
      const near = S.abs().div(2);
      const truth = activation.kink === 'none' ? central(change, h) : S.isZero() ? change(h.neg()).div(h.neg()) : central(change, near.lt(h) ? near : h);
      return { truth, magnitude: activation.exact.unit(x, S).slope.abs() };
    }
    case 'dS/dW': {
      const Y = (l === 0 ? forward.X : forward.Z[l - 1]!)[s * nIn + entry.input]!;
      return { truth: Y, magnitude: Y.abs() };
    }
    case 'dE/dS':
      return { truth: fd!.preActivation[l]![k]!, magnitude: backward.deltaMagnitude[l]![k]! };
    default:
      break;
  }
  // dE/dZ: of the output's own loss term, or of the whole loss through the layer above
  if (r.kind === 'output') {
    const t = forward.T[k]!;
    const divisor = oc.network.reduction === 'mean' ? forward.T.length : 1;
    const change = (d: Decimal): Decimal => modules.elementwiseHead.exact.termChangeInZ(x, Z, Zc, d, t).div(divisor);
    const magnitude = modules.elementwiseHead.exact.slopeInZMagnitude(x, Z, Zc, t).div(divisor);
    // a sigmoid's Z moves within (0, 1); a version-2 output's term in Z (mse: quadratic, whose
    // central difference is exact for any step) a step relative to |Z - t| (a tiny Z - t keeps its digits)
    const gap = Z.minus(t).abs();
    return { truth: central(change, isVersion1(oc.network) ? (Z.lt(Zc) ? Z : Zc).times(h) : gap.isZero() ? h : gap.times(h)), magnitude };
  }
  const next = oc.network.layers[l + 1]!.nOut;
  const W = params.W[l + 1]!;
  const change = (d: Decimal): Decimal => lossChange(ctx, oc.network, params, forward, l + 1, s, Array.from({ length: next }, (_, i) => W[entry.unit * next + i]!.times(d)));
  let magnitude = ctx.zero;
  for (let i = 0; i < next; i++) magnitude = magnitude.plus(W[entry.unit * next + i]!.abs().times(backward.deltaMagnitude[l + 1]![s * next + i]!));
  return { truth: central(change, h), magnitude };
}
