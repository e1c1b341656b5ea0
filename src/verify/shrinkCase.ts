/**
 * A shrinker of its own for cases that are not fast-check values (a stored counterexample of the
 * corpus, replayed first): greedy, structured, sound and bounded.
 *
 * Sound: a candidate replaces the current case only when the caller's `stillFails` says the
 * implementation still fails on it (the oracle judged it), so the case it ends with is a real
 * failure. Bounded: every candidate is strictly smaller than the case it comes from in a
 * well-founded order (layers, then units, then samples, then biases, then the reduction, then the
 * sum of the numbers' complexities, each a bounded natural number), so the loop ends even without
 * its step limit; the caller stops it earlier with `'stop'` (a budget ran out).
 *
 * Candidates, largest reductions first: drop the last or the first layer, an output unit of a
 * layer (with its row in the layer above, or its target column), an input unit, a sample, a bias;
 * `mean` to `sum` when the implementation takes `sum`; then every number toward 0, a positive
 * sign, fewer significant digits, an exponent nearer 0 and a leading digit 1 (targets toward 0 and 1).
 * Numbers stay float32 numbers for a float32 implementation, and targets in [0, 1].
 *
 * Protocol version 2: every candidate is a valid network of the implementation's families.
 * Layers keep their activation and alpha, the network its loss; the last layer is dropped only
 * where the layer below may carry the loss (bce: a sigmoid; never under cce, whose softmax is the
 * last layer's); an output unit dropped under cce gives its target's mass to another unit of
 * the row (a probability row stays one); cce targets shrink row by row to one-hot rows, mse
 * targets like any number (any finite value); and each layer's activation is tried as the first
 * allowed one (the loss's pair rule holding), after the biases.
 */
import { activationNameOf, lossNameOf, type ActivationName, type Batch, type Case, type Layer, type Network, type Reduction } from '../network/types.js';
import { forward } from '../reference/index.js';

/** Options of {@link shrinkCase}. */
export interface ShrinkCaseOptions {
  /** Round every number to float32 (a float32 implementation). */
  readonly float32?: boolean;
  /** The reductions the implementation takes (default both). */
  readonly reductions?: readonly Reduction[];
  /** The activations the implementation takes, simplest first (default: none tried; the first is what a layer's activation shrinks toward). */
  readonly activations?: readonly ActivationName[];
  /** Most candidates tried (default 5000). */
  readonly maxSteps?: number;
  /** Called after every candidate tried, with the current (smallest failing) case. */
  readonly onStep?: (steps: number, best: Case) => void;
}

/** What {@link shrinkCase} ended with. */
export interface ShrunkCase {
  readonly case: Case;
  /** Candidates tried. */
  readonly steps: number;
  /** Candidates that still failed and were taken. */
  readonly accepted: number;
  /** True when `stillFails` said stop (or the step limit was reached) before the shrinking was done. */
  readonly stopped: boolean;
}

/** Significant digits of x: the fewest that give x back (in float32 when asked). */
export function significantDigits(x: number, float32 = false): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  const round = float32 ? Math.fround : (v: number): number => v;
  for (let k = 1; k <= 17; k++) if (round(Number(x.toPrecision(k))) === x) return k;
  return 17;
}

/** The complexity of a number: 0 for 0, then by significant digits, sign, exponent and leading digit. */
function complexity(x: number, float32: boolean): number {
  if (x === 0) return 0;
  const digits = significantDigits(x, float32);
  const exponent = Math.abs(Math.floor(Math.log10(Math.abs(x))));
  const lead = Number(Math.abs(x).toExponential(0)[0]);
  // digits dominate (at most 17), then the sign, then the exponent (at most 324), then the leading digit
  return 1 + digits * 100_000 + (x < 0 ? 50_000 : 0) + Math.min(exponent, 400) * 10 + (lead > 1 ? 1 : 0);
}

