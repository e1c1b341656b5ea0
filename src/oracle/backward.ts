import { reductionDivisor } from '../network/shape.js';
import type { Batch, Network } from '../network/types.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { oracleInputsOf, type DecimalNetwork, type OracleForward } from './forward.js';
import { requireVersion1 } from './version1.js';

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
 * delta^(L)_i = ((1-t) Z_i - t Zc_i) / divisor (= Z_i - t_i), its magnitude ((1-t) Z + t Zc) / divisor;
 * delta^(l)_j = Z_j Zc_j sum_i W_ji delta_i, magnitude Z_j Zc_j sum_i |W_ji| |delta_i|;
 * dE/dW_ji = sum_b Y_j delta_i, dE/db_i = sum_b delta_i (magnitudes likewise with |.|).
 * The plain cross-check's own forms (no hard-target shortcuts), fenced off from the layer modules
 * that the BigFloat core uses (`src/layers/bce.ts` `exact.deltaRow`), so that the two oracles differ.
 */
export function oracleBackward(ctx: OracleContext, network: Network, batch: Batch, params: DecimalNetwork, pass: OracleForward): OracleBackward {
  requireVersion1(network, 'oracleBackward');
  const B = batch.size;
  const L = network.layers.length;
  const divisor = reductionDivisor(network, B);
  const delta = new Array<Decimal[]>(L);
  const deltaMagnitude = new Array<Decimal[]>(L);
  const layers = new Array<DecimalLayerGradient>(L);
  const magnitudes = new Array<DecimalLayerGradient>(L);

  const ZL = pass.Z[L - 1]!;
  const ZcL = pass.Zc[L - 1]!;
  delta[L - 1] = ZL.map((Z, k) => {
    const t = pass.T[k]!;
    const d = ctx.one.minus(t).times(Z).minus(t.times(ZcL[k]!));
    return divisor === 1 ? d : d.div(divisor);
  });
  deltaMagnitude[L - 1] = ZL.map((Z, k) => {
    const t = pass.T[k]!;
    const m = ctx.one.minus(t).times(Z).plus(t.times(ZcL[k]!));
    return divisor === 1 ? m : m.div(divisor);
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
    const Zp = pass.Z[l - 1]!;
    const Zcp = pass.Zc[l - 1]!;
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
        const slope = Zp[k]!.times(Zcp[k]!); // dZ/dS = Z (1 - Z)
        dp[k] = slope.times(g);
        mp[k] = slope.times(mg);
      }
    }
    delta[l - 1] = dp;
    deltaMagnitude[l - 1] = mp;
  }
  return { delta, layers, deltaMagnitude, magnitudes };
}
