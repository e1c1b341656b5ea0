import { reductionDivisor } from '../network/shape.js';
import { activationNameOf, lossNameOf, type Batch, type KinkSide, type Network } from '../network/types.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { alphaOf, oracleInputsOf, type DecimalNetwork, type OracleForward } from './forward.js';

/** Decimal gradients of one layer, laid out like the layer: `W[j * nOut + i]`, `b[i]`. */
export interface DecimalLayerGradient {
  readonly W: Decimal[];
  readonly b: Decimal[] | null;
}

/**
 * The analytic backward pass in decimal, with each quantity's magnitude: the same computation
 * with every term replaced by its absolute value (|a| + |b| for a - b), the scale against which
 * an error in that quantity is measured.
 */
export interface OracleBackward {
  readonly delta: Decimal[][];
  readonly layers: DecimalLayerGradient[];
  readonly deltaMagnitude: Decimal[][];
  readonly magnitudes: DecimalLayerGradient[];
}

/**
 * The output delta, divided by the reduction's divisor, with its magnitude:
 *   bce (sigmoid)  ((1-t) Z_i - t Zc_i) (= Z_i - t_i), magnitude (1-t) Z + t Zc;
 *   cce (softmax)  Z_k s_k - t_k Zc_k, s_k = sum over j != k of t_j (= Z_k sum(t) - t_k), magnitude Z_k s_k + t_k Zc_k;
 *   mse (any f)    2 (Z - t) f'(S), magnitude 2 (|Z| + |t|) |f'(S)|;
 * delta^(l)_j = f'(S_j) sum_i W_ji delta_i, magnitude f'(S_j) sum_i |W_ji| |delta_i|, with the
 * slopes of `slopeOf` (sigmoid Z Zc; tanh Zc = 1 - Z^2; the rectifiers 1 / alpha, at S = 0 the
 * `kink` side's; linear 1); dE/dW_ji = sum_b Y_j delta_i, dE/db_i = sum_b delta_i (magnitudes
 * likewise with |.|). The plain cross-check's own forms (no hard-target shortcuts), fenced off
 * from the layer modules that the BigFloat core uses, so that the two oracles differ.
 */
