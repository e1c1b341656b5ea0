import { modulesOf, type ElementwiseActivation, type Head } from '../layers/index.js';
import type { TermValues, TextbookLogForm } from '../layers/loss.js';
import type { Batch, Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import type { ForwardPass } from '../reference/forward.js';
import { backwardBall, forwardBound, SAFETY, STABLE_SLACK, stableOutputDelta, stableSlope, type Ball, type BoundOptions, type ForwardBound } from './bound.js';
import { U64, gamma } from './rounding.js';
import type { Precision } from '../types.js';

/**
 * The named textbook computations. A value that a stable algorithm could not have given is
 * *inaccurate* (not wrong) only when one of these computations, emulated on the case in the
 * declared precision, gives it: the computation is run at both ends of the interval its inputs
 * can take (S within its rounding bound eS, the sigmoid within 8 roundings), every elementwise
 * step being monotone, and the value is accepted within STABLE_SLACK times the rounding of the
 * remaining arithmetic (sums in any order, other orders of the same operations). Every such
 * allowance is finite: where a computation gives no finite value (ln 0 without a clamp), it
 * explains nothing.
 *
 * - `slope`: sigma'(S) = Z (1 - Z) with 1 - Z formed from the rounded Z (a saturated hidden unit);
 * - `outputDelta`: the output delta Z - t formed from the rounded Z;
 * - `sigmoidOverflow`: Z = 1 / (1 + e^-S) with e^-S overflowing: a Z below the normal range is 0;
 * - `logComplement`: the loss -(t ln Z + (1-t) ln(1 - Z)) from the rounded Z, no clamp;
 * - `logClamp`: the same with each log clamped at -100 (PyTorch's BCELoss);
 * - `logClip`: the same with Z clipped to [1e-7, 1 - 1e-7] first (TensorFlow's binary cross-entropy);
 * - `logits`: the loss from the logit as PyTorch's BCEWithLogitsLoss forms it, (1 - t) S - log sigma(S),
 *   cancelling where the term is small (a well-classified output);
 * - `several`: the whole textbook algorithm (all of the gradient ones; the overflow with one log form).
 *
 * The textbook forms themselves and their cancellations are the layer modules' `textbook` parts
 * (`src/layers/sigmoid.ts`: Z, its overflow, the slope Z (1 - Z); `src/layers/bce.ts`: Z - t, the
 * logarithms); this module is the emulation driver: intervals, balls, the backward pass over them.
 */
export type TextbookName = 'slope' | 'outputDelta' | 'sigmoidOverflow' | 'logComplement' | 'logClamp' | 'logClip' | 'logits' | 'several';

/** How a textbook computation forms the loss's logarithms: stably (from S), or from the rounded Z. */
type LogForm = 'stable' | TextbookLogForm | 'logits';

/** One named computation: which steps it forms the textbook way. */
export interface TextbookComputation {
  readonly name: TextbookName;
  readonly slope: boolean;
  readonly outputDelta: boolean;
  readonly overflow: boolean;
  readonly log: LogForm;
}

const ONE = { slope: false, outputDelta: false, overflow: false, log: 'stable' } as const;

/** The computations in the order they are tried: each alone, then together. */
export const TEXTBOOK_COMPUTATIONS: readonly TextbookComputation[] = [
  { ...ONE, name: 'slope', slope: true },
  { ...ONE, name: 'outputDelta', outputDelta: true },
  { ...ONE, name: 'sigmoidOverflow', overflow: true },
  { ...ONE, name: 'logComplement', log: 'plain' },
  { ...ONE, name: 'logClamp', log: 'clamp' },
  { ...ONE, name: 'logClip', log: 'clip' },
  { ...ONE, name: 'logits', log: 'logits' },
  { name: 'several', slope: true, outputDelta: true, overflow: true, log: 'stable' },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'plain' },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'clamp' },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'clip' },
];

