import { reductionDivisor } from '../network/shape.js';
import type { Exact, ExactTarget } from '../layers/exact.js';
import { isRowwiseHead, modulesOf, type NetworkModules, type RowwiseHead } from '../layers/index.js';
import type { Batch, KinkSide, Network } from '../network/types.js';
import { ZERO, type BigFloat, type Binary } from './bigfloat.js';
import type { BinaryMath } from './bigfloatMath.js';
import { locateLimit } from './errors.js';
import { bigFloatExact } from './exactArithmetic.js';

/**
 * How a finite difference of one pre-activation (or of one direction) was taken:
 *   'central'         (E(S + h) - E(S - h)) / 2h: every rectifier unit the two steps move stays on
 *                     the piece whose slope backprop takes at its S (none moved across its kink,
 *                     none at an exact kink moved away from the declared side);
 *   'left' / 'right'  one-sided, second order, on that side only: (4 dE(sh) - dE(2sh)) / (2sh),
 *                     s = -1 or +1 (truncation h^2 |E'''| / 3, the central one's order): the
 *                     differenced unit itself sits exactly at its kink S = 0 (then the declared
 *                     side), or a unit above would leave its piece in the other direction;
 *   'not-comparable'  no direction keeps every moved rectifier on its piece (say two units at exact
 *                     kinks that need opposite steps): the central difference is kept as a number,
 *                     but it is not the derivative backprop defines, and callers must not compare it.
 */
export type DifferenceKind = 'central' | 'left' | 'right' | 'not-comparable';

/** A finite difference and how it was taken. */
export interface Difference {
  readonly value: BigFloat;
  readonly kind: DifferenceKind;
}

/** A carried loss change, and whether every rectifier unit it moved stayed on the piece whose slope backprop takes there. */
export interface CarriedChange {
  readonly dE: BigFloat;
  readonly onSide: boolean;
}

/**
 * The network the finite differences move, kept apart from the analytic pass (`core.ts`).
 *
 * It reads the network, the batch and the first layer's pre-activations S^(1) (exact dot products
 * of the given doubles, rounded once: the one array it shares with the forward pass) and nothing
 * else the oracle computed. Its own forward pass makes, per layer, Z and Zc of each unit from the
 * layer's module (`exact.pair`; a row-wise last layer, softmax, `exact.row` per sample), and S of
 * the layers above from its own Z; a moved pre-activation S' = S + D is evaluated from the module
 * at S' itself. So the finite differences never read the analytic pass's Z, Zc, f, slope or delta:
 * a wrong value there makes the two disagree.
 *
 * The change of one pre-activation by D is carried to the loss by exact identities, each a
 * product of factors held to full relative precision (no difference of nearly equal numbers,
 * so rounding does not grow as D shrinks). The unit's and the output's identities are the layer
 * modules' (`exact.change` of each activation, `exact.termChange` of the head), written once over
 * the `Exact` arithmetic; this class carries them through the weights:
 *   dZ_i         = f(S_i + D_i) - f(S_i)              (the layer's module, `exact.change`)
 *   S'_q + D'_q  = sum_i W_iq (Z_i + dZ_i) + b_q      (S is linear in Y)
 *   E' - E       = sum_k termChange_k(D_k)            (elementwise head: each output alone)
 *   E' - E       = the row's termChange (one moved S_k: it moves the whole softmax row), or its
 *                  termChangeOfRow (several, when a unit below moved; cce: sum_k t_k log1p(a_k),
 *                  a_k = sum over j != k of Z_j expm1(D_j - D_k)) (row-wise head, cce + softmax).
 * Version 1 (sigmoid, bce), as before:
 *   sigma(S + D) - sigma(S) = -sigma(S + D) sigma(-S) expm1(-D)     (D >= 0)
 *                           =  sigma(S) sigma(-S - D) expm1(D)      (D < 0)
 *   softplus(x + D) - softplus(x) = -log1p(sigma(x + D) expm1(-D))  (|D| <= 1/2)
 *   E' - E = t [softplus(-S - D) - softplus(-S)] + (1 - t) [softplus(S + D) - softplus(S)].
 * For |D| >= 1/2 (never from the oracle's own steps; possible in directional checks of extreme
 * networks) the modules take forms valid there (see each module).
 *
 * Kinks (relu, leaky_relu at S = 0: every activation whose `kink` is not 'none' has its one kink at
 * S = 0): each carried change records whether every rectifier unit it moved stayed on the piece
 * whose slope backprop takes at its unmoved S (S > 0 the right piece, S < 0 the left, S = 0 the
 * declared `kink` side); `difference` takes a central difference only where both steps do, else a
 * one-sided one (`DifferenceKind`, `oneSidedWhereNeeded`).
 *
 * Notation: per layer every array is [B][n_l], index s * n_l + i.
 */
