import { reductionDivisor } from '../network/shape.js';
import { activationNameOf, DEFAULT_ALPHA, lossNameOf, type ActivationName, type Batch, type Layer, type Network } from '../network/types.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { toDecimal, toDecimals } from './exact.js';
import { crossEntropyFromLogit, DECIMAL_JS_KERNEL, expm1, log1p, sigmoidPair } from './functions.js';

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
 * Forward pass and loss in decimal: S_i = sum_j Y_j W_ji (+ b_i), Z_i = f(S_i) by each layer's own
 * textbook form here (not the layer modules: this is the plain second implementation, decimal.js's
 * own exp and ln, nothing of the BigFloat core or of src/layers):
 *   sigmoid     Z = 1/(1 + e^(-S)) from f = e^(-|S|) (`sigmoidPair`), Zc = 1 - Z = sigma(-S);
 *   tanh        |Z| = -expm1(-2|S|) / (1 + e^(-2|S|)), Zc = 1 - Z^2 = 4 e^(-2|S|) / (1 + e^(-2|S|))^2;
 *   relu, leaky_relu  Z = S (S > 0), alpha S (S <= 0), Zc = min(S, 0);   linear  Z = S, Zc = 0;
 *   softmax     with the row's largest logit m: e_k = e^(S_k - m), Z_k = e_k / sum_j e_j,
 *               Zc_k = (sum over j != k of e_j) / sum_j e_j (the row a last layer's);
 * and the loss E = sum of the terms (divided by B n_L for "mean"; cce by B), the terms
 *   bce  t softplus(-S) + (1-t) softplus(S);   mse  (Z - t)^2 (Z - t as (1 - t) - Zc for a sigmoid
 *   Z > 1/2);   cce  per row sum_k t_k ((m - S_k) + ln(sum_j e_j)), ln(sum) = log1p(sum over j != argmax).
 * (The Zc conventions are the modules' so that `finiteDifference.ts`'s change identities read them.)
 */
export function oracleForward(ctx: OracleContext, network: Network, batch: Batch, params = decimalNetwork(ctx, network)): OracleForward {
  const B = batch.size;
  const X = toDecimals(ctx, batch.X);
  const T = toDecimals(ctx, batch.T);
  const S: Decimal[][] = [];
  const Z: Decimal[][] = [];
  const Zc: Decimal[][] = [];
  const f: Decimal[][] = [];
  let Y = X;
  network.layers.forEach((layer, l) => {
    const { nIn, nOut } = layer;
    const W = params.W[l]!;
    const b = params.b[l];
    const name = activationNameOf(layer);
    const Sl = new Array<Decimal>(B * nOut);
    const Zl = new Array<Decimal>(B * nOut);
    const Zcl = new Array<Decimal>(B * nOut);
    const fl = new Array<Decimal>(B * nOut);
    for (let s = 0; s < B; s++) {
      for (let i = 0; i < nOut; i++) {
        let Si = b ? b[i]! : ctx.zero;
        for (let j = 0; j < nIn; j++) Si = Si.plus(Y[s * nIn + j]!.times(W[j * nOut + i]!));
        const k = s * nOut + i;
        Sl[k] = Si;
        fl[k] = DECIMAL_JS_KERNEL.exp(ctx.D, Si.abs().neg());
        if (name === 'softmax') continue;
        const [z, zc] = unitValues(ctx, name, layer, Si);
        Zl[k] = z;
        Zcl[k] = zc;
      }
      if (name === 'softmax') softmaxRow(ctx, Sl, s * nOut, nOut, Zl, Zcl);
    }
    S.push(Sl);
    Z.push(Zl);
    Zc.push(Zcl);
    f.push(fl);
    Y = Zl;
  });
  const L = network.layers.length;
  const nL = network.layers[L - 1]!.nOut;
  const SL = S[L - 1]!;
  const ZL = Z[L - 1]!;
  const ZcL = Zc[L - 1]!;
  const fL = f[L - 1]!;
  const lastName = activationNameOf(network.layers[L - 1]!);
  let terms: Decimal[];
  switch (lossNameOf(network)) {
    case 'bce':
      terms = SL.map((Si, k) => crossEntropyFromLogit(ctx, Si, fL[k]!, T[k]!, DECIMAL_JS_KERNEL));
      break;
    case 'mse':
      terms = ZL.map((z, k) => {
        const t = T[k]!;
        const d = lastName === 'sigmoid' && z.gt(0.5) ? ctx.one.minus(t).minus(ZcL[k]!) : z.minus(t);
        return d.times(d);
      });
      break;
    case 'cce':
      terms = Array.from({ length: B }, (_, s) => cceRow(ctx, SL, T, s * nL, nL));
      break;
  }
  let E = ctx.zero;
  for (const term of terms) E = E.plus(term);
  const divisor = reductionDivisor(network, B);
  if (divisor !== 1) E = E.div(divisor);
  return { X, T, S, Z, Zc, f, terms, loss: E };
}

/** leaky_relu's alpha (relu 0) of a layer as the Decimal it is exactly. */
export function alphaOf(ctx: OracleContext, layer: Layer): Decimal {
  return activationNameOf(layer) === 'relu' ? ctx.zero : toDecimal(ctx, layer.alpha ?? DEFAULT_ALPHA);
}

/** [Z, Zc] of one unit of an elementwise activation, by this module's own textbook forms. */
function unitValues(ctx: OracleContext, name: ActivationName, layer: Layer, S: Decimal): [Decimal, Decimal] {
  switch (name) {
    case 'sigmoid': {
      const p = sigmoidPair(ctx, S, DECIMAL_JS_KERNEL);
      return [p.Z, p.Zc];
    }
    case 'tanh': {
      // |Z| = -expm1(-2|S|) / (1 + g), Zc = 4 g / (1 + g)^2, g = e^(-2|S|)
      const twoS = S.abs().times(2).neg();
      const g = DECIMAL_JS_KERNEL.exp(ctx.D, twoS);
      const onePlusG = ctx.one.plus(g);
      const abs = expm1(ctx, twoS, DECIMAL_JS_KERNEL).neg().div(onePlusG);
      return [S.isNeg() ? abs.neg() : abs, g.times(4).div(onePlusG.times(onePlusG))];
    }
    case 'relu':
    case 'leaky_relu':
      return S.gt(0) ? [S, ctx.zero] : [alphaOf(ctx, layer).times(S), S.isZero() ? ctx.zero : S];
    case 'linear':
      return [S, ctx.zero];
    default:
      throw new Error(`the ${name} activation is row-wise: only a last layer's`);
  }
}

/** Softmax of one row with its largest logit m subtracted: Z_k = e_k / sum, Zc_k = (sum over j != k of e_j) / sum, e_k = e^(S_k - m). */
function softmaxRow(ctx: OracleContext, S: readonly Decimal[], row: number, n: number, Z: Decimal[], Zc: Decimal[]): void {
  let m = S[row]!;
  for (let k = row + 1; k < row + n; k++) if (S[k]!.gt(m)) m = S[k]!;
  const e = Array.from({ length: n }, (_, k) => DECIMAL_JS_KERNEL.exp(ctx.D, S[row + k]!.minus(m)));
  let sum = ctx.zero;
  for (const ek of e) sum = sum.plus(ek);
  for (let k = 0; k < n; k++) {
    let others = ctx.zero;
    for (let j = 0; j < n; j++) if (j !== k) others = others.plus(e[j]!);
    Z[row + k] = e[k]!.div(sum);
    Zc[row + k] = others.div(sum);
  }
}

/** The cce term of one row: sum_k t_k ((m - S_k) + ln sum_j e^(S_j - m)), ln of the sum as log1p of the other units' share. */
function cceRow(ctx: OracleContext, S: readonly Decimal[], T: readonly Decimal[], row: number, n: number): Decimal {
  let a = row;
  for (let k = row + 1; k < row + n; k++) if (S[k]!.gt(S[a]!)) a = k;
  const m = S[a]!;
  let r = ctx.zero;
  for (let k = row; k < row + n; k++) if (k !== a) r = r.plus(DECIMAL_JS_KERNEL.exp(ctx.D, S[k]!.minus(m)));
  const lse = log1p(ctx, r, DECIMAL_JS_KERNEL);
  let E = ctx.zero;
  for (let k = row; k < row + n; k++) if (!T[k]!.isZero()) E = E.plus(T[k]!.times(m.minus(S[k]!).plus(lse)));
  return E;
}

/** Inputs Y of layer l (0-based): the batch's inputs for l = 0, else Z of layer l-1. */
export function oracleInputsOf(pass: OracleForward, l: number): Decimal[] {
  return l === 0 ? pass.X : pass.Z[l - 1]!;
}
