import type { Batch, Network } from '../network/types.js';
import { BigFloat, Binary, bitsForDigits, ZERO } from './bigfloat.js';
import { BinaryMath } from './bigfloatMath.js';
import type { OracleContext } from './context.js';
import type { Decimal } from './decimal.js';
import { fromDecimal } from './decimalBridge.js';
import { exactRow, splitMatrix } from './exactDot.js';

/**
 * The oracle's computation in BigFloat (`bigfloat.ts`): forward pass, loss, analytic backward
 * pass with magnitudes, and finite differences through the pre-activations, all at
 * `bitsForDigits(precision)` bits (the context's digits and about ten more). `oracle.ts` turns
 * these into Decimals on demand; the verifier's hot paths read them directly.
 *
 * Notation of the derivation: S_i = sum_j Y_j W_ji (+ b_i), Z = sigma(S), Zc = 1 - Z = sigma(-S),
 * f = e^(-|S|); per layer every array is [B][n_l], index s * n_l + i.
 */

/** Options of the finite differences (see `finiteDifference.ts` for the method). */
export interface CoreDifferenceOptions {
  /** Step h; default 10^-ceil(P/2). */
  readonly step?: Decimal;
  /** Also the truncation estimate |D(h) - D(2h)| / 3. */
  readonly truncationEstimate?: boolean;
  /** Only these layers' pre-activations (default all). */
  readonly layers?: readonly number[];
}

/** dE/dS by central differences per layer ([B][n_l]); truncation estimates when asked. */
export interface CoreDifferences {
  readonly step: BigFloat;
  readonly preActivation: (BigFloat[] | null)[];
  readonly truncation: (BigFloat[] | null)[] | null;
}

const STEPS = new Map<number, BigFloat>();

/** The whole oracle for one network and batch, in BigFloat. */
export class CoreOracle {
  readonly bin: Binary;
  readonly math: BinaryMath;
  readonly B: number;
  readonly L: number;
  /** Divisor of the reduction: B n_L for "mean", else 1. */
  readonly divisor: number;
  readonly S: BigFloat[][] = [];
  readonly Z: BigFloat[][] = [];
  readonly Zc: BigFloat[][] = [];
  readonly f: BigFloat[][] = [];
  /** Z Zc = sigma'(S), per layer. */
  readonly slope: BigFloat[][] = [];
  readonly terms: BigFloat[] = [];
  readonly loss: BigFloat;
  readonly delta: BigFloat[][];
  readonly deltaMagnitude: BigFloat[][];
  private readonly weights: (BigFloat[] | undefined)[] = [];
  private readonly targets: BigFloat[];
  private readonly complements: BigFloat[];
  private inputs: BigFloat[] | undefined;

