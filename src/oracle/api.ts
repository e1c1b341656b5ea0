/**
 * The oracle's door: what compare/ and verify/ may ask of the oracle, by entry location. Nothing
 * outside src/oracle sees a BigFloat: values come back as `OracleValue`s (a number held at the
 * oracle's precision: as a double, as text, or its distance from a double).
 *
 * Finite and directional differences are those of the independently differenced network
 * (`perturbed.ts`): its own Z and its own Y, never the analytic pass's Z, Zc, slope or delta.
 */
import { parameterCount, reductionDivisor } from '../network/shape.js';
import { isVersion1, type Batch, type KinkSide, type Network } from '../network/types.js';
import type { EntryLocation } from '../types.js';
import { doubleParts, sh, ZERO, type BigFloat, type Binary } from './bigfloat.js';
import type { OracleContext } from './context.js';
import { CoreOracle, type CoreDifferences } from './core.js';
import { oneSidedWhereNeeded, type CarriedChange, type DifferenceKind } from './perturbed.js';

export type { DifferenceKind } from './perturbed.js';
import type { Decimal } from './decimal.js';
import { toDecimal } from './decimalBridge.js';

import type { OracleResult } from './oracle.js';

export { createContext, DEFAULT_PRECISION, type OracleContext } from './context.js';
export type { Decimal, DecimalConstructor } from './decimal.js';
export { exactDecimalString } from './exact.js';
export { oracle, type OracleOptions, type OracleResult } from './oracle.js';

/** A number at the oracle's precision. */
export class OracleValue {
  /** @internal */
  constructor(
    private readonly bin: Binary,
    private readonly D: OracleContext['D'],
    /** @internal */ readonly x: BigFloat,
  ) {}

  /** Rounded once to a double. */
  toNumber(): number {
    return this.bin.toNumber(this.x);
  }

  /** |this - value|, rounded once to a double. */
  distanceTo(value: number): number {
    return Math.abs(this.bin.toNumber(this.bin.sub(this.x, this.bin.fromNumber(value))));
  }

  /** this - value, rounded once to a double. */
  minus(value: number): number {
    return this.bin.toNumber(this.bin.sub(this.x, this.bin.fromNumber(value)));
  }

  /** As a Decimal at the oracle's precision. */
  toDecimal(): Decimal {
    return toDecimal(this.bin, this.x, this.D);
  }

  /** As text with this many significant digits (default 20). */
  text(digits = 20): string {
    return this.toDecimal().toSignificantDigits(digits).toString();
  }
}

/**
 * A finite or directional difference at the oracle's precision, with how it was taken
 * (`DifferenceKind`): 'central'; one-sided 'left' / 'right' where a rectifier sits at its kink
 * (S = 0 exactly) or a step the other way would move one off its piece; 'not-comparable' where no
 * side keeps every rectifier on its piece (the value is then the central difference, which is not
 * the derivative backprop defines: do not judge by it).
 */
export class DifferenceValue extends OracleValue {
  /** @internal */
  constructor(bin: Binary, D: OracleContext['D'], x: BigFloat, readonly kind: DifferenceKind) {
    super(bin, D, x);
  }

  /** Whether the difference is a derivative backprop defines (every kind but 'not-comparable'). */
  get comparable(): boolean {
    return this.kind !== 'not-comparable';
  }
}

/** How an entry's difference was taken, from its per-sample differences: 'not-comparable' if any is, else 'one-sided' if any is, else 'central'. */
export type EntryDifferenceKind = 'central' | 'one-sided' | 'not-comparable';

/** Parameter index k (per layer W row-major, then b) as its entry location, and back. */
export class ParameterLayout {
  readonly W: number[] = [];
  readonly b: number[] = [];
  readonly count: number;

  constructor(private readonly network: Network) {
    let k = 0;
    for (const layer of network.layers) {
      this.W.push(k);
      k += layer.nIn * layer.nOut;
      this.b.push(k);
      k += layer.b ? layer.nOut : 0;
    }
    this.count = k;
  }

  locate(k: number): EntryLocation {
    for (let l = this.network.layers.length - 1; l >= 0; l--) {
      const n = this.network.layers[l]!.nOut;
      if (k >= this.b[l]!) return { kind: 'bias', layer: l, i: k - this.b[l]! };
      if (k >= this.W[l]!) return { kind: 'weight', layer: l, j: Math.floor((k - this.W[l]!) / n), i: (k - this.W[l]!) % n };
    }
    throw new Error(`no parameter ${k}`);
  }
}

