import { reductionDivisor } from '../network/shape.js';
import type { Exact, ExactTarget, ExactUnit } from '../layers/exact.js';
import { isRowwiseHead, modulesOf, type NetworkModules, type RowwiseActivation } from '../layers/index.js';
import type { Batch, KinkSide, Network } from '../network/types.js';
import { BigFloat, Binary, bitsForDigits, ZERO } from './bigfloat.js';
import { BinaryMath } from './bigfloatMath.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { fromDecimal } from './decimalBridge.js';
import { locateLimit } from './errors.js';
import { bigFloatExact } from './exactArithmetic.js';
import { exactRow, splitMatrix } from './exactDot.js';
import { PerturbedNetwork, type DifferenceKind } from './perturbed.js';

export type { DifferenceKind } from './perturbed.js';

/**
 * The oracle's computation in BigFloat (`bigfloat.ts`): forward pass, loss, analytic backward
 * pass with magnitudes, and finite differences through the pre-activations, all at
 * `bitsForDigits(precision)` bits (the context's digits and about ten more). `oracle.ts` turns
 * these into Decimals on demand; the verifier's hot paths read them directly. The finite
 * differences move a network of their own (`perturbed.ts`), which shares only the first layer's
 * pre-activations with this one: none of the Z, Zc, f, slope or delta arrays below.
 *
 * Notation of the derivation: S_i = sum_j Y_j W_ji (+ b_i), Z = f(S) with each layer's activation
 * f, Zc its module's complement (sigmoid 1 - Z = sigma(-S), tanh 1 - Z^2, the rectifiers min(S, 0),
 * linear 0, softmax 1 - Z), f = e^(-|S|); per layer every array is [B][n_l], index s * n_l + i.
 * Every formula is a layer module's exact identity (`src/layers`), instantiated with this oracle's
 * BigFloat (`exactArithmetic.ts`), for the network's modules (`modulesOf(network, kink)`):
 *   forward  elementwise layers unit by unit (`exact.unit`: Z, Zc, f, slope); a row-wise last
 *            layer (softmax) row by row (`exact.row`), f and slope then unused (`rowForward`);
 *   loss     the head's `exact.term` per output (elementwise), `exact.termRow` per sample (row-wise);
 *   backward the head's `exact.deltaRow` (row by row for both kinds), then delta_j = f'(S_j)
 *            sum_i W_ji delta_i with each hidden layer's slope (a rectifier's at S = 0 from `kink`).
 */

/** Options of the finite differences (see `perturbed.ts` for the method). */
export interface CoreDifferenceOptions {
  /** Step h for every layer; default 10^-ceil(P/2), halved where large weights above would amplify it (`PerturbedNetwork.stepHalvings`). */
  readonly step?: Decimal;
  /** Also the truncation estimate |D(h) - D(2h)| / 3. */
  readonly truncationEstimate?: boolean;
  /** Only these layers' pre-activations (default all). */
  readonly layers?: readonly number[];
}

/** dE/dS by finite differences per layer ([B][n_l]): central, one-sided at kinks (`kinds`); truncation estimates when asked. */
export interface CoreDifferences {
  /** The default (or given) step h. */
  readonly step: BigFloat;
  /** The step of each layer's differences: h, or h / 2^k for the layers below large weights. */
  readonly steps: BigFloat[];
  readonly preActivation: (BigFloat[] | null)[];
  readonly truncation: (BigFloat[] | null)[] | null;
  /**
   * How each difference of `preActivation` was taken (`DifferenceKind`, `perturbed.ts`): 'central',
   * one-sided 'left' / 'right' (a rectifier at its kink, S = 0 exactly, or one that a step the other
   * way would move off its piece), or 'not-comparable' (no side keeps every rectifier on its piece:
   * the value is the central difference, not the derivative backprop defines). Null where not computed.
   */
  readonly kinds: (DifferenceKind[] | null)[];
  /** How many of the computed differences are one-sided, and how many not comparable. */
  readonly oneSided: number;
  readonly notComparable: number;
  /** Y of each layer in the differenced network (X, then its own Z = f(S)): dE/dW_ji = sum_b Y_j dE/dS_i. */
  readonly inputs: readonly (readonly BigFloat[])[];
}