export class PerturbedNetwork {
  readonly B: number;
  readonly L: number;
  /** Pre-activations of the unmoved network: S^(1) as given, the layers above from this network's own Z. */
  readonly S: BigFloat[][] = [];
  /** Z = f(S) and the module's complement Zc (sigmoid: sigma(-S)), from this network's own forward values. */
  readonly Z: BigFloat[][] = [];
  readonly Zc: BigFloat[][] = [];
  /** 1 for "sum", the reduction's divisor for "mean". */
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

  /** Z, Zc per layer from each layer's module; S^(l+1)_q = sum_j Z_j W_jq + b_q above the first layer. */
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
      const activation = this.modules.activation(l);
      if (activation.shape === 'rowwise') {
        // softmax: Z, Zc of each sample's row at once
        for (let s = 0; s < B; s++) {
          try {
            activation.exact.row(this.x, Sl, s * nOut, nOut, Zl, Zcl);
          } catch (error) {
            throw locateLimit(error, () => `layer ${l + 1}, sample ${s}: ${activation.name}(S) of the row for the finite differences`);
          }
        }
      } else {
        for (let k = 0; k < Sl.length; k++) {
          try {
            const [Z, Zc] = this.sigmoid(Sl[k]!, l);
            Zl[k] = Z;
            Zcl[k] = Zc;
          } catch (error) {
            throw locateLimit(error, () => `layer ${l + 1}, sample ${Math.floor(k / nOut)}, unit ${k % nOut}: ${activation.name === 'sigmoid' ? 'sigma' : activation.name}(S) for the finite differences`);
          }
        }
      }
      this.S.push(Sl);
      this.Z.push(Zl);
      this.Zc.push(Zcl);
    });
  }

  /** [Z, Zc] of one unit of elementwise layer l: the activation's exact pair (named for version 1's sigmoid: [sigma(S), sigma(-S)]). */
  sigmoid(S: BigFloat, l: number): [BigFloat, BigFloat] {
    return this.modules.elementwise(l).exact.pair(this.x, S);
  }

  /** Y of layer l: the batch's X for l = 0, else this network's own Z of layer l - 1. */
  inputsOf(l: number): BigFloat[] {
    if (l > 0) return this.Z[l - 1]!;
    if (!this.X) this.X = Array.from(this.batch.X, (x) => this.bin.fromNumber(x));
    return this.X;
  }

  /** f(S + D) - f(S) for unit i of elementwise layer m, sample s: the activation's change identity, from f at S + D. */
  unitChange(m: number, s: number, i: number, D: BigFloat): BigFloat {
    if (D.m === 0n) return ZERO;
    const k = s * this.network.layers[m]!.nOut + i;
    return this.modules.elementwise(m).exact.change(this.x, this.S[m]![k]!, D, this.Z[m]![k]!, this.Zc[m]![k]!);
  }

  /**
   * Whether moving unit i of layer m, sample s, by D keeps it on the piece whose slope backprop
   * takes at its unmoved S: always for a smooth activation; for a rectifier S > 0 must stay >= 0,
   * S < 0 stay <= 0, and S = 0 exactly move only to the declared kink side (or not at all).
   */
  keepsSide(m: number, s: number, i: number, D: BigFloat): boolean {
    const a = this.modules.activation(m);
    if (a.kink === 'none' || D.m === 0n) return true;
    const S = this.S[m]![s * this.network.layers[m]!.nOut + i]!;
    const right = S.m === 0n ? a.kink === 'right' : !this.bin.isNeg(S);
    // the sign of S + D rounded (rounding never flips it; 0 only when exactly 0): not x.moved, which drops a D below 2^-(W + 72) whatever S
    const moved = this.bin.add(S, D);
    return right ? !this.bin.isNeg(moved) : this.bin.isNeg(moved) || moved.m === 0n;
  }

  /** t and 1 - t of output k. */
  private target(k: number): ExactTarget<BigFloat> {
    return { t: this.t[k]!, tc: this.tc[k]!, raw: this.batch.T[k]! };
  }

  /**
   * The change of the loss (before the reduction's divisor) when output i's S in sample s moves by
   * D alone: the elementwise head's `termChange` of that output (bce: t [softplus(-S - D) -
   * softplus(-S)] + (1 - t) [softplus(S + D) - softplus(S)]), or the row-wise head's of the row.
   */
  outputChange(s: number, i: number, D: BigFloat): BigFloat {
    const { L } = this;
    if (D.m === 0n) return ZERO;
    const n = this.network.layers[L - 1]!.nOut;
    const k = s * n + i;
    const head = this.modules.head;
    if (isRowwiseHead(head)) return head.exact.termChange(this.x, this.S[L - 1]!, this.Z[L - 1]!, this.Zc[L - 1]!, (q) => this.target(q), s * n, n, k, D);
    return head.exact.termChange(this.x, this.S[L - 1]![k]!, D, this.Z[L - 1]![k]!, this.Zc[L - 1]![k]!, this.target(k));
  }

  /**
   * The change of sample s's loss terms (before the divisor) when its output pre-activations move
   * by D (null: unmoved). Elementwise head: the sum of each output's `outputChange`. Row-wise head:
   * one moved output by the head's `termChange`, several (a unit below moved) by its
   * `termChangeOfRow` (cce: sum_k t_k log1p(sum over j != k of Z_j expm1(D_j - D_k)), a common
   * shift exactly 0).
   */
  outputsChange(s: number, D: readonly (BigFloat | null)[]): BigFloat {
    const { bin, L, x } = this;
    const n = this.network.layers[L - 1]!.nOut;
    const head = this.modules.head;
    let dE = ZERO;
    if (!isRowwiseHead(head)) {
      for (let i = 0; i < n; i++) {
        const Di = D[i];
        if (Di && Di.m !== 0n) dE = bin.add(dE, this.outputChange(s, i, Di));
      }
      return dE;
    }
    const movedAt: number[] = [];
    for (let i = 0; i < n; i++) if (D[i] && D[i]!.m !== 0n) movedAt.push(i);
    if (movedAt.length === 0) return ZERO;
    if (movedAt.length === 1) return this.outputChange(s, movedAt[0]!, D[movedAt[0]!]!);
    const rowwise: RowwiseHead = head;
    if (!rowwise.exact.termChangeOfRow) throw new Error(`the ${head.loss} head on a ${head.activation} output has no termChangeOfRow: several outputs of a row cannot be moved at once`);
    const row = s * n;
    return rowwise.exact.termChangeOfRow(x, this.S[L - 1]!, this.Z[L - 1]!, (q) => this.target(q), row, n, D);
  }

  /**
   * E(theta') - E(theta) when the pre-activations of layer l in sample s change by `changes`
   * (null: unchanged), carried through the layers above: D'_q = sum_i W_iq dZ_i.
   */
  lossChange(l: number, s: number, changes: readonly (BigFloat | null)[]): BigFloat {
    return this.carry(l, s, changes).dE;
  }

  /** `lossChange`, and whether every rectifier unit the change moved stayed on its piece (`keepsSide`). */
  carry(l: number, s: number, changes: readonly (BigFloat | null)[]): CarriedChange {
    const { bin, L } = this;
    let change = changes;
    let onSide = true;
    for (let m = l; ; m++) {
      const n = this.network.layers[m]!.nOut;
      if (m === L - 1) {
        for (let i = 0; i < n && onSide; i++) {
          const D = change[i];
          if (D && !this.keepsSide(m, s, i, D)) onSide = false;
        }
        const dE = this.outputsChange(s, change);
        return { dE: this.divisor === 1 ? dE : bin.div(dE, bin.fromInt(this.divisor)), onSide };
      }
      const nNext = this.network.layers[m + 1]!.nOut;
      const W = this.W[m + 1]!;
      const next = new Array<BigFloat | null>(nNext).fill(null);
      for (let i = 0; i < n; i++) {
        const D = change[i];
        if (!D || D.m === 0n) continue;
        if (onSide && !this.keepsSide(m, s, i, D)) onSide = false;
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

  /** The change vector of layer l's units with v at unit i alone. */
  private single(l: number, i: number, v: BigFloat): (BigFloat | null)[] {
    const u = new Array<BigFloat | null>(this.network.layers[l]!.nOut).fill(null);
    u[i] = v;
    return u;
  }

  /** (E(S_i + h) - E(S_i - h)) / 2h for pre-activation i of layer l, sample s (no kink check: see `difference`). */
  centralDifference(l: number, s: number, i: number, h: BigFloat): BigFloat {
    const up = this.lossChange(l, s, this.single(l, i, h));
    const down = this.lossChange(l, s, this.single(l, i, this.bin.neg(h)));
    return this.bin.div(this.bin.sub(up, down), this.bin.ldexp(h, 1));
  }

  /**
   * dE/dS of pre-activation i of layer l, sample s, by a difference whose limit is the derivative
   * backprop defines (`DifferenceKind`): central where both steps keep every rectifier on its
   * piece, else one-sided of second order on the side that does (the declared side tried first),
   * else the central difference marked not comparable. Without rectifiers: the central difference.
   */
  difference(l: number, s: number, i: number, h: BigFloat): Difference {
    return oneSidedWhereNeeded(this.bin, h, this.kink, (hs) => this.carry(l, s, this.single(l, i, hs)), !this.modules.version1);
  }

  /**
   * How many halvings of the step h keep the change that a step of layer l's pre-activations causes
   * at the output below h itself: a change D of the n_m units of layer m moves S^(m+1) by at most
   * |D| n_m max|W^(m+1)| max|f_m'| (sigmoid's 1/4; 1 for tanh, the rectifiers and linear: the
   * module's `bound.propagated(0, 1)`, the largest slope over [-1, 1], where each one peaks), so
   * the difference's truncation error stays about h^2 relative however large the weights above
   * (2^-k of the default step; k = 0 where n_m max|W| max|f'| <= 1 in every layer above).
   */
  stepHalvings(l: number): number {
    let k = 0;
    for (let m = l + 1; m < this.L; m++) {
      const { nIn, W } = this.network.layers[m]!;
      let biggest = 0;
      for (let q = 0; q < W.length; q++) biggest = Math.max(biggest, Math.abs(W[q]!));
      const slope = this.modules.elementwise(m - 1).bound.propagated(0, 1);
      if (biggest > 0) k += Math.max(0, Math.ceil(Math.log2(biggest) + Math.log2(nIn) + Math.log2(slope)));
    }
    return k;
  }
}

/**
 * The difference of a function whose change `carry(hs)` gives (E(theta + hs v) - E(theta), and
 * whether every rectifier stayed on its piece): central (E(+h) - E(-h)) / 2h where both steps stay;
 * else second-order one-sided (4 dE(sh) - dE(2sh)) / (2sh), s = -1 ('left') or +1 ('right'), the
 * declared `kink` side tried first, where both of its steps stay; else the same at steps smaller
 * by 2^128, 2^256, ... 2^4096 in turn (a rectifier near its kink crosses it only under a step too
 * large); else the central difference, 'not-comparable'. Shared by the per-pre-activation and the
 * directional differences.
 *
 * With `refine` (every network but version 1's, whose differences stay as they were): each change
 * is held to the working precision relative to itself, and the combination cancels its even part
 * (~ E'' h^2); where that outweighs the result by more than 2^16 (mse with |Z - t| far below h, say
 * t = 1e-300 at Z = 0; a leaky_relu output at its kink with a tiny alpha) the same difference is
 * taken again at a step smaller by the excess (at most 8 times, a shrink that did not suffice
 * doubled; the truncation only falls), as long as the smaller steps keep every rectifier on its
 * piece too.
 */
export function oneSidedWhereNeeded(bin: Binary, h: BigFloat, kink: KinkSide, carry: (hs: BigFloat) => CarriedChange, refine = false): Difference {
  const first = differenceAt(bin, h, kink, carry, refine);
  if (first.kind !== 'not-comparable') return first;
  // a rectifier near its kink (0 < |S| below the step's move) leaves its piece only because the step
  // is too large: retry at steps smaller by 2^128, 2^256, ... (to 2^-8064 of h); units exactly at
  // their kink that need opposite steps stay not comparable at every step
  let hc = h;
  for (let k = 128; k <= 4096; k *= 2) {
    hc = bin.ldexp(hc, -k);
    const next = differenceAt(bin, hc, kink, carry, refine);
    if (next.kind !== 'not-comparable') return next;
  }
  return first;
}

/** `oneSidedWhereNeeded` at one step h (with its refinement to smaller steps where the even part outweighs the difference). */
function differenceAt(bin: Binary, h: BigFloat, kink: KinkSide, carry: (hs: BigFloat) => CarriedChange, refine: boolean): Difference {
  // one scheme at step hc: its two changes, the combined difference, and whether both stayed on side
  const central = (hc: BigFloat): Attempt => {
    const up = carry(hc);
    const down = carry(bin.neg(hc));
    return { onSide: up.onSide && down.onSide, combined: bin.sub(up.dE, down.dE), scale: bin.add(bin.abs(up.dE), bin.abs(down.dE)), divisor: bin.ldexp(hc, 1) };
  };
  const oneSided = (sign: 1 | -1) => (hc: BigFloat): Attempt => {
    const hs = sign > 0 ? hc : bin.neg(hc);
    const one = carry(hs);
    if (!one.onSide) return { onSide: false, combined: ZERO, scale: ZERO, divisor: hc };
    const two = carry(bin.ldexp(hs, 1));
    const four = bin.ldexp(one.dE, 2);
    // (4 (E(sh) - E) - (E(2sh) - E)) / 2sh = (-3E + 4E(sh) - E(2sh)) / 2sh
    return { onSide: two.onSide, combined: bin.sub(four, two.dE), scale: bin.add(bin.abs(four), bin.abs(two.dE)), divisor: bin.ldexp(hs, 1) };
  };
  const refined = (scheme: (hc: BigFloat) => Attempt, first: Attempt): BigFloat => {
    let at = first;
    let hc = h;
    let shrunk = 0;
    for (let round = 0; refine && round < 8 && at.scale.m !== 0n; round++) {
      // a combination of exactly 0 lies below 2^-bits of its parts; a shrink that did not suffice
      // (the combination was rounding noise) is doubled, so that 8 rounds reach 2^-(255 bits) of h
      const measured = at.combined.m === 0n ? bin.bits - 16 : Math.ceil((bin.log10Abs(at.scale) - bin.log10Abs(at.combined)) * Math.log2(10)) - 16;
      if (measured <= 0) break;
      const excess = Math.max(measured, 2 * shrunk);
      shrunk = excess;
      const smaller = bin.ldexp(hc, -excess);
      const next = scheme(smaller);
      if (!next.onSide) break;
      hc = smaller;
      at = next;
    }
    return bin.div(at.combined, at.divisor);
  };
  const c = central(h);
  if (c.onSide) return { value: refined(central, c), kind: 'central' };
  const order: (1 | -1)[] = kink === 'left' ? [-1, 1] : [1, -1];
  for (const sign of order) {
    const scheme = oneSided(sign);
    const first = scheme(h);
    if (first.onSide) return { value: refined(scheme, first), kind: sign > 0 ? 'right' : 'left' };
  }
  return { value: bin.div(c.combined, c.divisor), kind: 'not-comparable' };
}

/** One difference scheme at one step: the combination of its changes, their summed magnitude, what it is divided by, and whether every step stayed on side. */
interface Attempt {
  readonly onSide: boolean;
  readonly combined: BigFloat;
  readonly scale: BigFloat;
  readonly divisor: BigFloat;
}