/** What the certification of a case against finite differences found (see verify/certify.ts). */
export interface DifferenceAgreement {
  /** Central differences computed: one per pre-activation and sample. */
  readonly preActivations: number;
  /** Least agreement of analytic dE/dS and its finite difference, digits relative to its magnitude. */
  readonly worstDigits: number;
  /** Where the worst pre-activation is (`layer 2, S[sample=0][i=3]`). */
  readonly worstWhere: string;
  /**
   * Of `preActivations`, how many differences are one-sided (a rectifier at its kink, S = 0 exactly,
   * differenced on the declared side, or a step one way moving a rectifier off its piece): these are
   * counted in `worstDigits` like the central ones.
   */
  readonly oneSided: number;
  /**
   * Of `preActivations`, how many are not comparable by differences (no side keeps every rectifier
   * on its piece): left out of `worstDigits` (never certified by differences); 0 without rectifiers.
   */
  readonly notComparable: number;
  /** Where the first not-comparable pre-activation is ('none' without). */
  readonly notComparableWhere: string;
}

/** Digits of agreement of a and b relative to scale: -log10(|a - b| / scale). */
function agreementDigits(bin: Binary, a: BigFloat, b: BigFloat, scale: BigFloat): number {
  const diff = bin.abs(bin.sub(a, b));
  if (diff.m === 0n) return Number.POSITIVE_INFINITY;
  if (scale.m === 0n) return Number.NEGATIVE_INFINITY;
  return bin.log10Abs(scale) - bin.log10Abs(diff);
}

/**
 * The oracle of one network and batch, answering by entry location. Made from a context
 * (`CaseOracle.of`) or around an oracle already computed (`CaseOracle.around`).
 */
export class CaseOracle {
  readonly parameterCount: number;
  /** 1 for "sum", B n_L for "mean". */
  readonly reductionDivisor: number;
  private readonly differencesByLayer = new Map<number, CoreDifferences>();
  private whole: CoreDifferences | null = null;
  private layoutMade: ParameterLayout | null = null;

  private constructor(private readonly core: CoreOracle) {
    this.parameterCount = parameterCount(core.network);
    this.reductionDivisor = reductionDivisor(core.network, core.batch);
  }

  /** The oracle of one case, a rectifier's derivative at S = 0 taken from the `kink` side (the implementation's declared convention; default 'left', the protocol's). */
  static of(ctx: OracleContext, network: Network, batch: Batch, kink: KinkSide = 'left'): CaseOracle {
    return new CaseOracle(new CoreOracle(ctx, network, batch, kink));
  }

  /** The kink side this oracle's derivatives take at S = 0. */
  get kink(): KinkSide {
    return this.core.kink;
  }

  /** @internal The API over a computed oracle, with its finite differences when it has them. */
  static around(core: CoreOracle, differences: CoreDifferences | null = null): CaseOracle {
    const made = new CaseOracle(core);
    made.whole = differences;
    return made;
  }

  get network(): Network {
    return this.core.network;
  }

  get batch(): Batch {
    return this.core.batch;
  }

  get layout(): ParameterLayout {
    return (this.layoutMade ??= new ParameterLayout(this.core.network));
  }

  private value(x: BigFloat): OracleValue {
    return new OracleValue(this.core.bin, this.core.ctx.D, x);
  }

  /** The exact value of an entry (the analytic gradient, the loss, an output Z). */
  exact(where: EntryLocation): OracleValue {
    const c = this.core;
    switch (where.kind) {
      case 'loss':
        return this.value(c.loss);
      case 'weight':
        return this.value(c.weightGradient(where.layer, where.j, where.i));
      case 'bias':
        return this.value(c.sumSamples(where.layer, where.i, c.delta[where.layer]!));
      case 'output':
        return this.value(c.Z[c.L - 1]![where.sample * c.network.layers[c.L - 1]!.nOut + where.i]!);
    }
  }

  /** The magnitude an entry's error is measured against (sum of the absolute terms; |value| for the loss and outputs). */
  magnitude(where: EntryLocation): OracleValue {
    const c = this.core;
    switch (where.kind) {
      case 'weight':
        return this.value(c.weightMagnitude(where.layer, where.j, where.i));
      case 'bias':
        return this.value(c.sumSamples(where.layer, where.i, c.deltaMagnitude[where.layer]!));
      default:
        return this.value(this.core.bin.abs(this.exact(where).x));
    }
  }