/** The forward pass's values of one unit: Z = f(S), Zc, e^(-|S|), slope f'(S) (the activation module's `exact.unit`; sigmoid: sigma(S), sigma(-S), Z Zc). */
export type UnitValues = ExactUnit<BigFloat>;

const STEPS = new Map<number, BigFloat>();

/** How a located limit names the forward value of an activation (`Z = sigma(S)` for version 1's sigmoid, as before). */
export function formulaOf(name: string): string {
  return name === 'sigmoid' ? 'Z = sigma(S)' : `Z = ${name}(S)`;
}

/** The whole oracle for one network and batch, in BigFloat. */
export class CoreOracle {
  readonly bin: Binary;
  readonly math: BinaryMath;
  /** The layers' exact identities in this oracle's BigFloat, and the network's layer modules. */
  private readonly x: Exact<BigFloat>;
  private readonly modules: NetworkModules;
  readonly B: number;
  readonly L: number;
  /** Divisor of the reduction: B n_L for "mean", else 1. */
  readonly divisor: number;
  readonly S: BigFloat[][] = [];
  readonly Z: BigFloat[][] = [];
  readonly Zc: BigFloat[][] = [];
  readonly f: BigFloat[][] = [];
  /** f'(S) per layer, from each layer's module (sigmoid: Z Zc; a softmax last layer: Z Zc, the Jacobian's diagonal, unused). */
  readonly slope: BigFloat[][] = [];
  /** The loss terms before the divisor: per sample and output [B][n_L] (elementwise head), per sample [B] (row-wise head: the row's term). */
  readonly terms: BigFloat[] = [];
  readonly loss: BigFloat;
  readonly delta: BigFloat[][];
  readonly deltaMagnitude: BigFloat[][];
  private readonly weights: (BigFloat[] | undefined)[] = [];
  private readonly targets: BigFloat[];
  private readonly complements: BigFloat[];
  private inputs: BigFloat[] | undefined;
  private moved: PerturbedNetwork | undefined;

  constructor(
    readonly ctx: OracleContext,
    readonly network: Network,
    readonly batch: Batch,
    /** The side whose derivative a rectifier takes at S = 0 exactly: the implementation's declared convention (protocol default 'left'). */
    readonly kink: KinkSide = 'left',
  ) {
    this.bin = new Binary(bitsForDigits(ctx.precision));
    this.math = new BinaryMath(this.bin);
    this.x = bigFloatExact(this.bin, this.math);
    this.modules = modulesOf(network, kink);
    this.B = batch.size;
    this.L = network.layers.length;
    this.divisor = reductionDivisor(network, this.B);
    this.targets = Array.from(batch.T, (t) => this.bin.fromNumber(t));
    this.complements = this.targets.map((t) => this.bin.sub(this.bin.one, t));
    this.loss = this.forward();
    const back = this.backward();
    this.delta = back.delta;
    this.deltaMagnitude = back.magnitude;
  }

  /** W of layer l as BigFloats (exact), made once. */
  weightsOf(l: number): BigFloat[] {
    let w = this.weights[l];
    if (!w) {
      w = Array.from(this.network.layers[l]!.W, (x) => this.bin.fromNumber(x));
      this.weights[l] = w;
    }
    return w;
  }

  /** The batch's inputs X as BigFloats, [B][n_0]. */
  inputsX(): BigFloat[] {
    if (!this.inputs) this.inputs = Array.from(this.batch.X, (x) => this.bin.fromNumber(x));
    return this.inputs;
  }

  /** Y of layer l: X for l = 0, else Z of layer l - 1. */
  inputsOf(l: number): BigFloat[] {
    return l === 0 ? this.inputsX() : this.Z[l - 1]!;
  }

