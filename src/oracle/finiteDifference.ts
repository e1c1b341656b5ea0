import { reductionDivisor } from '../network/shape.js';
import type { Batch, KinkSide, Network } from '../network/types.js';
import { requireVersion1 } from './version1.js';
import type { DecimalLayerGradient } from './backward.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { oracleInputsOf, type DecimalNetwork, type OracleForward } from './forward.js';
import { isRowwiseHead, modulesOf, type ExactTarget } from '../layers/index.js';
import { decimalExact } from './exactArithmetic.js';
import { DECIMAL_JS_KERNEL } from './functions.js';

/**
 * Finite differences of the oracle's loss, which do not use the derivation.
 *
 * The change E(theta + h) - E(theta) is computed directly, not as the difference of two rounded
 * losses: a change Delta of one pre-activation S is carried forward through exact algebraic
 * identities of the network's own functions,
 *   sigma(S + Delta) - sigma(S)       = -Z Zc expm1(-Delta) / (1 + Zc expm1(-Delta))
 *   softplus(x + Delta) - softplus(x) = log1p(sigma(x) expm1(Delta))
 *   S'_k + Delta'_k                   = sum_i W_ik (Z_i + Delta Z_i)   (S is linear in Y)
 * (the first two the layer modules' `changeFromValues` identities, `src/layers/sigmoid.ts` and
 * `src/layers/bce.ts`, in decimal.js), so each change is held to the working precision relative to its own size, whatever the size of
 * E. Rounding therefore does not grow as h shrinks, and h can be tiny: the central difference
 * (E(theta + h) - E(theta - h)) / 2h has truncation error h^2 |E'''| / 6, about 10^-(P+...) with the
 * default h = 10^-(P/2) (P the precision). See README, "How precision and tolerances are chosen".
 * Part of the plain decimal oracle: decimal.js's own exp and ln (where the series do not apply).
 */

/** Options of the finite differences. */
export interface FiniteDifferenceOptions {
  /** Step h; default 10^-ceil(P/2) for precision P. */
  step?: Decimal;
  /** Also difference with step 2h and return |D(h) - D(2h)| / 3, an estimate of D(h)'s truncation error. */
  truncationEstimate?: boolean;
}

/** Finite-difference gradients: per pre-activation, and per parameter. */
export interface FiniteDifferences {
  readonly step: Decimal;
  /** dE/dS^(l)_i for every sample, [B][n_l] per layer. */
  readonly preActivation: Decimal[][];
  /** dE/dW and dE/db of every layer. */
  readonly layers: DecimalLayerGradient[];
  /** Per layer and pre-activation, |D(h) - D(2h)| / 3 (only with `truncationEstimate`). */
  readonly truncation?: Decimal[][];
}

/** The default step for precision P: 10^-ceil(P/2). */
export function defaultStep(ctx: OracleContext): Decimal {
  return new ctx.D(10).pow(-Math.ceil(ctx.precision / 2));
}

/**
 * E(theta') - E(theta) when the pre-activations of layer l in sample s change by `dS` (null: no
 * change), carried through the layers above by the identities in this module's comment: for any
 * version-2 network each layer's module's `changeFromValues` and the head's
 * `addTermChangeFromValues` (a row-wise head, cce + softmax: one moved output by it, several at
 * once by its `termChangeOfRow`), a rectifier's kink from the `kink` side (no one-sided
 * differences here: the caller's step decides which piece it reads).
 */
export function lossChange(ctx: OracleContext, network: Network, params: DecimalNetwork, pass: OracleForward, l: number, s: number, dS: (Decimal | null)[], kink: KinkSide = 'left'): Decimal {
  const L = network.layers.length;
  const x = decimalExact(ctx, DECIMAL_JS_KERNEL);
  const modules = modulesOf(network, kink);
  let change = dS;
  for (let m = l; ; m++) {
    const n = network.layers[m]!.nOut;
    const Z = pass.Z[m]!;
    const Zc = pass.Zc[m]!;
    if (m === L - 1) {
      let dE = ctx.zero;
      const head = modules.head;
      const divisor = reductionDivisor(network, pass.T.length / n);
      if (isRowwiseHead(head)) {
        const row = s * n;
        const target = (k: number): ExactTarget<Decimal> => ({ t: pass.T[k]!, tc: ctx.one.minus(pass.T[k]!), raw: pass.T[k]!.toNumber() });
        const moved = change.map((d, i) => (d && !d.isZero() ? i : -1)).filter((i) => i >= 0);
        if (moved.length === 1) dE = head.exact.addTermChangeFromValues(x, dE, Z, Zc, target, row, n, row + moved[0]!, change[moved[0]!]!);
        else if (moved.length > 1) {
          if (!head.exact.termChangeOfRow) throw new Error(`the ${head.loss} head on a ${head.activation} output has no termChangeOfRow`);
          dE = head.exact.termChangeOfRow(x, pass.S[m]!, Z, target, row, n, change);
        }
        return divisor === 1 ? dE : dE.div(divisor);
      }
      for (let i = 0; i < n; i++) {
        const delta = change[i];
        if (!delta || delta.isZero()) continue;
        const k = s * n + i;
        // + t [softplus(-S-Delta) - softplus(-S)] + (1-t) [softplus(S+Delta) - softplus(S)]
        dE = head.exact.addTermChangeFromValues(x, dE, Z[k]!, Zc[k]!, delta, pass.T[k]!);
      }
      return divisor === 1 ? dE : dE.div(divisor);
    }
    const next = network.layers[m + 1]!;
    const W = params.W[m + 1]!;
    const nextChange = new Array<Decimal | null>(next.nOut).fill(null);
    for (let i = 0; i < n; i++) {
      const delta = change[i];
      if (!delta || delta.isZero()) continue;
      const k = s * n + i;
      // f(S + Delta) - f(S) by the layer's module (sigmoid: -Z Zc (e^-Delta - 1) / (1 + Zc (e^-Delta - 1)))
      const dZ = modules.elementwise(m).exact.changeFromValues(x, Z[k]!, Zc[k]!, delta);
      for (let q = 0; q < next.nOut; q++) {
        const w = W[i * next.nOut + q]!;
        if (w.isZero()) continue;
        const prev = nextChange[q];
        nextChange[q] = prev ? prev.plus(w.times(dZ)) : w.times(dZ);
      }
    }
    change = nextChange;
  }
}

