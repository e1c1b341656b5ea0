import type { Gradients, Network } from '../network/types.js';
import { asCaseOracle, type CaseOracle, type Decimal, type OracleResult } from '../oracle/api.js';
import type { ReferenceBound } from './bound.js';
import type { ErrorMeasure } from './measures.js';
import { ETA64 } from './rounding.js';
import type { EntryLocation } from '../types.js';

/** One quantity compared with the oracle. */
export interface EntryComparison extends ErrorMeasure {
  readonly where: EntryLocation;
  readonly value: number;
  readonly exact: Decimal;
  /** The allowed error; NaN when no bound applies. */
  readonly bound: number;
  readonly withinBound: boolean;
}

/** Above this many weight gradients, their errors are measured in double-double arithmetic (see `Measurements`). */
export const FAST_MEASURE_ENTRIES = 20_000;

const SAFE_HIGH = 2 ** 450;
const ulpView = new Float64Array(1);
const ulpBits = new Uint32Array(ulpView.buffer);
const ULP_HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** `ulp` of `rounding.ts` (the spacing of doubles at |x|), read from the exponent bits. */
export function fastUlp(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  ulpView[0] = x;
  const biased = (ulpBits[ULP_HI]! >>> 20) & 0x7ff;
  return biased <= 1 ? ETA64 : 2 ** (biased - 1075);
}

const SAFE_LOW = 2 ** -450;
const SPLIT = 134217729; // 2^27 + 1

/**
 * Every value of an answer measured against the oracle, in flat arrays indexed like the answer:
 * the loss, then per layer dE/dW (row-major) and dE/db, then the outputs. The measure of entry k
 * is that of `measure(value, exact, scale)` (`measures.ts`), computed without Decimals:
 * - at the oracle's precision, |value - exact| rounded once to a double (the same double `measure` gives, but
 *   for a rounding tie in the oracle's last digits), for the loss, biases, outputs and the weights
 *   of networks up to FAST_MEASURE_ENTRIES weights;
 * - above that, for weights whose factors lie in [2^-450, 2^450], in double-double: the exact
 *   value sum_b Y_j delta_i carried as hi + lo (106 bits) and the error as |(v - hi) - lo|, off
 *   by at most `slack[k]` (2^-50 of itself plus 2^-99 of the magnitude); `refine(k)` redoes an
 *   entry at the oracle's precision when a verdict depends on that last part.
 */
export class Measurements {
  readonly count: number;
  readonly values: Float64Array;
  readonly errors: Float64Array;
  readonly scales: Float64Array;
  /** exact.toNumber() of each entry (for ulps). */
  readonly exactNumbers: Float64Array;
  /** How far errors[k] may be from the oracle-precision measure (0 when it is that measure). */
  readonly slack: Float64Array;
  /** Where each layer's dE/dW and dE/db start: the parameter layout, after the loss at 0. */
  private readonly offsets: { W: number; b: number }[];
  private readonly outputsAt: number;

  constructor(
    readonly network: Network,
    private readonly answer: Gradients & { outputs?: Float64Array },
    readonly oracle: CaseOracle,
  ) {
    const { layout } = oracle;
    this.offsets = layout.W.map((w, l) => ({ W: 1 + w, b: 1 + layout.b[l]! }));
    this.outputsAt = 1 + layout.count;
    let k = this.outputsAt;
    if (answer.outputs) k += answer.outputs.length;
    this.count = k;
    this.values = new Float64Array(k);
    this.errors = new Float64Array(k);
    this.scales = new Float64Array(k);
    this.exactNumbers = new Float64Array(k);
    this.slack = new Float64Array(k);
    this.measureAll();
  }

  /** Stores the oracle-precision measure of entry k. */
  private exactMeasure(k: number, value: number, where: EntryLocation): void {
    const exact = this.oracle.exact(where);
    this.values[k] = value;
    this.scales[k] = this.oracle.magnitude(where).toNumber();
    this.exactNumbers[k] = exact.toNumber();
    this.errors[k] = Number.isFinite(value) ? exact.distanceTo(value) : Number.POSITIVE_INFINITY;
    this.slack[k] = 0;
  }