  /** t and 1 - t of output k (exact doubles in, 1 - t to full width). */
  target(k: number): ExactTarget<BigFloat> {
    return { t: this.targets[k]!, tc: this.complements[k]!, raw: this.batch.T[k]! };
  }

  /** S_i = sum_j Y_j W_ji (+ b_i), Z = f(S) per layer by its module, then the loss E. */
  private forward(): BigFloat {
    const { bin, B } = this;
    this.network.layers.forEach(({ nIn, nOut, W, b }, l) => {
      const Sl = new Array<BigFloat>(B * nOut);
      if (l === 0) {
        // the first layer's inputs and weights are doubles: exact dot products, rounded once
        const split = splitMatrix(W, nIn, nOut);
        for (let s = 0; s < B; s++) {
          const row = exactRow(bin, this.batch.X, s * nIn, nIn, nOut, split, b);
          for (let i = 0; i < nOut; i++) Sl[s * nOut + i] = row[i]!;
        }
      } else {
        const Wb = this.weightsOf(l);
        const Y = this.Z[l - 1]!;
        const bias = b ? Array.from(b, (x) => bin.fromNumber(x)) : null;
        for (let s = 0; s < B; s++) {
          for (let i = 0; i < nOut; i++) {
            let Si = bias ? bias[i]! : ZERO;
            for (let j = 0; j < nIn; j++) {
              const y = Y[s * nIn + j]!;
              const w = Wb[j * nOut + i]!;
              if (y.m !== 0n && w.m !== 0n) Si = bin.add(Si, bin.mul(y, w));
            }
            Sl[s * nOut + i] = Si;
          }
        }
      }
      const Zl = new Array<BigFloat>(B * nOut);
      const Zcl = new Array<BigFloat>(B * nOut);
      const fl = new Array<BigFloat>(B * nOut);
      const slope = new Array<BigFloat>(B * nOut);
      const activation = this.modules.activation(l);
      if (activation.shape === 'rowwise') {
        this.rowForward(l, activation, Sl, nOut, Zl, Zcl, fl, slope);
        this.S.push(Sl);
        this.Z.push(Zl);
        this.Zc.push(Zcl);
        this.f.push(fl);
        this.slope.push(slope);
        return;
      }
      for (let k = 0; k < Sl.length; k++) {
        let u: UnitValues;
        try {
          u = this.unit(l, k, Sl[k]!);
        } catch (error) {
          throw locateLimit(error, () => `layer ${l + 1}, sample ${Math.floor(k / nOut)}, unit ${k % nOut}: ${formulaOf(this.modules.activation(l).name)} for S = ${this.bin.toNumber(Sl[k]!).toPrecision(6)}`);
        }
        Zl[k] = u.Z;
        Zcl[k] = u.Zc;
        fl[k] = u.f;
        slope[k] = u.slope;
      }
      this.S.push(Sl);
      this.Z.push(Zl);
      this.Zc.push(Zcl);
      this.f.push(fl);
      this.slope.push(slope);
    });
    return this.lossOf();
  }

  /**
   * A row-wise last layer (softmax): Z, Zc of each sample's row from the activation's `exact.row`
   * (Zc_k = 1 - Z_k, the other units' share). f = e^(-|S|) as for every unit, and slope the
   * Jacobian's diagonal dZ_k/dS_k = Z_k Zc_k: neither is read by the loss or the backward pass
   * (the head gives the fused output delta), both kept so that every layer's arrays mean the same.
   */
  private rowForward(l: number, activation: RowwiseActivation, Sl: BigFloat[], n: number, Zl: BigFloat[], Zcl: BigFloat[], fl: BigFloat[], slope: BigFloat[]): void {
    const { bin, x } = this;
    for (let s = 0; s < this.B; s++) {
      try {
        activation.exact.row(x, Sl, s * n, n, Zl, Zcl);
      } catch (error) {
        throw locateLimit(error, () => `layer ${l + 1}, sample ${s}: ${formulaOf(activation.name)} of the row`);
      }
    }
    for (let k = 0; k < Sl.length; k++) {
      fl[k] = this.math.exp(bin.neg(bin.abs(Sl[k]!)));
      slope[k] = bin.mul(Zl[k]!, Zcl[k]!);
    }
  }

