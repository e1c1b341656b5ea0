import type { Batch, Network } from '../network/types.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { toDecimals } from './exact.js';
import { crossEntropyFromLogit, DECIMAL_JS_KERNEL, sigmoidPair } from './functions.js';
import { requireVersion1 } from './version1.js';

/** A network's parameters as exact Decimals: `W[l][j * nOut + i]`, `b[l]` or null. */
export interface DecimalNetwork {
  readonly W: Decimal[][];
  readonly b: (Decimal[] | null)[];
}

/**
 * The forward pass in decimal: per layer `S`, `Z`, `Zc` (the module's complement: sigmoid 1 - Z,
 * tanh 1 - Z^2, the rectifiers min(S, 0), linear 0, softmax 1 - Z), `f = e^(-|S|)`, each [B][n_l].
 */
export interface OracleForward {
  readonly X: Decimal[];
  readonly T: Decimal[];
  readonly S: Decimal[][];
  readonly Z: Decimal[][];
  readonly Zc: Decimal[][];
  readonly f: Decimal[][];
  /**
   * The loss terms before reduction: per sample and output (an elementwise head; bce: t softplus(-S)
   * + (1-t) softplus(S), mse: (Z - t)^2), [B][n_L]; per sample for a row-wise head (cce + softmax:
   * the row's term sum_k t_k (lse(S) - S_k)), [B].
   */
  readonly terms: Decimal[];
  /** E, reduced ("sum" or "mean"). */
  readonly loss: Decimal;
}

/** The network's weights and biases as the Decimals they are exactly. */
export function decimalNetwork(ctx: OracleContext, network: Network): DecimalNetwork {
  return {
    W: network.layers.map((layer) => toDecimals(ctx, layer.W)),
    b: network.layers.map((layer) => (layer.b ? toDecimals(ctx, layer.b) : null)),
  };
}

/**
 * Forward pass and loss in decimal: S_i = sum_j Y_j W_ji (+ b_i), Z_i = 1/(1 + e^(-S_i)), and
 * E = sum_b sum_i [t softplus(-S_i) + (1-t) softplus(S_i)] (divided by B n_L for "mean"). The plain
 * second implementation of the oracle: decimal.js's own exp and ln, nothing of the BigFloat core.
 */
export function oracleForward(ctx: OracleContext, network: Network, batch: Batch, params = decimalNetwork(ctx, network)): OracleForward {
  requireVersion1(network, 'oracleForward');
  const B = batch.size;
  const X = toDecimals(ctx, batch.X);
  const T = toDecimals(ctx, batch.T);
  const S: Decimal[][] = [];
  const Z: Decimal[][] = [];
  const Zc: Decimal[][] = [];
  const f: Decimal[][] = [];
  let Y = X;
  network.layers.forEach(({ nIn, nOut }, l) => {
    const W = params.W[l]!;
    const b = params.b[l];
    const Sl = new Array<Decimal>(B * nOut);
    const Zl = new Array<Decimal>(B * nOut);
    const Zcl = new Array<Decimal>(B * nOut);
    const fl = new Array<Decimal>(B * nOut);
    for (let s = 0; s < B; s++) {
      for (let i = 0; i < nOut; i++) {
        let Si = b ? b[i]! : ctx.zero;
        for (let j = 0; j < nIn; j++) Si = Si.plus(Y[s * nIn + j]!.times(W[j * nOut + i]!));
        const k = s * nOut + i;
        const pair = sigmoidPair(ctx, Si, DECIMAL_JS_KERNEL);
        Sl[k] = Si;
        Zl[k] = pair.Z;
        Zcl[k] = pair.Zc;
        fl[k] = pair.f;
      }
    }
    S.push(Sl);
    Z.push(Zl);
    Zc.push(Zcl);
    f.push(fl);
    Y = Zl;
  });
  const SL = S[S.length - 1]!;
  const fL = f[f.length - 1]!;
  const terms = SL.map((Si, k) => crossEntropyFromLogit(ctx, Si, fL[k]!, T[k]!, DECIMAL_JS_KERNEL));
  let E = ctx.zero;
  for (const term of terms) E = E.plus(term);
  if (network.reduction === 'mean') E = E.div(B * network.layers[network.layers.length - 1]!.nOut);
  return { X, T, S, Z, Zc, f, terms, loss: E };
}

/** Inputs Y of layer l (0-based): the batch's inputs for l = 0, else Z of layer l-1. */
export function oracleInputsOf(pass: OracleForward, l: number): Decimal[] {
  return l === 0 ? pass.X : pass.Z[l - 1]!;
}