/** Simpler values for a number, each of strictly lower complexity. */
function simplerValues(x: number, float32: boolean, target: boolean): number[] {
  if (x === 0) return [];
  const round = float32 ? Math.fround : (v: number): number => v;
  const raw: number[] = [0];
  if (target) raw.push(1);
  if (x < 0 && !target) raw.push(-x);
  const digits = significantDigits(x, float32);
  // fewer significant digits, rounded and cut (cutting keeps 0.9955 below 1: 0.9, not 1)
  const [mantissa, exponent10] = Math.abs(x).toExponential(16).split('e') as [string, string];
  const figures = mantissa.replace('.', '');
  for (let k = 1; k < digits; k++) {
    raw.push(Number(x.toPrecision(k)));
    raw.push(Number(`${x < 0 ? '-' : ''}${figures[0]}.${figures.slice(1, k)}e${exponent10}`));
  }
  if (digits === 1) {
    const exponent = Math.floor(Math.log10(Math.abs(x)));
    if (exponent !== 0) raw.push(x / 10 ** (exponent > 0 ? 1 : -1));
    raw.push(Math.sign(x) * 10 ** exponent);
  }
  const own = complexity(x, float32);
  const seen = new Set<number>();
  const out: number[] = [];
  for (const r of raw) {
    const v = round(r);
    if (!Number.isFinite(v) || (target && (v < 0 || v > 1)) || seen.has(v) || Object.is(v, x)) continue;
    seen.add(v);
    if (complexity(v, float32) < own) out.push(v);
  }
  return out;
}

/** A layer of these sizes and numbers with `from`'s activation and alpha (version-1 layers carry none). */
function layer(nIn: number, nOut: number, W: Float64Array, b: Float64Array | null, from: Layer): Layer {
  const packed: Layer = { nIn, nOut, W, b };
  if (from.activation === undefined) return packed;
  return from.alpha === undefined ? { ...packed, activation: from.activation } : { ...packed, activation: from.activation, alpha: from.alpha };
}

/** `from` with another activation (sigmoid: no field; alpha only for leaky_relu, kept when it had one). */
function withActivation(from: Layer, activation: ActivationName): Layer {
  const { activation: _a, alpha, ...rest } = from;
  void _a;
  if (activation === 'sigmoid') return rest;
  if (activation === 'leaky_relu' && alpha !== undefined) return { ...rest, activation, alpha };
  return { ...rest, activation };
}

function withLayers(c: Case, layers: readonly Layer[], batch: Batch = c.batch, reduction: Reduction = c.network.reduction): Case {
  const network: Network = c.network.loss === undefined ? { layers, reduction } : { layers, reduction, loss: c.network.loss };
  return { network, batch };
}

/** Whether the loss may sit on a last layer of this activation (protocol version 2's pair rules). */
function pairHolds(loss: ReturnType<typeof lossNameOf>, last: ActivationName): boolean {
  return loss === 'bce' ? last === 'sigmoid' : loss === 'cce' ? last === 'softmax' : last !== 'softmax';
}

/** cce targets with output unit i dropped: its mass goes to another unit of the row, so each row still sums to 1. */
function dropTargetUnit(T: Float64Array, rows: number, cols: number, i: number): Float64Array {
  const out = reshapeColumns(T, rows, cols, cols - 1, (col) => col !== i);
  const heir = i === 0 ? 0 : i - 1;
  for (let r = 0; r < rows; r++) out[r * (cols - 1) + heir]! += T[r * cols + i]!;
  return out;
}

/** Columns of a row-major rows x cols matrix, keeping those `keep` says, or widened with zeros to `cols2`. */
function reshapeColumns(m: Float64Array, rows: number, cols: number, cols2: number, keep: (col: number) => boolean = () => true): Float64Array {
  const kept: number[] = [];
  for (let col = 0; col < cols; col++) if (keep(col)) kept.push(col);
  const out = new Float64Array(rows * cols2);
  for (let r = 0; r < rows; r++) for (let k = 0; k < Math.min(kept.length, cols2); k++) out[r * cols2 + k] = m[r * cols + kept[k]!]!;
  return out;
}

function dropRow(m: Float64Array, rows: number, cols: number, row: number): Float64Array {
  const out = new Float64Array((rows - 1) * cols);
  for (let r = 0, o = 0; r < rows; r++) {
    if (r === row) continue;
    out.set(m.subarray(r * cols, (r + 1) * cols), o * cols);
    o += 1;
  }
  return out;
}