  /**
   * The exact values of unit k of elementwise layer l from its module (sigmoid: Z = 1/(1 + f),
   * Zc = f/(1 + f) with f = e^(-|S|) <= 1, swapped for S < 0, both sides to full relative
   * precision however saturated; slope = dZ/dS = Z Zc). The arguments are a seam: specs override
   * this to corrupt one layer's values.
   */
  protected unit(l: number, _k: number, S: BigFloat): UnitValues {
    return this.modules.elementwise(l).exact.unit(this.x, S);
  }

  /**
   * E = sum of the head's terms, then divided by the reduction's divisor. Elementwise head: one
   * term per sample and output (`exact.term`; bce: t softplus(-S) + (1-t) softplus(S), softplus(x) =
   * max(x, 0) + log1p(e^-|x|)), `terms` [B][n_L]. Row-wise head (cce + softmax): one term per sample,
   * the row's (`exact.termRow`: sum_k t_k (lse(S) - S_k)), `terms` [B].
   */
  private lossOf(): BigFloat {
    const { bin } = this;
    const SL = this.S[this.L - 1]!;
    const fL = this.f[this.L - 1]!;
    const head = this.modules.head;
    let E = ZERO;
    if (isRowwiseHead(head)) {
      const n = this.network.layers[this.L - 1]!.nOut;
      for (let s = 0; s < this.B; s++) {
        let term: BigFloat;
        try {
          term = head.exact.termRow(this.x, SL, (k) => this.target(k), s * n, n);
        } catch (error) {
          throw locateLimit(error, () => `sample ${s}: the ${head.loss} term of the ${head.activation} row`);
        }
        this.terms.push(term);
        E = bin.add(E, term);
      }
    } else {
      for (let k = 0; k < SL.length; k++) {
        const term = head.exact.term(this.x, SL[k]!, fL[k]!, this.target(k));
        this.terms.push(term);
        E = bin.add(E, term);
      }
    }
    return this.divisor === 1 ? E : bin.div(E, bin.fromInt(this.divisor));
  }