  /**
   * The analytic per-sample vector of layer l as double-double, hi + lo within 2^-106 of each
   * value: dE/dS (`delta`), or Y (`inputs`, l >= 1: the Z of layer l - 1); entries whose |hi| lies
   * outside [safeLow, safeHigh] are marked unsafe (0 is safe).
   */
  doubleDoubles(quantity: 'delta' | 'inputs', l: number, safeLow: number, safeHigh: number): { hi: Float64Array; lo: Float64Array; safe: Uint8Array } {
    const c = this.core;
    const bin = c.bin;
    const xs = quantity === 'delta' ? c.delta[l]! : c.inputsOf(l);
    const hi = new Float64Array(xs.length);
    const lo = new Float64Array(xs.length);
    const safe = new Uint8Array(xs.length);
    xs.forEach((x, k) => {
      if (x.m === 0n) {
        safe[k] = 1;
        return;
      }
      const h = bin.toNumber(x);
      const a = Math.abs(h);
      if (a < safeLow || a > safeHigh) return;
      hi[k] = h;
      lo[k] = bin.toNumber(bin.sub(x, bin.fromNumber(h)));
      safe[k] = 1;
    });
    return { hi, lo, safe };
  }

  /** |dE/dS| summed magnitudes of layer l per sample, as doubles. */
  deltaMagnitudes(l: number): Float64Array {
    return Float64Array.from(this.core.deltaMagnitude[l]!, (x) => this.core.bin.toNumber(x));
  }

  /** The central differences of every pre-activation of layer l (all layers when computed for the certification). */
  private differencesOf(l: number): CoreDifferences {
    if (this.whole) return this.whole;
    let d = this.differencesByLayer.get(l);
    if (!d) {
      d = this.core.finiteDifferences({ layers: [l] });
      this.differencesByLayer.set(l, d);
    }
    return d;
  }

  private allDifferences(): CoreDifferences {
    return (this.whole ??= this.core.finiteDifferences());
  }

  /**
   * The finite difference of a gradient entry (null for the loss and outputs): the central
   * differences of its pre-activation in each sample, times the differenced network's own Y_j
   * (weight) or summed (bias).
   */
  finiteDifference(where: EntryLocation): DifferenceValue | null {
    if (where.kind !== 'weight' && where.kind !== 'bias') return null;
    const d = this.differencesOf(where.layer);
    const g = d.preActivation[where.layer];
    if (!g) return null;
    const c = this.core;
    const x = where.kind === 'weight' ? c.sumOverBatch(where.layer, where.j, where.i, g, false, d.inputs[where.layer]!) : c.sumSamples(where.layer, where.i, g);
    const kind = this.differenceKind(where)!;
    return new DifferenceValue(c.bin, c.ctx.D, x, kind === 'central' ? 'central' : kind === 'not-comparable' ? 'not-comparable' : this.sideOf(where));
  }

  /**
   * How the finite difference of a gradient entry was taken (null for the loss and outputs): from
   * its pre-activation's difference in each sample ('not-comparable' if any sample's is, except a
   * weight's sample whose Y_j is exactly 0, which adds exactly 0; else 'one-sided' if any is).
   */
  differenceKind(where: EntryLocation): EntryDifferenceKind | null {
    if (where.kind !== 'weight' && where.kind !== 'bias') return null;
    const d = this.differencesOf(where.layer);
    const kinds = d.kinds[where.layer];
    if (!kinds) return null;
    const { nIn, nOut } = this.core.network.layers[where.layer]!;
    const Y = d.inputs[where.layer]!;
    let kind: EntryDifferenceKind = 'central';
    for (let s = 0; s < this.core.B; s++) {
      if (where.kind === 'weight' && Y[s * nIn + where.j]!.m === 0n) continue;
      const k = kinds[s * nOut + where.i]!;
      if (k === 'not-comparable') return 'not-comparable';
      if (k !== 'central') kind = 'one-sided';
    }
    return kind;
  }

  /** The side of a one-sided entry's differences (the first one-sided sample's). */
  private sideOf(where: EntryLocation & { layer: number; i: number }): DifferenceKind {
    const d = this.differencesOf(where.layer);
    const nOut = this.core.network.layers[where.layer]!.nOut;
    for (let s = 0; s < this.core.B; s++) {
      const k = d.kinds[where.layer]![s * nOut + where.i]!;
      if (k === 'left' || k === 'right') return k;
    }
    return 'central';
  }