/** Structural candidates: each has fewer layers, units, samples or biases, or the simpler reduction. */
function* structural(c: Case, reductions: readonly Reduction[], activations: readonly ActivationName[]): Generator<Case> {
  const { layers } = c.network;
  const L = layers.length;
  const B = c.batch.size;
  const loss = lossNameOf(c.network);
  if (L > 1) {
    // the last layer dropped: the layer below is the output (where it may carry the loss); targets cut or padded with 0
    const below = layers[L - 2]!;
    if (pairHolds(loss, activationNameOf(below))) yield withLayers(c, layers.slice(0, -1), { ...c.batch, nOut: below.nOut, T: reshapeColumns(c.batch.T, B, c.batch.nOut, below.nOut) });
    // the first layer dropped: its outputs' width becomes the input width; inputs cut or padded with 0
    const first = layers[0]!;
    yield withLayers(c, layers.slice(1), { ...c.batch, nIn: first.nOut, X: reshapeColumns(c.batch.X, B, c.batch.nIn, first.nOut) });
    // the first layer dropped, its outputs Z (as float64 computes them) the new inputs: the layers above see what they saw
    const Z = forward({ layers: [first], reduction: 'sum', loss: 'mse' } as Network, { ...c.batch, nOut: first.nOut, T: new Float64Array(B * first.nOut) }).Z[0]!;
    if (Z.every(Number.isFinite)) yield withLayers(c, layers.slice(1), { ...c.batch, nIn: first.nOut, X: Z });
  }
  for (let l = 0; l < L; l++) {
    const ly = layers[l]!;
    if (ly.nOut < 2) continue;
    for (let i = ly.nOut - 1; i >= 0; i--) {
      const next = layers.slice();
      next[l] = layer(ly.nIn, ly.nOut - 1, reshapeColumns(ly.W, ly.nIn, ly.nOut, ly.nOut - 1, (col) => col !== i), ly.b ? ly.b.filter((_, k) => k !== i) : null, ly);
      let batch = c.batch;
      if (l + 1 < L) {
        const up = layers[l + 1]!;
        next[l + 1] = layer(up.nIn - 1, up.nOut, dropRow(up.W, up.nIn, up.nOut, i), up.b, up);
      } else {
        const T = loss === 'cce' ? dropTargetUnit(c.batch.T, B, ly.nOut, i) : reshapeColumns(c.batch.T, B, ly.nOut, ly.nOut - 1, (col) => col !== i);
        batch = { ...c.batch, nOut: ly.nOut - 1, T };
      }
      yield withLayers(c, next, batch);
    }
  }
  const first = layers[0]!;
  if (first.nIn > 1) {
    for (let k = first.nIn - 1; k >= 0; k--) {
      const next = layers.slice();
      next[0] = layer(first.nIn - 1, first.nOut, dropRow(first.W, first.nIn, first.nOut, k), first.b, first);
      yield withLayers(c, next, { ...c.batch, nIn: first.nIn - 1, X: reshapeColumns(c.batch.X, B, first.nIn, first.nIn - 1, (col) => col !== k) });
    }
  }
  if (B > 1) {
    for (let s = B - 1; s >= 0; s--) {
      yield withLayers(c, layers, { ...c.batch, size: B - 1, X: dropRow(c.batch.X, B, c.batch.nIn, s), T: dropRow(c.batch.T, B, c.batch.nOut, s) });
    }
  }
  for (let l = 0; l < L; l++) {
    const ly = layers[l]!;
    if (!ly.b) continue;
    const next = layers.slice();
    next[l] = layer(ly.nIn, ly.nOut, ly.W, null, ly);
    yield withLayers(c, next);
  }
  // simpler activations: each layer's as the first allowed that keeps the pair rule (strictly earlier in the list)
  for (let l = 0; l < L; l++) {
    const ly = layers[l]!;
    const own = activations.indexOf(activationNameOf(ly));
    const simpler = activations.find((a, k) => (own < 0 || k < own) && (l === L - 1 ? pairHolds(loss, a) : a !== 'softmax'));
    if (simpler === undefined) continue;
    const next = layers.slice();
    next[l] = withActivation(ly, simpler);
    yield withLayers(c, next);
  }
  if (c.network.reduction === 'mean' && reductions.includes('sum')) yield withLayers(c, layers, c.batch, 'sum');
}

/** The places a number lives in a case, to read and replace it. */
interface Slot {
  readonly target: boolean;
  get(c: Case): number;
  set(c: Case, v: number): Case;
}