  /**
   * delta^(L) = the head's exact.deltaRow / divisor (bce: ((1-t) Z_i - t Zc_i), magnitude
   * ((1-t) Z + t Zc); cce: Z_k s_k - t_k Zc_k; mse: 2 (Z - t) f'(S)), row by row;
   * delta^(l)_j = f'(S_j) sum_i W_ji delta_i, magnitude |f'(S_j)| sum_i |W_ji| |delta_i| (sigmoid: Z_j Zc_j).
   */
  private backward(): { delta: BigFloat[][]; magnitude: BigFloat[][] } {
    const { bin, B, L } = this;
    const delta = new Array<BigFloat[]>(L);
    const magnitude = new Array<BigFloat[]>(L);
    const ZL = this.Z[L - 1]!;
    const ZcL = this.Zc[L - 1]!;
    const div = this.divisor === 1 ? null : bin.fromInt(this.divisor);
    const dL = new Array<BigFloat>(ZL.length);
    const mL = new Array<BigFloat>(ZL.length);
    const nL = this.network.layers[L - 1]!.nOut;
    for (let s = 0; s < B; s++) this.modules.head.exact.deltaRow(this.x, ZL, ZcL, (k) => this.target(k), s * nL, nL, dL, mL);
    if (div) {
      for (let k = 0; k < ZL.length; k++) {
        dL[k] = bin.div(dL[k]!, div);
        mL[k] = bin.div(mL[k]!, div);
      }
    }
    delta[L - 1] = dL;
    magnitude[L - 1] = mL;
    for (let l = L - 1; l >= 1; l--) {
      const { nIn, nOut } = this.network.layers[l]!;
      const W = this.weightsOf(l);
      const d = delta[l]!;
      const md = magnitude[l]!;
      const slope = this.slope[l - 1]!;
      const dp = new Array<BigFloat>(B * nIn);
      const mp = new Array<BigFloat>(B * nIn);
      for (let s = 0; s < B; s++) {
        for (let j = 0; j < nIn; j++) {
          const k = s * nIn + j;
          try {
            let g = ZERO;
            let mg = ZERO;
            for (let i = 0; i < nOut; i++) {
              const w = W[j * nOut + i]!;
              if (w.m === 0n) continue;
              g = bin.add(g, bin.mul(w, d[s * nOut + i]!));
              mg = bin.add(mg, bin.mul(bin.abs(w), md[s * nOut + i]!));
            }
            dp[k] = bin.mul(slope[k]!, g);
            mp[k] = bin.mul(slope[k]!, mg);
          } catch (error) {
            throw locateLimit(error, () => `layer ${l}, sample ${s}, unit ${j}: delta = ${this.modules.activation(l - 1).name === 'sigmoid' ? 'Z Zc' : `${this.modules.activation(l - 1).name}'(S)`} sum_i W_ji delta_i for S = ${bin.toNumber(this.S[l - 1]![k]!).toPrecision(6)}`);
          }
        }
      }
      delta[l - 1] = dp;
      magnitude[l - 1] = mp;
    }
    return { delta, magnitude };
  }

  /** dE/dW_ji = sum_b Y_j delta_i of layer l. */
  weightGradient(l: number, j: number, i: number): BigFloat {
    return this.sumOverBatch(l, j, i, this.delta[l]!, false);
  }

  /** The magnitude of dE/dW_ji: sum_b |Y_j| |delta_i| (with delta's own magnitude). */
  weightMagnitude(l: number, j: number, i: number): BigFloat {
    return this.sumOverBatch(l, j, i, this.deltaMagnitude[l]!, true);
  }

  /** sum_b Y_j(b) v_i(b) for a per-sample vector v of layer l (|Y_j| with `abs`); Y this pass's inputs unless given. */
  sumOverBatch(l: number, j: number, i: number, v: readonly BigFloat[], abs: boolean, Y: readonly BigFloat[] = this.inputsOf(l)): BigFloat {
    const { nIn, nOut } = this.network.layers[l]!;
    let sum = ZERO;
    for (let s = 0; s < this.B; s++) {
      const y = Y[s * nIn + j]!;
      sum = this.bin.add(sum, this.bin.mul(abs ? this.bin.abs(y) : y, v[s * nOut + i]!));
    }
    return sum;
  }

  /** sum_b v_i(b): the bias gradient (or its magnitude) from a per-sample vector of layer l. */
  sumSamples(l: number, i: number, v: readonly BigFloat[]): BigFloat {
    const nOut = this.network.layers[l]!.nOut;
    let sum = ZERO;
    for (let s = 0; s < this.B; s++) sum = this.bin.add(sum, v[s * nOut + i]!);
    return sum;
  }

  /** The network the finite differences move (`perturbed.ts`), made on first use. */
  get perturbed(): PerturbedNetwork {
    return (this.moved ??= new PerturbedNetwork(this.bin, this.math, this.network, this.batch, this.S[0]!, this.kink));
  }

  /**
   * E(theta') - E(theta) when the pre-activations of layer l in sample s change by `changes`,
   * carried through the layers above by exact identities in the differenced network
   * (`PerturbedNetwork.lossChange`; it reads none of this object's Z, Zc, f, slope or delta).
   */
  lossChange(l: number, s: number, changes: readonly (BigFloat | null)[]): BigFloat {
    return this.perturbed.lossChange(l, s, changes);
  }

  /** f(S + D) - f(S) for unit i of elementwise layer m, sample s, by its module's change identity (`PerturbedNetwork.unitChange`). */
  unitChange(m: number, s: number, i: number, D: BigFloat): BigFloat {
    return this.perturbed.unitChange(m, s, i, D);
  }

  /** The loss change (before the divisor) when output i of sample s moves by D alone: the head's termChange (bce: t [softplus(-S-D) - softplus(-S)] + (1-t) [softplus(S+D) - softplus(S)]; `PerturbedNetwork.outputChange`). */
  outputChange(s: number, i: number, D: BigFloat): BigFloat {
    return this.perturbed.outputChange(s, i, D);
  }

  /** (E(S_i + h) - E(S_i - h)) / 2h in pre-activation i of layer l, sample s. */
  centralDifference(l: number, s: number, i: number, h: BigFloat): BigFloat {
    return this.perturbed.centralDifference(l, s, i, h);
  }

  /** The default step 10^-ceil(P/2) as a BigFloat (made once per precision). */
  defaultStep(): BigFloat {
    let h = STEPS.get(this.ctx.precision);
    if (!h) {
      h = fromDecimal(this.bin, new this.ctx.D(10).pow(-Math.ceil(this.ctx.precision / 2)));
      STEPS.set(this.ctx.precision, h);
    }
    return h;
  }

  /**
   * dE/dS of every pre-activation (of the layers asked) by finite differences (`PerturbedNetwork.difference`:
   * central, or one-sided where a rectifier sits at its kink), with h (default) or h / 2^k below large weights.
   */
  finiteDifferences(options: CoreDifferenceOptions = {}): CoreDifferences {
    const h = options.step ? fromDecimal(this.bin, options.step) : this.defaultStep();
    const net = this.perturbed;
    const layers = options.layers ?? this.network.layers.map((_, l) => l);
    const preActivation: (BigFloat[] | null)[] = this.network.layers.map(() => null);
    const truncation: (BigFloat[] | null)[] | null = options.truncationEstimate ? this.network.layers.map(() => null) : null;
    const steps = this.network.layers.map((_, l) => (options.step ? h : this.bin.ldexp(h, -net.stepHalvings(l))));
    const three = this.bin.fromInt(3);
    const kinds: (DifferenceKind[] | null)[] = this.network.layers.map(() => null);
    let oneSided = 0;
    let notComparable = 0;
    for (const l of layers) {
      const n = this.network.layers[l]!.nOut;
      const hl = steps[l]!;
      const g = new Array<BigFloat>(this.B * n);
      const tr = truncation ? new Array<BigFloat>(this.B * n) : null;
      const kl = new Array<DifferenceKind>(this.B * n);
      for (let s = 0; s < this.B; s++) {
        for (let i = 0; i < n; i++) {
          try {
            const d1 = net.difference(l, s, i, hl);
            g[s * n + i] = d1.value;
            kl[s * n + i] = d1.kind;
            if (d1.kind === 'not-comparable') notComparable += 1;
            else if (d1.kind !== 'central') oneSided += 1;
            if (tr) {
              // the same kind of difference at 2h (a one-sided D(h) - D(2h) is also 3 times D(h)'s truncation, h^2 E''' / 3)
              const d2 = net.difference(l, s, i, this.bin.ldexp(hl, 1));
              tr[s * n + i] = this.bin.div(this.bin.abs(this.bin.sub(d1.value, d2.value)), three);
            }
          } catch (error) {
            throw locateLimit(error, () => `layer ${l + 1}, sample ${s}, unit ${i}: the finite difference dE/dS for S = ${this.bin.toNumber(this.S[l]![s * n + i]!).toPrecision(6)}`);
          }
        }
      }
      preActivation[l] = g;
      kinds[l] = kl;
      if (truncation && tr) truncation[l] = tr;
    }
    return { step: h, steps, preActivation, truncation, kinds, oneSided, notComparable, inputs: this.network.layers.map((_, l) => net.inputsOf(l)) };
  }
}