/** The declared arithmetic, as the emulation needs it. */
export interface Arithmetic extends BoundOptions {
  /** Rounds a double to the precision (round to nearest). */
  readonly round: (x: number) => number;
  /** The largest number of the precision below 1, and its smallest positive number. */
  readonly belowOne: number;
  readonly minPositive: number;
  /** ln of the largest finite number: e^x overflows beyond it. */
  readonly overflowAt: number;
  /** TensorFlow's clip of Z before the logarithm: [eps, 1 - eps] with eps = 1e-7, in the precision. */
  readonly clipLow: number;
  readonly clipHigh: number;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The float32 number next to the float32 number x >= 0, toward 0 (down) or away from it (up). */
function step32(x: number, up: boolean): number {
  if (x === 0) return up ? 2 ** -149 : 0;
  f32[0] = x;
  i32[0] = i32[0]! + (up ? 1 : -1);
  return f32[0]!;
}

/** The arithmetic of a declared precision. */
export function arithmeticOf(precision: Precision): Arithmetic {
  if (precision === 'float32') {
    const round = Math.fround;
    const eps = round(1e-7);
    return { u: 2 ** -24, eta: 2 ** -149, minNormal: 2 ** -126, round, belowOne: 1 - 2 ** -24, minPositive: 2 ** -149, overflowAt: Math.log(3.4028234663852886e38), clipLow: eps, clipHigh: round(1 - eps) };
  }
  const round = (x: number): number => x;
  return { u: 2 ** -53, eta: 2 ** -1074, minNormal: 2 ** -1022, round, belowOne: 1 - 2 ** -53, minPositive: 2 ** -1074, overflowAt: Math.log(Number.MAX_VALUE), clipLow: 1e-7, clipHigh: 1 - 1e-7 };
}

/** The smallest number of the precision >= x (x in [0, 1]). */
function ceilTo(x: number, ar: Arithmetic): number {
  if (ar.u === U64) return x;
  const r = Math.fround(x);
  return r >= x ? r : step32(r, true);
}

/** The largest number of the precision <= x (x in [0, 1]). */
function floorTo(x: number, ar: Arithmetic): number {
  if (ar.u === U64) return x;
  const r = Math.fround(x);
  return r <= x ? r : step32(r, false);
}

/** The interval of textbook sigmoids: [lo, hi] holds every Z the computation can give. */
interface ZInterval {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/** Z = fl(1 / fl(1 + fl(e^-S))) in the precision, with e^-S scaled by `f` (its own rounding): the activation's textbook form. */
function textbookSigmoid(activation: ElementwiseActivation, S: number, f: number, ar: Arithmetic): number {
  return activation.textbook.value(S, f, ar.round);
}

/**
 * Z = fl(1 / fl(1 + fl(e^-S'))) over S' in [S - eS, S + eS] and e^-S' to 2 roundings of the precision
 * (and 2 of the float64 evaluation), each step correctly rounded (a float32 step is a float64 step
 * rounded again: exact for + and /, p' >= 2p + 2). The formula is monotone in S', so its ends are
 * those at the ends of the interval. Without `overflow`, where e^-S' could overflow, Z is the
 * stable sigmoid's instead (within SIGMOID_ROUNDINGS).
 */
function zIntervals(network: Network, pass: ForwardPass, fb: ForwardBound, ar: Arithmetic, overflow: boolean): ZInterval[] {
  const modules = modulesOf(network);
  const ke = 2 * ar.u + 2 * U64;
  return pass.S.map((S, l) => {
    const activation = modules.elementwise(l);
    const ks = activation.bound.roundings * ar.u + 4 * U64;
    const eS = fb.eS[l]!;
    const lo = new Float64Array(S.length);
    const hi = new Float64Array(S.length);
    for (let q = 0; q < S.length; q++) {
      const left = S[q]! - eS[q]! * SAFETY;
      const right = S[q]! + eS[q]! * SAFETY;
      const mayOverflow = activation.textbook.overflows(left, ar.overflowAt);
      if (mayOverflow && !overflow) {
        lo[q] = ceilTo(Math.max(0, activation.value(left) * (1 - ks) - ar.eta), ar);
        hi[q] = floorTo(Math.min(1, activation.value(right) * (1 + ks) + ar.eta), ar);
      } else {
        lo[q] = textbookSigmoid(activation, left, 1 + ke, ar);
        hi[q] = textbookSigmoid(activation, right, 1 - ke, ar);
      }
    }
    return { lo, hi };
  });
}

/** Centre and radius of [lo, hi]. */
function ballOf(lo: Float64Array, hi: Float64Array): Ball {
  const c = new Float64Array(lo.length);
  const r = new Float64Array(lo.length);
  for (let q = 0; q < lo.length; q++) {
    c[q] = (lo[q]! + hi[q]!) / 2;
    r[q] = (hi[q]! - lo[q]!) / 2;
  }
  return { c, r };
}

/** A stable ball charged STABLE_SLACK times its bound (another stable algorithm's), plus its own evaluation. */
function slackened(ball: Ball): Ball {
  return { c: ball.c, r: Float64Array.from(ball.r, (r, q) => STABLE_SLACK * r + U64 * Math.abs(ball.c[q]!)) };
}

/** sigma'(S) = fl(Z fl(1 - Z)) over the interval of the rounded Z (largest, 1/4, where it holds 1/2): the activation's textbook slope. */
function textbookSlope(activation: ElementwiseActivation, z: ZInterval, ar: Arithmetic, uR: number): Ball {
  const P = (x: number): number => activation.textbook.slope(x, ar.round);
  const peak = activation.textbook.slopePeak;
  const c = new Float64Array(z.lo.length);
  const r = new Float64Array(z.lo.length);
  for (let q = 0; q < c.length; q++) {
    const a = P(z.lo[q]!);
    const b = P(z.hi[q]!);
    const lo = Math.min(a, b);
    const hi = z.lo[q]! <= peak.Z && z.hi[q]! >= peak.Z ? peak.value : Math.max(a, b);
    c[q] = (lo + hi) / 2;
    r[q] = (hi - lo) / 2 + uR * hi + ar.eta * STABLE_SLACK;
  }
  return { c, r };
}

/** delta^(L) = fl(fl(Z - t) / divisor) over the interval of the rounded output Z: the head's textbook delta. */
function textbookOutputDelta(head: Head, z: ZInterval, T: Float64Array, divisor: number, ar: Arithmetic, uR: number): Ball {
  const D = (x: number, t: number): number => head.textbook.delta(x, t, divisor, ar.round);
  const c = new Float64Array(T.length);
  const r = new Float64Array(T.length);
  for (let q = 0; q < T.length; q++) {
    const t = T[q]!;
    const lo = D(z.lo[q]!, t);
    const hi = D(z.hi[q]!, t);
    c[q] = (lo + hi) / 2;
    // other orders of the same steps (Z / divisor - t / divisor) round differently
    r[q] = (hi - lo) / 2 + head.textbook.deltaOrders(z.hi[q]!, t, divisor, uR) + ar.eta * STABLE_SLACK;
  }
  return { c, r };
}

/**
 * One loss term -(t ln Z + (1 - t) ln(1 - Z)) over Z in [lo, hi] as `form` takes the logarithms:
 * the head's textbook term (`src/layers/bce.ts`); empty where the computation gives no finite value.
 */
function textbookTerm(head: Head, lo: number, hi: number, t: number, form: TextbookLogForm, ar: Arithmetic): TermValues {
  return head.textbook.term(lo, hi, t, form, ar);
}

/** At most this many clamped terms are told apart (2^n sums); beyond, the sums are bridged (still finite). */
const MAX_JUMPS = 6;

/** E = sum of textbook terms (then / divisor): the balls of its possible values (none where a term has no finite value). */
function textbookLoss(network: Network, batch: Batch, z: ZInterval[], form: TextbookLogForm, ar: Arithmetic, uR: number): Ball[] {
  const last = z[z.length - 1]!;
  const head = modulesOf(network).elementwiseHead;
  let sums: [number, number][] = [[0, 0]];
  let rounding = 0;
  let magnitude = 0;
  let jumps = 0;
  for (let q = 0; q < batch.T.length; q++) {
    let term = textbookTerm(head, last.lo[q]!, last.hi[q]!, batch.T[q]!, form, ar);
    if (term.length === 0) return [];
    if (term.length > 1 && ++jumps > MAX_JUMPS) term = [[Math.min(...term.map((x) => x[0])), Math.max(...term.map((x) => x[1]))]];
    const high = Math.max(...term.map((x) => x[1]));
    rounding += head.bound.termRoundings * uR * high + 4 * STABLE_SLACK * ar.eta;
    magnitude += high;
    sums = sums.flatMap(([a, b]) => term.map(([low, hi]): [number, number] => [a + low, b + hi]));
  }
  rounding += gamma(Math.max(batch.T.length - 1, 0), uR) * magnitude;
  const divisor = reductionDivisor(network, batch);
  return sums.map(([low, high]) => {
    let c = (low + high) / 2;
    let r = (high - low) / 2 + rounding;
    if (divisor !== 1) {
      c /= divisor;
      r = r / divisor + uR * Math.abs(c) + STABLE_SLACK * ar.eta;
    }
    return { c: Float64Array.of(c), r: Float64Array.of(r * SAFETY) };
  });
}

/**
 * E = sum of the head's "with logits" terms (then / divisor), each at the reference's logit S and
 * charged |dE_i/dS| eS (|sigma(S) - t| + eS / 4 for bce) for S's own rounding: one ball, or none
 * where the head has no such form.
 */
function logitsLoss(network: Network, batch: Batch, pass: ForwardPass, fb: ForwardBound, ar: Arithmetic, uR: number): Ball[] {
  const head = modulesOf(network).elementwiseHead;
  const logits = head.textbook.logits;
  if (!logits) return [];
  const L = network.layers.length;
  const S = pass.S[L - 1]!;
  const eS = fb.eS[L - 1]!;
  const Z = pass.Z[L - 1]!;
  let c = 0;
  let r = 0;
  let magnitude = 0;
  for (let q = 0; q < S.length; q++) {
    const t = batch.T[q]!;
    const { value, scale } = logits(S[q]!, t, ar.round);
    c += value;
    r += uR * scale + (Math.abs(Z[q]! - t) + eS[q]! / 4) * eS[q]! * SAFETY + 4 * STABLE_SLACK * ar.eta;
    magnitude += Math.abs(value);
  }
  r += gamma(Math.max(S.length - 1, 0), uR) * magnitude;
  const divisor = reductionDivisor(network, batch);
  if (divisor !== 1) {
    c /= divisor;
    r = r / divisor + uR * Math.abs(c) + STABLE_SLACK * ar.eta;
  }
  return [{ c: Float64Array.of(c), r: Float64Array.of(r * SAFETY) }];
}

/**
 * What one textbook computation gives for every entry of an answer (loss, per layer dE/dW row-major
 * then dE/db, then the outputs when `withOutputs`): centre `c` and allowance `r`, and `applies`,
 * 0 where the computation is the stable one or gives no finite value (it then explains nothing).
 */
export interface TextbookValues {
  readonly computation: TextbookComputation;
  readonly c: Float64Array;
  readonly r: Float64Array;
  readonly applies: Uint8Array;
  /** The loss's possible values (entry 0), when a clamp makes them more than one interval. */
  readonly loss: readonly Ball[];
}

/**
 * Emulates `computation` on the case in the arithmetic `ar`, at the reference's forward pass:
 * the intervals of its rounded Z, then its slopes, output delta and loss, then the backward pass
 * over balls (`backwardBall`) with rounding charged at STABLE_SLACK u (plus the float64 emulation's own).
 */
export function textbookValues(network: Network, batch: Batch, pass: ForwardPass, ar: Arithmetic, computation: TextbookComputation, count: number, withOutputs: boolean): TextbookValues {
  const c = new Float64Array(count);
  const r = new Float64Array(count).fill(-1);
  const applies = new Uint8Array(count);
  const uR = STABLE_SLACK * ar.u + U64;
  const fb = forwardBound(network, batch, pass, { ...ar, flushOverflow: computation.overflow });
  const z = zIntervals(network, pass, fb, ar, computation.overflow);
  const modules = modulesOf(network);
  const L = network.layers.length;
  const set = (k: number, centre: number, radius: number): void => {
    if (!Number.isFinite(centre) || !Number.isFinite(radius)) return;
    c[k] = centre;
    r[k] = radius;
    applies[k] = 1;
  };

  const loss = (computation.log === 'stable' ? [] : computation.log === 'logits' ? logitsLoss(network, batch, pass, fb, ar, uR) : textbookLoss(network, batch, z, computation.log, ar, uR)).filter((E) => Number.isFinite(E.c[0]!) && Number.isFinite(E.r[0]!));
  if (loss.length > 0) {
    // entry 0 holds the ball nearest the stable value, for the report; `explains` tries them all
    set(0, loss[0]!.c[0]!, loss[0]!.r[0]!);
  }
  let k = 1;
  if (computation.slope || computation.outputDelta || computation.overflow) {
    const stable: BoundOptions = { ...ar, flushOverflow: computation.overflow };
    const delta = computation.outputDelta ? textbookOutputDelta(modules.elementwiseHead, z[L - 1]!, batch.T, reductionDivisor(network, batch), ar, uR) : slackened(stableOutputDelta(network, batch, pass, fb, stable));
    const layers = backwardBall(network, batch, {
      Y: (l) => ballOf(z[l - 1]!.lo, z[l - 1]!.hi),
      slope: (l) => (computation.slope ? textbookSlope(modules.elementwise(l), z[l]!, ar, uR) : slackened(stableSlope(network, pass, fb, l, stable))),
      delta,
      u: uR,
      eta: STABLE_SLACK * ar.eta,
    });
    for (const { W, b } of layers) {
      for (let q = 0; q < W.c.length; q++) set(k + q, W.c[q]!, W.r[q]!);
      k += W.c.length;
      if (b) {
        for (let q = 0; q < b.c.length; q++) set(k + q, b.c[q]!, b.r[q]!);
        k += b.c.length;
      }
    }
  } else {
    for (const { nIn, nOut, b } of network.layers) k += nIn * nOut + (b ? nOut : 0);
  }
  if (withOutputs && computation.overflow) {
    const out = ballOf(z[L - 1]!.lo, z[L - 1]!.hi);
    for (let q = 0; q < out.c.length; q++) set(k + q, out.c[q]!, out.r[q]! + STABLE_SLACK * ar.eta);
  }
  return { computation, c, r, applies, loss };
}

/** Whether `value` is what the computation gives at entry k (within its allowance); NaN never is. */
export function explains(values: TextbookValues, k: number, value: number): boolean {
  const within = (c: number, r: number): boolean => Math.abs(value - c) <= r * (1 + 2 ** -50);
  if (k === 0 && values.loss.length > 1) return values.loss.some((E) => within(E.c[0]!, E.r[0]!));
  return values.applies[k] === 1 && within(values.c[k]!, values.r[k]!);
}