  constructor(
    readonly ctx: OracleContext,
    readonly network: Network,
    readonly batch: Batch,
  ) {
    this.bin = new Binary(bitsForDigits(ctx.precision));
    this.math = new BinaryMath(this.bin);
    this.B = batch.size;
    this.L = network.layers.length;
    this.divisor = network.reduction === 'mean' ? this.B * network.layers[this.L - 1]!.nOut : 1;
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
  target(k: number): { t: BigFloat; tc: BigFloat; raw: number } {
    return { t: this.targets[k]!, tc: this.complements[k]!, raw: this.batch.T[k]! };
  }

  private forward(): BigFloat {
    const { bin, math, B } = this;
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
      for (let k = 0; k < Sl.length; k++) {
        const S = Sl[k]!;
        // Z = 1/(1 + f), Zc = f/(1 + f) with f = e^(-|S|) <= 1: both sides to full relative precision
        const f = math.exp(bin.neg(bin.abs(S)));
        const near = bin.div(bin.one, bin.add(bin.one, f));
        const far = bin.mul(f, near);
        const neg = bin.isNeg(S);
        Zl[k] = neg ? far : near;
        Zcl[k] = neg ? near : far;
        fl[k] = f;
        slope[k] = bin.mul(near, far); // dZ/dS = Z (1 - Z)
      }
      this.S.push(Sl);
      this.Z.push(Zl);
      this.Zc.push(Zcl);
      this.f.push(fl);
      this.slope.push(slope);
    });
    // E = sum t softplus(-S) + (1-t) softplus(S), softplus(x) = max(x, 0) + log1p(e^-|x|)
    const SL = this.S[this.L - 1]!;
    const fL = this.f[this.L - 1]!;
    let E = ZERO;
    for (let k = 0; k < SL.length; k++) {
      const S = SL[k]!;
      const lp = math.log1p(fL[k]!);
      const neg = bin.isNeg(S);
      const spPlus = neg ? lp : bin.add(S, lp);
      const spMinus = neg ? bin.sub(lp, S) : lp;
      const { t, tc, raw } = this.target(k);
      const term = raw === 1 ? spMinus : raw === 0 ? spPlus : bin.add(bin.mul(t, spMinus), bin.mul(tc, spPlus));
      this.terms.push(term);
      E = bin.add(E, term);
    }
    return this.divisor === 1 ? E : bin.div(E, bin.fromInt(this.divisor));
  }

  /**
   * delta^(L)_i = ((1-t) Z_i - t Zc_i) / divisor, magnitude ((1-t) Z + t Zc) / divisor;
   * delta^(l)_j = Z_j Zc_j sum_i W_ji delta_i, magnitude Z_j Zc_j sum_i |W_ji| |delta_i|.
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
    for (let k = 0; k < ZL.length; k++) {
      const { t, tc, raw } = this.target(k);
      const a = raw === 0 ? ZL[k]! : bin.mul(tc, ZL[k]!);
      const c = raw === 1 ? ZcL[k]! : bin.mul(t, ZcL[k]!);
      const d = raw === 1 ? bin.neg(c) : raw === 0 ? a : bin.sub(a, c);
      const m = raw === 1 ? c : raw === 0 ? a : bin.add(a, c);
      dL[k] = div ? bin.div(d, div) : d;
      mL[k] = div ? bin.div(m, div) : m;
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
          let g = ZERO;
          let mg = ZERO;
          for (let i = 0; i < nOut; i++) {
            const w = W[j * nOut + i]!;
            if (w.m === 0n) continue;
            g = bin.add(g, bin.mul(w, d[s * nOut + i]!));
            mg = bin.add(mg, bin.mul(bin.abs(w), md[s * nOut + i]!));
          }
          const k = s * nIn + j;
          dp[k] = bin.mul(slope[k]!, g);
          mp[k] = bin.mul(slope[k]!, mg);
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

  /** sum_b Y_j(b) v_i(b) for a per-sample vector v of layer l (|Y_j| with `abs`). */
  sumOverBatch(l: number, j: number, i: number, v: readonly BigFloat[], abs: boolean): BigFloat {
    const { nIn, nOut } = this.network.layers[l]!;
    const Y = this.inputsOf(l);
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

  /**
   * E(theta') - E(theta) when pre-activation i of layer l in sample s changes by `change`
   * (carried through the layers above by exact identities, see `finiteDifference.ts`):
   *   sigma(S + D) - sigma(S)     = -Z Zc expm1(-D) / (1 + Zc expm1(-D))
   *   S'_q + D'_q                 = sum_k W_kq (Z_k + dZ_k)
   *   softplus(-S - D) - softplus(-S) = log1p(Zc expm1(-D)),  softplus(S + D) - softplus(S) = log1p(Z expm1(D))
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
      const W = this.weightsOf(m + 1);
      const next = new Array<BigFloat | null>(nNext).fill(null);
      for (let i = 0; i < n; i++) {
        const D = change[i];
        if (!D || D.m === 0n) continue;
        const dZ = this.unitChange(m, s, i, D);
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

  /** sigma(S + D) - sigma(S) = -Z Zc (e^-D - 1) / (1 + Zc (e^-D - 1)) for unit i of layer m, sample s. */
  unitChange(m: number, s: number, i: number, D: BigFloat): BigFloat {
    const { bin, math } = this;
    const k = s * this.network.layers[m]!.nOut + i;
    const em = math.expm1(bin.neg(D));
    return bin.neg(bin.div(bin.mul(this.slope[m]![k]!, em), bin.add(bin.one, bin.mul(this.Zc[m]![k]!, em))));
  }

  /**
   * The change of output i's loss term (before the reduction's divisor) when its S moves by D:
   * t [softplus(-S-D) - softplus(-S)] + (1-t) [softplus(S+D) - softplus(S)]
   *   = t log1p(Zc expm1(-D)) + (1-t) log1p(Z expm1(D)).
   */
  outputChange(s: number, i: number, D: BigFloat): BigFloat {
    const { bin, math, L } = this;
    const k = s * this.network.layers[L - 1]!.nOut + i;
    const { t, tc, raw } = this.target(k);
    let dE = ZERO;
    if (raw !== 0) {
      const dMinus = math.log1p(bin.mul(this.Zc[L - 1]![k]!, math.expm1(bin.neg(D))));
      dE = raw === 1 ? dMinus : bin.mul(t, dMinus);
    }
    if (raw !== 1) {
      const dPlus = math.log1p(bin.mul(this.Z[L - 1]![k]!, math.expm1(D)));
      dE = bin.add(dE, raw === 0 ? dPlus : bin.mul(tc, dPlus));
    }
    return dE;
  }

  /** The central difference of E in pre-activation i of layer l, sample s, with step h. */
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

  /** The default step 10^-ceil(P/2) as a BigFloat (made once per precision). */
  defaultStep(): BigFloat {
    let h = STEPS.get(this.ctx.precision);
    if (!h) {
      h = fromDecimal(this.bin, new this.ctx.D(10).pow(-Math.ceil(this.ctx.precision / 2)));
      STEPS.set(this.ctx.precision, h);
    }
    return h;
  }

  /** dE/dS of every pre-activation (of the layers asked) by central differences. */
  finiteDifferences(options: CoreDifferenceOptions = {}): CoreDifferences {
    const h = options.step ? fromDecimal(this.bin, options.step) : this.defaultStep();
    const layers = options.layers ?? this.network.layers.map((_, l) => l);
    const preActivation: (BigFloat[] | null)[] = this.network.layers.map(() => null);
    const truncation: (BigFloat[] | null)[] | null = options.truncationEstimate ? this.network.layers.map(() => null) : null;
    const three = this.bin.fromInt(3);
    for (const l of layers) {
      const n = this.network.layers[l]!.nOut;
      const g = new Array<BigFloat>(this.B * n);
      const tr = truncation ? new Array<BigFloat>(this.B * n) : null;
      for (let s = 0; s < this.B; s++) {
        for (let i = 0; i < n; i++) {
          const d1 = this.centralDifference(l, s, i, h);
          g[s * n + i] = d1;
          if (tr) {
            const d2 = this.centralDifference(l, s, i, this.bin.ldexp(h, 1));
            tr[s * n + i] = this.bin.div(this.bin.abs(this.bin.sub(d1, d2)), three);
          }
        }
      }
      preActivation[l] = g;
      if (truncation && tr) truncation[l] = tr;
    }
    return { step: h, preActivation, truncation };
  }
}