  private measureAll(): void {
    const { network, answer } = this;
    this.exactMeasure(0, answer.loss, { kind: 'loss' });
    let weights = 0;
    for (const layer of network.layers) weights += layer.nIn * layer.nOut;
    network.layers.forEach(({ nIn, nOut, b }, layer) => {
      const g = answer.layers[layer]!;
      const at = this.offsets[layer]!;
      if (weights > FAST_MEASURE_ENTRIES) this.fastLayer(layer);
      else {
        for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) this.exactMeasure(at.W + j * nOut + i, g.W[j * nOut + i]!, { kind: 'weight', layer, j, i });
      }
      if (b && g.b) for (let i = 0; i < nOut; i++) this.exactMeasure(at.b + i, g.b[i]!, { kind: 'bias', layer, i });
    });
    if (answer.outputs) {
      const n = network.layers[network.layers.length - 1]!.nOut;
      answer.outputs.forEach((v, q) => this.exactMeasure(this.outputsAt + q, v, { kind: 'output', sample: Math.floor(q / n), i: q % n }));
    }
  }

  /** Double-double measures of one layer's weight gradients (at the oracle's precision for entries outside the safe range). */
  private fastLayer(l: number): void {
    const { oracle } = this;
    const { nIn, nOut } = this.network.layers[l]!;
    const B = oracle.batch.size;
    const g = this.answer.layers[l]!.W;
    const at = this.offsets[l]!.W;
    const d = oracle.doubleDoubles('delta', l, SAFE_LOW, SAFE_HIGH);
    const md = oracle.deltaMagnitudes(l);
    let Yh: Float64Array;
    let Yl: Float64Array;
    let Ysafe: Uint8Array;
    if (l === 0) {
      Yh = oracle.batch.X;
      Yl = new Float64Array(Yh.length);
      Ysafe = Uint8Array.from(Yh, (y) => (y === 0 || (Math.abs(y) >= SAFE_LOW && Math.abs(y) <= SAFE_HIGH) ? 1 : 0));
    } else {
      const y = oracle.doubleDoubles('inputs', l, SAFE_LOW, SAFE_HIGH);
      Yh = y.hi;
      Yl = y.lo;
      Ysafe = y.safe;
    }
    const rowSafe = new Uint8Array(nIn).fill(1);
    const colSafe = new Uint8Array(nOut).fill(1);
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) if (!Ysafe[s * nIn + j]) rowSafe[j] = 0;
      for (let i = 0; i < nOut; i++) if (!d.safe[s * nOut + i] || !(md[s * nOut + i]! <= SAFE_HIGH)) colSafe[i] = 0;
    }
    for (let j = 0; j < nIn; j++) {
      for (let i = 0; i < nOut; i++) {
        const q = j * nOut + i;
        const k = at + q;
        const v = g[q]!;
        if (!rowSafe[j] || !colSafe[i] || !Number.isFinite(v)) {
          this.exactMeasure(k, v, { kind: 'weight', layer: l, j, i });
          continue;
        }
        // sum_b Y_j delta_i in double-double (hi + lo), and the magnitude sum_b |Y_j| |delta|_i
        let sh = 0;
        let sl = 0;
        let mag = 0;
        for (let s = 0; s < B; s++) {
          const a = Yh[s * nIn + j]!;
          const al = Yl[s * nIn + j]!;
          const b = d.hi[s * nOut + i]!;
          const bl = d.lo[s * nOut + i]!;
          mag += Math.abs(a) * md[s * nOut + i]!;
          if (a === 0 || b === 0) continue;
          // two-product a * b (Dekker), plus the cross terms
          const p = a * b;
          let c = SPLIT * a;
          const ah = c - (c - a);
          const aL = a - ah;
          c = SPLIT * b;
          const bh = c - (c - b);
          const bL = b - bh;
          const pe = ah * bh - p + ah * bL + aL * bh + aL * bL + (a * bl + al * b);
          // two-sum (sh, sl) + (p, pe)
          const t = sh + p;
          const z = t - sh;
          const te = sh - (t - z) + (p - z) + sl + pe;
          sh = t + te;
          sl = te - (sh - t);
        }
        const error = Math.abs(v - sh - sl);
        this.values[k] = v;
        this.errors[k] = error;
        this.scales[k] = mag;
        this.exactNumbers[k] = sh;
        this.slack[k] = error * 2 ** -50 + mag * 2 ** -98 + 2 ** -1000;
      }
    }
  }

  /** Entry k measured at the oracle's precision (after which slack[k] is 0). */
  refine(k: number): void {
    if (this.slack[k] === 0) return;
    const w = this.locate(k);
    if (w.kind !== 'weight') return;
    const scale = this.scales[k]!;
    this.exactMeasure(k, this.values[k]!, w);
    // keep the double-double scale (it is the one reported with this entry's neighbours)
    this.scales[k] = scale;
  }

  /** Where entry k is. */
  locate(k: number): EntryLocation {
    if (k === 0) return { kind: 'loss' };
    if (k >= this.outputsAt) {
      const n = this.network.layers[this.network.layers.length - 1]!.nOut;
      const q = k - this.outputsAt;
      return { kind: 'output', sample: Math.floor(q / n), i: q % n };
    }
    return this.oracle.layout.locate(k - 1);
  }

  /** The oracle's value of the entry at `where`, as a Decimal of the oracle's precision. */
  exact(where: EntryLocation): Decimal {
    return this.oracle.exact(where).toDecimal();
  }

  /** The ErrorMeasure fields of entry k (as `measure` defines them). */
  measureOf(k: number): ErrorMeasure {
    const error = this.errors[k]!;
    const scale = this.scales[k]!;
    if (!Number.isFinite(this.values[k]!)) {
      return { error: Number.POSITIVE_INFINITY, scale, relative: Number.POSITIVE_INFINITY, digits: Number.NEGATIVE_INFINITY, ulpsOfScale: Number.POSITIVE_INFINITY, ulps: Number.POSITIVE_INFINITY };
    }
    const relative = error === 0 ? 0 : scale > 0 ? error / scale : Number.POSITIVE_INFINITY;
    return { error, scale, relative, digits: relative === 0 ? Number.POSITIVE_INFINITY : -Math.log10(relative), ulpsOfScale: error / fastUlp(scale), ulps: error / fastUlp(this.exactNumbers[k]!) };
  }
}