  /**
   * The analytic dE/dS of every pre-activation against its central difference: the least
   * agreement, digits relative to its magnitude (the certification's proven bound, certify.ts).
   */
  differenceAgreement(): DifferenceAgreement {
    const c = this.core;
    const differences = this.allDifferences();
    let worst = Number.POSITIVE_INFINITY;
    let worstWhere = 'none';
    let notComparableWhere = 'none';
    c.network.layers.forEach(({ nOut }, l) => {
      const g = differences.preActivation[l]!;
      const kinds = differences.kinds[l];
      const d = c.delta[l]!;
      const m = c.deltaMagnitude[l]!;
      for (let k = 0; k < g.length; k++) {
        if (kinds?.[k] === 'not-comparable') {
          if (notComparableWhere === 'none') notComparableWhere = `layer ${l + 1}, S[sample=${Math.floor(k / nOut)}][i=${k % nOut}]`;
          continue;
        }
        const digits = agreementDigits(c.bin, d[k]!, g[k]!, m[k]!);
        if (digits < worst) {
          worst = digits;
          worstWhere = `layer ${l + 1}, S[sample=${Math.floor(k / nOut)}][i=${k % nOut}]`;
        }
      }
    });
    return {
      preActivations: c.network.layers.reduce((n, l) => n + l.nOut, 0) * c.B,
      worstDigits: worst,
      worstWhere,
      oneSided: differences.oneSided,
      notComparable: differences.notComparable,
      notComparableWhere,
    };
  }

  /**
   * Digits of agreement of an entry's exact value and its finite difference, relative to its
   * magnitude (null for the loss and outputs). Measured for every entry, also one whose difference
   * is not comparable (`differenceKind`): its digits then say nothing of the oracle.
   */
  entryAgreement(where: EntryLocation): number | null {
    const fd = this.finiteDifference(where);
    return fd ? agreementDigits(this.core.bin, this.exact(where).x, fd.x, this.magnitude(where).x) : null;
  }

  /**
   * The directional finite difference D_v = (E(theta + h v) - E(theta - h v)) / 2h for the signed
   * direction v_k = sign(k) on parameters [lo, hi) (0 elsewhere; see compare/directional.ts),
   * carried forward exactly in the differenced network: moving every parameter by h v moves S of
   * layer 0 by h (sum_j X_j v_ji + v_bi) (exact, in BigInt), and each layer above by
   * W dZ + h v (Z + dZ) + h v_b, with the differenced network's own Z and dZ from each layer's
   * module (`exact.change`), the output's change from the head (`termChange`; a row-wise head
   * moves the whole softmax row, `PerturbedNetwork.outputsChange`). Where a step moves a rectifier
   * off the piece whose slope backprop takes (at its kink S = 0 exactly, away from the declared
   * side), the difference is one-sided on the side that keeps every one on its piece, or marked
   * 'not-comparable' (`DifferenceValue.kind`).
   */
  directionalDifference(sign: (k: number) => number, lo: number, hi: number): DifferenceValue {
    const c = this.core;
    const { bin, B } = c;
    const first = c.network.layers[0]!;
    const at = this.layout;
    const h = c.defaultStep();
    const v = (k: number): number => (k >= lo && k < hi ? sign(k) : 0);
    // the signs of layer 0's coordinates, once per pass
    const signs0 = new Int8Array(first.nIn * first.nOut + (first.b ? first.nOut : 0));
    for (let k = Math.max(lo, 0); k < Math.min(hi, signs0.length); k++) signs0[k] = sign(k);
    const A = Array.from({ length: B }, (_, s) => this.firstLayerChange(s, signs0));
    let total = ZERO;
    let onSide = true;
    for (let s = 0; s < B; s++) {
      const up = this.carried(s, A[s]!, h, v, at);
      const down = this.carried(s, A[s]!, bin.neg(h), v, at);
      onSide &&= up.onSide && down.onSide;
      total = bin.add(total, bin.sub(up.dE, down.dE));
    }
    let diff = bin.div(total, bin.ldexp(h, 1));
    let kind: DifferenceKind = 'central';
    // a version-2 network's difference is refined as the per-entry ones are (a difference swamped by
    // its even part retaken at a smaller step: a relu output's zero slope under a curving loss)
    const refine = !isVersion1(c.network);
    if (!onSide || refine) {
      const carry = (hs: BigFloat): CarriedChange => {
        let dE = ZERO;
        let stays = true;
        for (let s = 0; s < B; s++) {
          const one = this.carried(s, A[s]!, hs, v, at);
          dE = bin.add(dE, one.dE);
          stays &&= one.onSide;
        }
        return { dE, onSide: stays };
      };
      const d = oneSidedWhereNeeded(bin, h, c.kink, carry, refine);
      diff = d.value;
      kind = d.kind;
    }
    const x = this.reductionDivisor === 1 ? diff : bin.div(diff, bin.fromInt(this.reductionDivisor));
    return new DifferenceValue(bin, c.ctx.D, x, kind);
  }

