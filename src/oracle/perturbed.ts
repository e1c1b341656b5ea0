import { reductionDivisor } from '../network/shape.js';
import type { Exact, ExactTarget } from '../layers/exact.js';
import { modulesOf, type NetworkModules } from '../layers/index.js';
import type { Batch, KinkSide, Network } from '../network/types.js';
import { ZERO, type BigFloat, type Binary } from './bigfloat.js';
import type { BinaryMath } from './bigfloatMath.js';
import { locateLimit } from './errors.js';
import { bigFloatExact } from './exactArithmetic.js';

/**
 * The network the finite differences move, kept apart from the analytic pass (`core.ts`).
 *
 * It reads the network, the batch and the first layer's pre-activations S^(1) (exact dot products
 * of the given doubles, rounded once: the one array it shares with the forward pass) and nothing
 * else the oracle computed. Its own forward pass makes, per layer, Z = sigma(S) and Zc = sigma(-S)
 * from its own exp of each S, and S of the layers above from its own Z; a moved pre-activation
 * S' = S + D is evaluated from the exp of S' itself. So the finite differences never read the
 * analytic pass's Z, Zc, f, slope Z Zc or delta: a wrong value there makes the two disagree.
 *
 * The change of one pre-activation by D is carried to the loss by exact identities, each a
 * product of factors held to full relative precision (no difference of nearly equal numbers,
 * so rounding does not grow as D shrinks). The unit's and the output's identities are the layer
 * modules' (`src/layers/sigmoid.ts` `exact.change`, `src/layers/bce.ts` `exact.termChange`), written
 * once over the `Exact` arithmetic; this class carries them through the weights:
 *   sigma(S + D) - sigma(S) = -sigma(S + D) sigma(-S) expm1(-D)     (D >= 0)
 *                           =  sigma(S) sigma(-S - D) expm1(D)      (D < 0)
 *   S'_q + D'_q             =  sum_i W_iq (Z_i + dZ_i) + b_q        (S is linear in Y)
 *   softplus(x + D) - softplus(x) = -log1p(sigma(x + D) expm1(-D))  (|D| <= 1/2)
 * and, for the loss of output i with target t,
 *   E' - E = t [softplus(-S - D) - softplus(-S)] + (1 - t) [softplus(S + D) - softplus(S)].
 * For |D| >= 1/2 (never from the oracle's own steps; possible in directional checks of extreme
 * networks) the softplus change takes forms whose log1p argument is positive, and from 2^41 on,
 * where e^|D| nears the exponent range, the change of the two softplus values directly.
 *
 * Notation: per layer every array is [B][n_l], index s * n_l + i.
 */
export class PerturbedNetwork {
  readonly B: number;
  readonly L: number;
  /** Pre-activations of the unmoved network: S^(1) as given, the layers above from this network's own Z. */
  readonly S: BigFloat[][] = [];
  /** sigma(S) and sigma(-S), from this network's own e^(-|S|). */
  readonly Z: BigFloat[][] = [];
  readonly Zc: BigFloat[][] = [];
  /** 1 for "sum", B n_L for "mean". */
  readonly divisor: number;
  private readonly W: (BigFloat[] | null)[];
  private readonly t: BigFloat[];
  private readonly tc: BigFloat[];
  private X: BigFloat[] | undefined;
  /** The layers' exact identities in this network's BigFloat, and the network's layer modules. */
  private readonly x: Exact<BigFloat>;
  private readonly modules: NetworkModules;

  constructor(
    readonly bin: Binary,
    readonly math: BinaryMath,
    readonly network: Network,
    readonly batch: Batch,
    firstPreActivations: readonly BigFloat[],
    /** The declared side of a rectifier's derivative at S = 0 (the analytic pass's). */
    readonly kink: KinkSide = 'left',
  ) {
    this.x = bigFloatExact(bin, math);
    this.modules = modulesOf(network, kink);
    this.B = batch.size;
    this.L = network.layers.length;
    this.divisor = reductionDivisor(network, this.B);
    this.t = Array.from(batch.T, (x) => bin.fromNumber(x));
    this.tc = this.t.map((x) => bin.sub(bin.one, x));
    this.W = network.layers.map((layer, l) => (l === 0 ? null : Array.from(layer.W, (x) => bin.fromNumber(x))));
    this.forward([...firstPreActivations]);
  }

  /** Z = sigma(S), Zc = sigma(-S) per layer; S^(l+1)_q = sum_j Z_j W_jq + b_q above the first layer. */
  private forward(S0: BigFloat[]): void {
    const { bin, B } = this;
    let Sl = S0;
    this.network.layers.forEach(({ nIn, nOut, b }, l) => {
      if (l > 0) {
        const W = this.W[l]!;
        const Y = this.Z[l - 1]!;
        const bias = b ? Array.from(b, (x) => bin.fromNumber(x)) : null;
        Sl = new Array<BigFloat>(B * nOut);
        for (let s = 0; s < B; s++) {
          for (let q = 0; q < nOut; q++) {
            let Sq = bias ? bias[q]! : ZERO;
            for (let j = 0; j < nIn; j++) {
              const y = Y[s * nIn + j]!;
              const w = W[j * nOut + q]!;
              if (y.m !== 0n && w.m !== 0n) Sq = bin.add(Sq, bin.mul(y, w));
            }
            Sl[s * nOut + q] = Sq;
          }
        }
      }
      const Zl = new Array<BigFloat>(Sl.length);
      const Zcl = new Array<BigFloat>(Sl.length);
      for (let k = 0; k < Sl.length; k++) {
        try {
          const [Z, Zc] = this.sigmoid(Sl[k]!, l);
          Zl[k] = Z;
          Zcl[k] = Zc;
        } catch (error) {
          throw locateLimit(error, () => `layer ${l + 1}, sample ${Math.floor(k / nOut)}, unit ${k % nOut}: sigma(S) for the finite differences`);
        }
      }
      this.S.push(Sl);
      this.Z.push(Zl);
      this.Zc.push(Zcl);
    });
  }