function unit(n: number, i: number, value: Decimal): (Decimal | null)[] {
  const v = new Array<Decimal | null>(n).fill(null);
  v[i] = value;
  return v;
}

/** Central difference of E in one pre-activation S^(l)_i of sample s, with step h. */
function centralInS(ctx: OracleContext, network: Network, params: DecimalNetwork, pass: OracleForward, l: number, s: number, i: number, h: Decimal): Decimal {
  const n = network.layers[l]!.nOut;
  const up = lossChange(ctx, network, params, pass, l, s, unit(n, i, h));
  const down = lossChange(ctx, network, params, pass, l, s, unit(n, i, h.neg()));
  return up.minus(down).div(h.times(2));
}

/**
 * Finite-difference gradients through the pre-activations: dE/dS^(l)_i per sample by central
 * differences, then dE/dW_ji = sum_b Y_j dE/dS_i and dE/db_i = sum_b dE/dS_i, which holds exactly
 * because S_i = sum_j Y_j W_ji + b_i is linear in W and b (the network's definition, not the
 * derivation). Cost: two carried changes per pre-activation instead of per parameter.
 */
export function finiteDifferences(ctx: OracleContext, network: Network, batch: Batch, params: DecimalNetwork, pass: OracleForward, options: FiniteDifferenceOptions = {}): FiniteDifferences {
  requireVersion1(network, 'finiteDifferences');
  const h = options.step ?? defaultStep(ctx);
  const B = batch.size;
  const preActivation: Decimal[][] = [];
  const truncation: Decimal[][] = [];
  const layers: DecimalLayerGradient[] = [];
  network.layers.forEach(({ nIn, nOut, b }, l) => {
    const gS = new Array<Decimal>(B * nOut);
    const tr = new Array<Decimal>(options.truncationEstimate ? B * nOut : 0);
    for (let s = 0; s < B; s++) {
      for (let i = 0; i < nOut; i++) {
        const d1 = centralInS(ctx, network, params, pass, l, s, i, h);
        gS[s * nOut + i] = d1;
        if (options.truncationEstimate) {
          const d2 = centralInS(ctx, network, params, pass, l, s, i, h.times(2));
          tr[s * nOut + i] = d1.minus(d2).abs().div(3);
        }
      }
    }
    const Y = oracleInputsOf(pass, l);
    const GW = new Array<Decimal>(nIn * nOut).fill(ctx.zero);
    const Gb = b ? new Array<Decimal>(nOut).fill(ctx.zero) : null;
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) {
        const Yj = Y[s * nIn + j]!;
        for (let i = 0; i < nOut; i++) GW[j * nOut + i] = GW[j * nOut + i]!.plus(Yj.times(gS[s * nOut + i]!));
      }
      if (Gb) for (let i = 0; i < nOut; i++) Gb[i] = Gb[i]!.plus(gS[s * nOut + i]!);
    }
    preActivation.push(gS);
    truncation.push(tr);
    layers.push({ W: GW, b: Gb });
  });
  return options.truncationEstimate ? { step: h, preActivation, layers, truncation } : { step: h, preActivation, layers };
}

/**
 * Finite differences per parameter, the textbook way: for each W_ji, (E(W_ji + h) - E(W_ji - h)) / 2h,
 * where moving W_ji by h moves S_i of sample b by h Y_j(b). Costs n_(l-1) times the
 * pre-activation route; kept to check that route and for readers who want the plain definition.
 */
export function parameterFiniteDifferences(ctx: OracleContext, network: Network, batch: Batch, params: DecimalNetwork, pass: OracleForward, options: FiniteDifferenceOptions = {}): DecimalLayerGradient[] {
  requireVersion1(network, 'parameterFiniteDifferences');
  const h = options.step ?? defaultStep(ctx);
  const B = batch.size;
  const twoH = h.times(2);
  const difference = (l: number, i: number, n: number, shift: (s: number) => Decimal): Decimal => {
    let sum = ctx.zero;
    for (let s = 0; s < B; s++) {
      const d = shift(s);
      sum = sum.plus(lossChange(ctx, network, params, pass, l, s, unit(n, i, d)));
      sum = sum.minus(lossChange(ctx, network, params, pass, l, s, unit(n, i, d.neg())));
    }
    return sum.div(twoH);
  };
  return network.layers.map(({ nIn, nOut, b }, l) => {
    const Y = oracleInputsOf(pass, l);
    const GW = new Array<Decimal>(nIn * nOut);
    for (let j = 0; j < nIn; j++) {
      for (let i = 0; i < nOut; i++) GW[j * nOut + i] = difference(l, i, nOut, (s) => h.times(Y[s * nIn + j]!));
    }
    const Gb = b ? Array.from({ length: nOut }, (_, i) => difference(l, i, nOut, () => h)) : null;
    return { W: GW, b: Gb };
  });
}