  /** The inputs X of each sample once as integers at the least exponent of their sample: X_j = Xint_j 2^E0. */
  private rowsMade: { E0: number; ints: bigint[]; one: bigint }[] | null = null;

  private get rows(): { E0: number; ints: bigint[]; one: bigint }[] {
    const { batch, network, B } = this.core;
    const nIn = network.layers[0]!.nIn;
    return (this.rowsMade ??= Array.from({ length: B }, (_, s) => {
      const parts = Array.from(batch.X.subarray(s * nIn, (s + 1) * nIn), (x) => (x === 0 ? null : doubleParts(x)));
      const E0 = Math.min(0, ...parts.map((p) => (p ? p.exp : 0)));
      return { E0, ints: parts.map((p) => (p ? BigInt(p.mant) << sh(p.exp - E0) : 0n)), one: 1n << sh(-E0) };
    }));
  }

  /** Layer 0 of sample s: A_i = sum_j X_j v_ji + v_bi, exactly. */
  private firstLayerChange(s: number, signs0: Int8Array): BigFloat[] {
    const first = this.core.network.layers[0]!;
    const { E0, ints, one } = this.rows[s]!;
    const A: BigFloat[] = [];
    for (let i = 0; i < first.nOut; i++) {
      const vb = first.b ? signs0[first.nIn * first.nOut + i]! : 0;
      let acc = vb === 0 ? 0n : vb > 0 ? one : -one;
      for (let j = 0; j < first.nIn; j++) {
        const sign = signs0[j * first.nOut + i]!;
        const x = ints[j]!;
        if (sign === 0 || x === 0n) continue;
        acc = sign > 0 ? acc + x : acc - x;
      }
      A.push(this.core.bin.norm(acc, E0));
    }
    return A;
  }

  /**
   * E(theta + hs v) - E(theta) in sample s, from layer 0's change hs A carried up through the
   * differenced network, and whether every rectifier it moved stayed on its piece (`keepsSide`).
   */
  private carried(s: number, A: readonly BigFloat[], hs: BigFloat, v: (k: number) => number, at: ParameterLayout): CarriedChange {
    const c = this.core;
    const { bin, L } = c;
    const net = c.perturbed;
    let D = A.map((a) => bin.mul(hs, a));
    let onSide = true;
    for (let m = 0; m < L - 1; m++) {
      const { nOut } = c.network.layers[m]!;
      const next = c.network.layers[m + 1]!;
      const W = c.weightsOf(m + 1);
      const Z = net.Z[m]!;
      if (onSide) onSide = D.every((Dm, i) => net.keepsSide(m, s, i, Dm));
      const dZ = D.map((Dm, i) => (Dm.m === 0n ? ZERO : net.unitChange(m, s, i, Dm)));
      const nextD: BigFloat[] = [];
      for (let q = 0; q < next.nOut; q++) {
        // (W + h v)(Z + dZ) - W Z = W dZ + h v (Z + dZ), plus h v_b
        let Dq = ZERO;
        let Vq = ZERO;
        for (let i = 0; i < nOut; i++) {
          const w = W[i * next.nOut + q]!;
          if (w.m !== 0n && dZ[i]!.m !== 0n) Dq = bin.add(Dq, bin.mul(w, dZ[i]!));
          const vv = v(at.W[m + 1]! + i * next.nOut + q);
          if (vv !== 0) {
            const zNew = bin.add(Z[s * nOut + i]!, dZ[i]!);
            Vq = vv > 0 ? bin.add(Vq, zNew) : bin.sub(Vq, zNew);
          }
        }
        const vb = next.b ? v(at.b[m + 1]! + q) : 0;
        if (vb !== 0) Vq = vb > 0 ? bin.add(Vq, bin.one) : bin.sub(Vq, bin.one);
        nextD.push(bin.add(Dq, bin.mul(hs, Vq)));
      }
      D = nextD;
    }
    if (onSide) onSide = D.every((Dk, i) => net.keepsSide(L - 1, s, i, Dk));
    return { dE: net.outputsChange(s, D), onSide };
  }
}


/** The API itself, or the API over an oracle computed by `oracle()`. */
export function asCaseOracle(exact: CaseOracle | OracleResult): CaseOracle {
  return exact instanceof CaseOracle ? exact : caseOracle(exact);
}

/** The API over an oracle computed by `oracle()` (its finite differences reused when it has them). */
export function caseOracle(result: OracleResult): CaseOracle {
  if (!result.core) throw new Error('an oracle result built by hand has no computation to ask');
  return CaseOracle.around(result.core, result.coreDifferences ?? null);
}