  /** [sigma(S), sigma(-S)] of one unit: the activation's exact pair (`src/layers/sigmoid.ts`), from f = e^(-|S|). */
  sigmoid(S: BigFloat, l: number): [BigFloat, BigFloat] {
    return this.modules.elementwise(l).exact.pair(this.x, S);
  }

  /** Y of layer l: the batch's X for l = 0, else this network's own Z of layer l - 1. */
  inputsOf(l: number): BigFloat[] {
    if (l > 0) return this.Z[l - 1]!;
    if (!this.X) this.X = Array.from(this.batch.X, (x) => this.bin.fromNumber(x));
    return this.X;
  }

  /** sigma(S + D) - sigma(S) for unit i of layer m, sample s: the activation's change identity, from e^-|S + D|. */
  unitChange(m: number, s: number, i: number, D: BigFloat): BigFloat {
    if (D.m === 0n) return ZERO;
    const k = s * this.network.layers[m]!.nOut + i;
    return this.modules.elementwise(m).exact.change(this.x, this.S[m]![k]!, D, this.Z[m]![k]!, this.Zc[m]![k]!);
  }

  /** t and 1 - t of output k. */
  private target(k: number): ExactTarget<BigFloat> {
    return { t: this.t[k]!, tc: this.tc[k]!, raw: this.batch.T[k]! };
  }

  /**
   * The change of output i's loss term (before the reduction's divisor) when its S moves by D:
   * t [softplus(-S - D) - softplus(-S)] + (1 - t) [softplus(S + D) - softplus(S)] (the head's `termChange`).
   */
  outputChange(s: number, i: number, D: BigFloat): BigFloat {
    const { L } = this;
    if (D.m === 0n) return ZERO;
    const k = s * this.network.layers[L - 1]!.nOut + i;
    return this.modules.elementwiseHead.exact.termChange(this.x, this.S[L - 1]![k]!, D, this.Z[L - 1]![k]!, this.Zc[L - 1]![k]!, this.target(k));
  }

  /**
   * E(theta') - E(theta) when the pre-activations of layer l in sample s change by `changes`
   * (null: unchanged), carried through the layers above: D'_q = sum_i W_iq dZ_i.
   */
  lossChange(l: number, s: number, changes: readonly (BigFloat | null)[]): BigFloat {
    const { bin, L } = this;
    let change = changes;
    for (let m = l; ; m++) {
      const n = this.network.layers[m]!.nOut;
      if (m === L - 1) {
        let dE = ZERO;
        for (let i = 0; i < n; i++) {
          const D = change[i];
          if (D && D.m !== 0n) dE = bin.add(dE, this.outputChange(s, i, D));
        }
        return this.divisor === 1 ? dE : bin.div(dE, bin.fromInt(this.divisor));
      }
      const nNext = this.network.layers[m + 1]!.nOut;
      const W = this.W[m + 1]!;
      const next = new Array<BigFloat | null>(nNext).fill(null);
      for (let i = 0; i < n; i++) {
        const D = change[i];
        if (!D || D.m === 0n) continue;
        const dZ = this.unitChange(m, s, i, D);
        if (dZ.m === 0n) continue;
        for (let q = 0; q < nNext; q++) {
          const w = W[i * nNext + q]!;
          if (w.m === 0n) continue;
          const term = bin.mul(w, dZ);
          const prev = next[q];
          next[q] = prev ? bin.add(prev, term) : term;
        }
      }
      change = next;
    }
  }

  /** (E(S_i + h) - E(S_i - h)) / 2h for pre-activation i of layer l, sample s. */
  centralDifference(l: number, s: number, i: number, h: BigFloat): BigFloat {
    const n = this.network.layers[l]!.nOut;
    const unit = (v: BigFloat): (BigFloat | null)[] => {
      const u = new Array<BigFloat | null>(n).fill(null);
      u[i] = v;
      return u;
    };
    const up = this.lossChange(l, s, unit(h));
    const down = this.lossChange(l, s, unit(this.bin.neg(h)));
    return this.bin.div(this.bin.sub(up, down), this.bin.ldexp(h, 1));
  }

  /**
   * How many halvings of the step h keep the change that a step of layer l's pre-activations causes
   * at the output below h itself: a change D of the n_m units of layer m moves S^(m+1) by at most
   * |D| n_m max|W^(m+1)| / 4 (sigma' <= 1/4), so the central difference's truncation error stays
   * about h^2 relative however large the weights above (2^-k of the default step; k = 0 where
   * n_m max|W| / 4 <= 1 in every layer above).
   */
  stepHalvings(l: number): number {
    let k = 0;
    for (let m = l + 1; m < this.L; m++) {
      const { nIn, W } = this.network.layers[m]!;
      let biggest = 0;
      for (let q = 0; q < W.length; q++) biggest = Math.max(biggest, Math.abs(W[q]!));
      if (biggest > 0) k += Math.max(0, Math.ceil(Math.log2(biggest) + Math.log2(nIn) - 2));
    }
    return k;
  }
}