function slots(c: Case): Slot[] {
  const out: Slot[] = [];
  c.network.layers.forEach((ly, l) => {
    for (let k = 0; k < ly.W.length; k++) {
      out.push({
        target: false,
        get: (x) => x.network.layers[l]!.W[k]!,
        set: (x, v) => {
          const next = x.network.layers.slice();
          const W = Float64Array.from(next[l]!.W);
          W[k] = v;
          next[l] = { ...next[l]!, W };
          return withLayers(x, next);
        },
      });
    }
    if (ly.b) {
      for (let k = 0; k < ly.b.length; k++) {
        out.push({
          target: false,
          get: (x) => x.network.layers[l]!.b![k]!,
          set: (x, v) => {
            const next = x.network.layers.slice();
            const b = Float64Array.from(next[l]!.b!);
            b[k] = v;
            next[l] = { ...next[l]!, b };
            return withLayers(x, next);
          },
        });
      }
    }
  });
  for (let k = 0; k < c.batch.X.length; k++) {
    out.push({ target: false, get: (x) => x.batch.X[k]!, set: (x, v) => { const X = Float64Array.from(x.batch.X); X[k] = v; return { network: x.network, batch: { ...x.batch, X } }; } });
  }
  const loss = lossNameOf(c.network);
  // cce targets are rows (see rowCandidates); mse targets any finite number, like the inputs
  if (loss !== 'cce') {
    for (let k = 0; k < c.batch.T.length; k++) {
      out.push({ target: loss === 'bce', get: (x) => x.batch.T[k]!, set: (x, v) => { const T = Float64Array.from(x.batch.T); T[k] = v; return { network: x.network, batch: { ...x.batch, T } }; } });
    }
  }
  return out;
}

/** Simpler cce target rows: each row one-hot at each of its units, where that is simpler than the row (fewer nonzero entries, or the same and simpler numbers). */
function* rowCandidates(c: Case, float32: boolean): Generator<Case> {
  if (lossNameOf(c.network) !== 'cce') return;
  const n = c.batch.nOut;
  for (let r = 0; r < c.batch.size; r++) {
    const row = c.batch.T.subarray(r * n, (r + 1) * n);
    const weight = row.reduce((acc, t) => acc + complexity(t, float32), 0);
    for (let i = 0; i < n; i++) {
      if (complexity(1, float32) >= weight) break;
      const T = Float64Array.from(c.batch.T);
      T.fill(0, r * n, (r + 1) * n);
      T[r * n + i] = 1;
      yield { network: c.network, batch: { ...c.batch, T } };
    }
  }
}

/** `2 layers 3-2-1, batch 1`: the size of a case in a few words. */
export function caseSizeText(c: Case): string {
  const widths = [c.network.layers[0]!.nIn, ...c.network.layers.map((l) => l.nOut)];
  const L = c.network.layers.length;
  return `${L} layer${L === 1 ? '' : 's'} ${widths.join('-')}, batch ${c.batch.size}`;
}

/**
 * Shrinks a failing case: tries smaller candidates in order and takes the first that still fails,
 * until none does, `stillFails` says stop, or `maxSteps` candidates were tried (see the file header).
 */
export async function shrinkCase(start: Case, stillFails: (c: Case) => Promise<boolean | 'stop'>, options: ShrinkCaseOptions = {}): Promise<ShrunkCase> {
  const float32 = options.float32 ?? false;
  const reductions = options.reductions ?? ['sum', 'mean'];
  const activations = options.activations ?? [];
  const maxSteps = options.maxSteps ?? 5000;
  let current = start;
  let steps = 0;
  let accepted = 0;
  /** Tries one candidate: true when taken, 'stop' to end. */
  const attempt = async (candidate: Case): Promise<boolean | 'stop'> => {
    if (steps >= maxSteps) return 'stop';
    steps += 1;
    const verdict = await stillFails(candidate);
    if (verdict === true) {
      current = candidate;
      accepted += 1;
    }
    options.onStep?.(steps, current);
    return verdict;
  };
  for (;;) {
    let changed = false;
    // structure first: restart from the largest reductions after every one taken
    structure: for (;;) {
      for (const candidate of structural(current, reductions, activations)) {
        const r = await attempt(candidate);
        if (r === 'stop') return { case: current, steps, accepted, stopped: true };
        if (r) {
          changed = true;
          continue structure;
        }
      }
      break;
    }
    // cce target rows toward one-hot rows
    rows: for (;;) {
      for (const candidate of rowCandidates(current, float32)) {
        const r = await attempt(candidate);
        if (r === 'stop') return { case: current, steps, accepted, stopped: true };
        if (r) {
          changed = true;
          continue rows;
        }
      }
      break;
    }
    // then every number, in place: a number simplified rarely lets an earlier one simplify
    const places = slots(current);
    for (const slot of places) {
      for (;;) {
        const value = slot.get(current);
        let taken = false;
        for (const v of simplerValues(value, float32, slot.target)) {
          const r = await attempt(slot.set(current, v));
          if (r === 'stop') return { case: current, steps, accepted, stopped: true };
          if (r) {
            taken = true;
            changed = true;
            break;
          }
        }
        if (!taken) break;
      }
    }
    if (!changed) return { case: current, steps, accepted, stopped: false };
  }
}