/** An entry whose exact Decimal is made only when read. */
class MeasuredEntry implements EntryComparison {
  readonly error: number;
  readonly scale: number;
  readonly relative: number;
  readonly digits: number;
  readonly ulpsOfScale: number;
  readonly ulps: number;
  private exactValue: Decimal | undefined;

  constructor(
    private readonly source: Measurements,
    readonly where: EntryLocation,
    readonly value: number,
    m: ErrorMeasure,
    readonly bound: number,
    readonly withinBound: boolean,
  ) {
    this.error = m.error;
    this.scale = m.scale;
    this.relative = m.relative;
    this.digits = m.digits;
    this.ulpsOfScale = m.ulpsOfScale;
    this.ulps = m.ulps;
  }

  get exact(): Decimal {
    return (this.exactValue ??= this.source.exact(this.where));
  }
}

/** The bounds of `bound` in entry order (loss, per layer W then b, outputs). */
export function flatBounds(bound: ReferenceBound, count: number, withOutputs: boolean): Float64Array {
  const out = new Float64Array(count);
  out[0] = bound.loss;
  let k = 1;
  for (const layer of bound.layers) {
    out.set(layer.W, k);
    k += layer.W.length;
    if (layer.b) {
      out.set(layer.b, k);
      k += layer.b.length;
    }
  }
  if (withOutputs) out.set(bound.outputs, k);
  return out;
}

/**
 * Every loss value and gradient entry of `values` (and its outputs, if given) measured against the
 * oracle's analytic values, relative to each entry's magnitude, and checked against `bound`.
 */
export function compareWithOracle(network: Network, values: Gradients & { outputs?: Float64Array }, bound: ReferenceBound, exact: CaseOracle | OracleResult): EntryComparison[] {
  const m = new Measurements(network, values, asCaseOracle(exact));
  const bounds = flatBounds(bound, m.count, values.outputs !== undefined);
  const out = new Array<EntryComparison>(m.count);
  for (let k = 0; k < m.count; k++) {
    if (m.slack[k]! > 0 && Math.abs(m.errors[k]! - bounds[k]!) <= m.slack[k]!) m.refine(k);
    const measured = m.measureOf(k);
    out[k] = new MeasuredEntry(m, m.locate(k), m.values[k]!, measured, bounds[k]!, measured.error <= bounds[k]!);
  }
  return out;
}