export function oracleBackward(ctx: OracleContext, network: Network, batch: Batch, params: DecimalNetwork, pass: OracleForward, kink: KinkSide = 'left'): OracleBackward {
  const B = batch.size;
  const L = network.layers.length;
  const divisor = reductionDivisor(network, B);
  const delta = new Array<Decimal[]>(L);
  const deltaMagnitude = new Array<Decimal[]>(L);
  const layers = new Array<DecimalLayerGradient>(L);
  const magnitudes = new Array<DecimalLayerGradient>(L);

  const ZL = pass.Z[L - 1]!;
  const ZcL = pass.Zc[L - 1]!;
  const nL = network.layers[L - 1]!.nOut;
  const byDivisor = (x: Decimal): Decimal => (divisor === 1 ? x : x.div(divisor));
  const slopeL = (k: number): Decimal => slopeOf(ctx, network, L - 1, pass, k, kink);
  const othersSum = (k: number): Decimal => {
    const row = k - (k % nL);
    let s = ctx.zero;
    for (let j = row; j < row + nL; j++) if (j !== k) s = s.plus(pass.T[j]!);
    return s;
  };
  const loss = lossNameOf(network);
  const lastSigmoid = activationNameOf(network.layers[L - 1]!) === 'sigmoid';
  delta[L - 1] = ZL.map((Z, k) => {
    const t = pass.T[k]!;
    if (loss === 'cce') return byDivisor(Z.times(othersSum(k)).minus(t.times(ZcL[k]!)));
    if (loss === 'mse') return byDivisor((lastSigmoid && Z.gt(0.5) ? ctx.one.minus(t).minus(ZcL[k]!) : Z.minus(t)).times(2).times(slopeL(k)));
    return byDivisor(ctx.one.minus(t).times(Z).minus(t.times(ZcL[k]!)));
  });
  deltaMagnitude[L - 1] = ZL.map((Z, k) => {
    const t = pass.T[k]!;
    if (loss === 'cce') return byDivisor(Z.times(othersSum(k)).plus(t.times(ZcL[k]!)));
    if (loss === 'mse') return byDivisor(Z.abs().plus(t.abs()).times(2).times(slopeL(k).abs()));
    return byDivisor(ctx.one.minus(t).times(Z).plus(t.times(ZcL[k]!)));
  });

  for (let l = L - 1; l >= 0; l--) {
    const { nIn, nOut } = network.layers[l]!;
    const W = params.W[l]!;
    const d = delta[l]!;
    const md = deltaMagnitude[l]!;
    const Y = oracleInputsOf(pass, l);
    const GW = new Array<Decimal>(nIn * nOut).fill(ctx.zero);
    const MW = new Array<Decimal>(nIn * nOut).fill(ctx.zero);
    const hasBias = params.b[l] !== null;
    const Gb = hasBias ? new Array<Decimal>(nOut).fill(ctx.zero) : null;
    const Mb = hasBias ? new Array<Decimal>(nOut).fill(ctx.zero) : null;
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) {
        const Yj = Y[s * nIn + j]!;
        for (let i = 0; i < nOut; i++) {
          GW[j * nOut + i] = GW[j * nOut + i]!.plus(Yj.times(d[s * nOut + i]!));
          MW[j * nOut + i] = MW[j * nOut + i]!.plus(Yj.abs().times(md[s * nOut + i]!));
        }
      }
      if (Gb && Mb) {
        for (let i = 0; i < nOut; i++) {
          Gb[i] = Gb[i]!.plus(d[s * nOut + i]!);
          Mb[i] = Mb[i]!.plus(md[s * nOut + i]!);
        }
      }
    }
    layers[l] = { W: GW, b: Gb };
    magnitudes[l] = { W: MW, b: Mb };
    if (l === 0) break;
    const dp = new Array<Decimal>(B * nIn);
    const mp = new Array<Decimal>(B * nIn);
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) {
        let g = ctx.zero;
        let mg = ctx.zero;
        for (let i = 0; i < nOut; i++) {
          g = g.plus(W[j * nOut + i]!.times(d[s * nOut + i]!));
          mg = mg.plus(W[j * nOut + i]!.abs().times(md[s * nOut + i]!));
        }
        const k = s * nIn + j;
        const slope = slopeOf(ctx, network, l - 1, pass, k, kink); // sigmoid: dZ/dS = Z (1 - Z)
        dp[k] = slope.times(g);
        mp[k] = slope.times(mg);
      }
    }
    delta[l - 1] = dp;
    deltaMagnitude[l - 1] = mp;
  }
  return { delta, layers, deltaMagnitude, magnitudes };
}

/** f'(S) of unit k of elementwise layer l by this cross-check's own forms: sigmoid Z Zc, tanh Zc (1 - Z^2), the rectifiers 1 (S > 0) / alpha (S < 0) / the kink side's (S = 0), linear 1. */
function slopeOf(ctx: OracleContext, network: Network, l: number, pass: OracleForward, k: number, kink: KinkSide): Decimal {
  const layer = network.layers[l]!;
  switch (activationNameOf(layer)) {
    case 'sigmoid':
      return pass.Z[l]![k]!.times(pass.Zc[l]![k]!);
    case 'tanh':
      return pass.Zc[l]![k]!;
    case 'relu':
    case 'leaky_relu': {
      const S = pass.S[l]![k]!;
      if (S.gt(0) || (S.isZero() && kink === 'right')) return ctx.one;
      return alphaOf(ctx, layer);
    }
    case 'linear':
      return ctx.one;
    default:
      throw new Error(`the ${activationNameOf(layer)} activation has no slope of its own (a row-wise last layer's delta is its loss's)`);
  }
}
