import { cceSoftmax, cceTextbook, isRowwiseHead, modulesOf, softmax, type ActivationName, type ElementwiseActivation, type Head, type LossName } from '../layers/index.js';
import type { TermValues, TextbookLogForm } from '../layers/loss.js';
import { activationNameOf, isVersion1, lossNameOf, type Batch, type Network } from '../network/types.js';
import { reductionDivisor } from '../network/shape.js';
import type { ForwardPass } from '../reference/forward.js';
import { backwardBall, forwardBound, preActivationBound, SAFETY, STABLE_SLACK, stableOutputDelta, stableSlope, type Ball, type BoundOptions, type ForwardBound } from './bound.js';
import { U64, gamma } from './rounding.js';
import type { Precision } from '../types.js';

/**
 * The named textbook computations. A value that a stable algorithm could not have given is
 * *inaccurate* (not wrong) only when one of these computations, emulated on the case in the
 * declared precision, gives it: the computation is run at both ends of the interval its inputs
 * can take (S within its rounding bound eS, the sigmoid within 8 roundings), every elementwise
 * step being monotone, and the value is accepted within STABLE_SLACK times the rounding of the
 * remaining arithmetic (sums in any order, other orders of the same operations). Every such
 * allowance is finite: where a computation gives no finite value (ln 0 without a clamp, a softmax
 * whose e^S overflows without the max shift), it explains nothing, and the value is wrong.
 *
 * Version 1 (sigmoid layers, bce):
 * - `slope`: sigma'(S) = Z (1 - Z) with 1 - Z formed from the rounded Z (a saturated hidden unit);
 * - `outputDelta`: the output delta Z - t formed from the rounded Z;
 * - `sigmoidOverflow`: Z = 1 / (1 + e^-S) with e^-S overflowing: a Z below the normal range is 0;
 * - `logComplement`: the loss -(t ln Z + (1-t) ln(1 - Z)) from the rounded Z, no clamp;
 * - `logClamp`: the same with each log clamped at -100 (PyTorch's BCELoss);
 * - `logClip`: the same with Z clipped to [1e-7, 1 - 1e-7] first (TensorFlow's binary cross-entropy);
 * - `logits`: the loss from the logit as PyTorch's BCEWithLogitsLoss forms it, (1 - t) S - log sigma(S),
 *   cancelling where the term is small (a well-classified output);
 * Version 2 (issue 12):
 * - `tanhSlope`: tanh'(S) = 1 - Z^2 with Z^2 formed from the rounded tanh (a saturated hidden unit);
 * - `mseDelta`: mse's output delta 2 (Z - t) f'(S), Z - t and the slope (sigmoid Z (1 - Z), tanh
 *   1 - Z^2) from the rounded output Z;
 * - `mseTerm`: mse's term (Z - t)^2 from the rounded output Z (sigmoid: not from its complement);
 * - `softmaxDelta`: cce's output delta Z - t from the rounded softmax output (not Z s - t Zc);
 * - `lnSoftmax`: cce's term -t ln Z from the rounded softmax output instead of log-softmax (ln 0
 *   where Z underflowed: no finite value);
 * - `lnSoftmaxClip`: the same with Z renormalised and clipped to [1e-7, 1 - 1e-7] first
 *   (TensorFlow's categorical cross-entropy from probabilities; PyTorch's clamp at -100 is BCELoss's
 *   only: its cross-entropy is log-softmax, the stable form);
 * - `lseMinusS`: cce's term t (lse(S) - S_t) with lse(S) = m + ln(sum) rounded at |m| before S_t is
 *   taken off (the difference cancels where the row is well classified);
 * - `softmaxOverflow`: softmax formed without the max shift, e^S_k / sum_j e^S_j (outputs, Z - t,
 *   -t ln Z): where some e^S overflows it is not finite and explains nothing (wrong); elsewhere it
 *   is one more rounding (subnormal e^S lose digits);
 * - `several`: the whole textbook algorithm (all of the gradient ones of the network's family; the
 *   overflow with one loss form).
 * A computation applies to the networks that have what it changes (its loss; a hidden layer of its
 * slope's activation; a sigmoid layer for the overflow); elsewhere it gives nothing (`applies` 0).
 *
 * The textbook forms themselves and their cancellations are the layer modules' `textbook` parts
 * (`src/layers/sigmoid.ts`, `tanh.ts`: Z, its overflow, the slope; `bce.ts`: Z - t, the logarithms;
 * `mse.ts`: the square and its delta; `softmax.ts`, `cce.ts`: the unshifted row, Z - t, ln Z,
 * lse - S); this module is the emulation driver: intervals, balls, the backward pass over them.
 * Version-1 networks take exactly the path they took before version 2 (`version1Values`); every
 * other network the general one (`generalValues`).
 */
export type TextbookName =
  | 'slope'
  | 'outputDelta'
  | 'sigmoidOverflow'
  | 'logComplement'
  | 'logClamp'
  | 'logClip'
  | 'logits'
  | 'tanhSlope'
  | 'mseDelta'
  | 'mseTerm'
  | 'softmaxDelta'
  | 'lnSoftmax'
  | 'lnSoftmaxClip'
  | 'lseMinusS'
  | 'softmaxOverflow'
  | 'several';

/**
 * What each computation is, in words for the report. `CANCELLATION_TEXT` of `judge.ts` holds the
 * version-1 ones (unchanged); the version-2 ones are these.
 */
export const TEXTBOOK_TEXT: Readonly<Record<Exclude<TextbookName, 'slope' | 'outputDelta' | 'sigmoidOverflow' | 'logComplement' | 'logClamp' | 'logClip' | 'logits' | 'several'>, string>> = {
  tanhSlope: "tanh'(S) = 1 - Z^2 formed from a rounded Z (a saturated hidden unit)",
  mseDelta: "2 (Z - t) f'(S) with Z - t and the slope formed from a rounded output Z (a saturated sigmoid or tanh output)",
  mseTerm: '(Z - t)^2 formed from a rounded output Z (a saturated output near its target)',
  softmaxDelta: 'Z - t formed from a rounded softmax output (an output saturated toward its target)',
  lnSoftmax: '-t ln Z of a rounded softmax output instead of log-softmax (a saturated row)',
  lnSoftmaxClip: "softmax outputs clipped to [1e-7, 1 - 1e-7] before -t ln Z (TensorFlow's categorical cross-entropy)",
  lseMinusS: 'lse(S) - S_t formed as a difference, lse rounded at the largest logit (a well-classified row)',
  softmaxOverflow: 'softmax e^S_k / sum e^S_j formed without subtracting the largest logit (its rounding; where e^S overflows, no finite value)',
};

/**
 * How a textbook computation forms the loss: stably (from S), or from the rounded Z: bce's
 * logarithms (`plain`, `clamp`, `clip`, `logits`), mse's square (`square`), cce's forms.
 */
type LogForm = 'stable' | TextbookLogForm | 'logits' | 'square' | 'lnSoftmax' | 'lnSoftmaxClip' | 'lseMinusS' | 'unshifted';

/** One named computation: which steps it forms the textbook way. */
export interface TextbookComputation {
  readonly name: TextbookName;
  /** The hidden layers' slopes from the rounded Z: of the activations in `slopes` (default sigmoid's). */
  readonly slope: boolean;
  /** The output delta from the rounded output Z (bce Z - t; mse 2 (Z - t) f'; cce Z - t of the softmax). */
  readonly outputDelta: boolean;
  /** The sigmoid's e^-S overflowing (a Z below the normal range flushed to 0). */
  readonly overflow: boolean;
  readonly log: LogForm;
  /** The activations whose hidden slopes `slope` forms the textbook way (default: sigmoid). */
  readonly slopes?: readonly ActivationName[];
  /** The losses it is a computation of (default: every loss). */
  readonly losses?: readonly LossName[];
  /** The softmax formed without the max shift (outputs, delta, loss): cce. */
  readonly unshifted?: boolean;
}

const ONE = { slope: false, outputDelta: false, overflow: false, log: 'stable' } as const;
const BCE: readonly LossName[] = ['bce'];
const MSE: readonly LossName[] = ['mse'];
const CCE: readonly LossName[] = ['cce'];
const SLOPES: readonly ActivationName[] = ['sigmoid', 'tanh'];

/**
 * The computations in the order they are tried: each alone, then together. The version-1 ones
 * keep their relative order (a version-1 network meets only them: its verdicts and names are those
 * of before version 2).
 */
export const TEXTBOOK_COMPUTATIONS: readonly TextbookComputation[] = [
  { ...ONE, name: 'slope', slope: true },
  { ...ONE, name: 'outputDelta', outputDelta: true, losses: BCE },
  { ...ONE, name: 'sigmoidOverflow', overflow: true },
  { ...ONE, name: 'logComplement', log: 'plain', losses: BCE },
  { ...ONE, name: 'logClamp', log: 'clamp', losses: BCE },
  { ...ONE, name: 'logClip', log: 'clip', losses: BCE },
  { ...ONE, name: 'logits', log: 'logits', losses: BCE },
  { ...ONE, name: 'tanhSlope', slope: true, slopes: ['tanh'] },
  { ...ONE, name: 'mseDelta', outputDelta: true, losses: MSE },
  { ...ONE, name: 'mseTerm', log: 'square', losses: MSE },
  { ...ONE, name: 'softmaxDelta', outputDelta: true, losses: CCE },
  { ...ONE, name: 'lnSoftmax', log: 'lnSoftmax', losses: CCE },
  { ...ONE, name: 'lnSoftmaxClip', log: 'lnSoftmaxClip', losses: CCE },
  { ...ONE, name: 'lseMinusS', log: 'lseMinusS', losses: CCE },
  { ...ONE, name: 'softmaxOverflow', log: 'unshifted', unshifted: true, losses: CCE },
  { name: 'several', slope: true, outputDelta: true, overflow: true, log: 'stable', slopes: SLOPES },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'plain', losses: BCE },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'clamp', losses: BCE },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'clip', losses: BCE },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'square', losses: MSE },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'lnSoftmax', losses: CCE },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'lnSoftmaxClip', losses: CCE },
  { name: 'several', slope: false, outputDelta: false, overflow: true, log: 'lseMinusS', losses: CCE },
  { name: 'several', slope: true, outputDelta: false, overflow: true, log: 'unshifted', unshifted: true, slopes: SLOPES, losses: CCE },
];

/** The computations of version 1 (sigmoid / bce): the only ones a version-1 network is emulated under. */
const VERSION1_NAMES: ReadonlySet<TextbookName> = new Set<TextbookName>(['slope', 'outputDelta', 'sigmoidOverflow', 'logComplement', 'logClamp', 'logClip', 'logits', 'several']);
function isVersion1Computation(computation: TextbookComputation): boolean {
  return VERSION1_NAMES.has(computation.name) && (computation.losses ?? BCE).includes('bce') && computation.log !== 'square' && !computation.unshifted;
}

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

/** The smallest number of the precision >= x (x finite; in [0, 1] for version 1). */
function ceilTo(x: number, ar: Arithmetic): number {
  if (ar.u === U64) return x;
  const r = Math.fround(x);
  if (r >= x) return r;
  return r >= 0 ? step32(r, true) : -step32(-r, false);
}

/** The largest number of the precision <= x (x finite; in [0, 1] for version 1). */
function floorTo(x: number, ar: Arithmetic): number {
  if (ar.u === U64) return x;
  const r = Math.fround(x);
  if (r <= x) return r;
  return r > 0 ? step32(r, false) : -step32(-r, true);
}

/**
 * The end of a textbook Z interval widened outward by one unit in the last place of a precision
 * narrower than float64 (within the activation's range [low, high]): the interval then holds every
 * faithful rounding of Z in the precision, the op-by-op one the emulation forms and the correctly
 * rounded one (a float32 library forming the sigmoid in float64 and storing it once rounded, as
 * TensorFlow.js's cpu backend does). In float64 the op-by-op interval is kept as it was.
 */
function faithfulBelow(x: number, low: number, ar: Arithmetic): number {
  if (ar.u === U64 || !Number.isFinite(x)) return x;
  return Math.max(low, x > 0 ? step32(x, false) : -step32(-x, true));
}
function faithfulAbove(x: number, high: number, ar: Arithmetic): number {
  if (ar.u === U64 || !Number.isFinite(x)) return x;
  return Math.min(high, x >= 0 ? step32(x, true) : -step32(-x, false));
}

/** The interval of textbook Z (version 1: sigmoids): [lo, hi] holds every Z the computation can give. */
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
      // every faithful rounding of Z, not only the op-by-op one (float32; float64's emulation unchanged)
      lo[q] = faithfulBelow(lo[q]!, 0, ar);
      hi[q] = faithfulAbove(hi[q]!, 1, ar);
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

/** delta^(L) = fl(fl(Z - t) / divisor) (bce; mse fl(2 fl(Z - t) f'(Z))) over the interval of the rounded output Z: the head's textbook delta. */
function textbookOutputDelta(head: Head, z: ZInterval, T: Float64Array, divisor: number, ar: Arithmetic, uR: number): Ball {
  const D = (x: number, t: number): number => head.textbook.delta(x, t, divisor, ar.round);
  const c = new Float64Array(T.length);
  const r = new Float64Array(T.length);
  for (let q = 0; q < T.length; q++) {
    const t = T[q]!;
    if (head.textbook.deltaOver) {
      // not monotone in Z (mse: the slope peaks): the head's own range over [lo, hi]
      const [lo, hi] = head.textbook.deltaOver(z.lo[q]!, z.hi[q]!, t, divisor, ar.round);
      c[q] = (lo + hi) / 2;
      r[q] = (hi - lo) / 2 + Math.max(head.textbook.deltaOrders(z.lo[q]!, t, divisor, uR), head.textbook.deltaOrders(z.hi[q]!, t, divisor, uR)) + ar.eta * STABLE_SLACK;
      continue;
    }
    const lo = D(z.lo[q]!, t);
    const hi = D(z.hi[q]!, t);
    c[q] = (lo + hi) / 2;
    // other orders of the same steps (Z / divisor - t / divisor) round differently
    r[q] = (hi - lo) / 2 + head.textbook.deltaOrders(z.hi[q]!, t, divisor, uR) + ar.eta * STABLE_SLACK;
  }
  return { c, r };
}

/**
 * One loss term -(t ln Z + (1 - t) ln(1 - Z)) over Z in [lo, hi] as `form` takes the logarithms
 * (mse: (Z - t)^2, no logarithm): the head's textbook term (`src/layers/bce.ts`, `mse.ts`); empty
 * where the computation gives no finite value.
 */
function textbookTerm(head: Head, lo: number, hi: number, t: number, form: TextbookLogForm, ar: Arithmetic): TermValues {
  return head.textbook.term(lo, hi, t, form, ar);
}

/** At most this many clamped terms are told apart (2^n sums); beyond, the sums are bridged (still finite). */
const MAX_JUMPS = 6;

/** E = sum of textbook terms (then / divisor): the balls of its possible values (none where a term has no finite value). */
function textbookLoss(network: Network, head: Head, batch: Batch, z: ZInterval[], form: TextbookLogForm, ar: Arithmetic, uR: number, discrete = false): Ball[] {
  const last = z[z.length - 1]!;
  let sums: [number, number][] = [[0, 0]];
  let rounding = 0;
  let magnitude = 0;
  let jumps = 0;
  for (let q = 0; q < batch.T.length; q++) {
    let term = textbookTerm(head, last.lo[q]!, last.hi[q]!, batch.T[q]!, form, ar);
    if (term.length === 0) return [];
    // a few numbers of the precision in Z's interval: the term of each, not what lies between
    const zs = discrete ? numbersIn(last.lo[q]!, last.hi[q]!, ar, MAX_POINTS) : null;
    if (zs) {
      const points = zs.flatMap((x) => textbookTerm(head, x, x, batch.T[q]!, form, ar));
      if (points.length > 0) term = points;
    }
    if (!discrete && term.length > 1 && ++jumps > MAX_JUMPS) term = [[Math.min(...term.map((x) => x[0])), Math.max(...term.map((x) => x[1]))]];
    const high = Math.max(...term.map((x) => x[1]));
    rounding += head.bound.termRoundings * uR * high + 4 * STABLE_SLACK * ar.eta;
    magnitude += high;
    sums = sums.flatMap(([a, b]) => term.map(([low, hi]): [number, number] => [a + low, b + hi]));
    if (discrete) sums = bridged(sums, rounding);
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
function logitsLoss(network: Network, head: Head, batch: Batch, pass: ForwardPass, fb: ForwardBound, ar: Arithmetic, uR: number): Ball[] {
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
  /**
   * More values of the gradient entries (radius -1: none there): where some units' textbook slope or
   * delta takes a few discrete values (one per number of the precision their rounded Z can be), one
   * backward pass per combination of them; `c`, `r` hold the first. Absent or empty: one pass.
   */
  readonly alternatives?: readonly Ball[];
}

/**
 * Emulates `computation` on the case in the arithmetic `ar`, at the reference's forward pass:
 * the intervals of its rounded Z, then its slopes, output delta and loss, then the backward pass
 * over balls (`backwardBall`) with rounding charged at STABLE_SLACK u (plus the float64 emulation's own).
 * A version-1 network (sigmoid / bce) is emulated under the version-1 computations exactly as
 * before version 2 (`version1Values`), and under no other; every other network by `generalValues`.
 */
export function textbookValues(network: Network, batch: Batch, pass: ForwardPass, ar: Arithmetic, computation: TextbookComputation, count: number, withOutputs: boolean): TextbookValues {
  if (isVersion1(network)) return isVersion1Computation(computation) ? version1Values(network, batch, pass, ar, computation, count, withOutputs) : nothing(computation, count);
  return generalValues(network, batch, pass, ar, computation, count, withOutputs);
}

/** A computation that gives nothing on this case (it changes nothing the network has). */
function nothing(computation: TextbookComputation, count: number): TextbookValues {
  return { computation, c: new Float64Array(count), r: new Float64Array(count).fill(-1), applies: new Uint8Array(count), loss: [] };
}

/** The elementwise head of a network whose head the caller knows to be elementwise (version 1: bce + sigmoid). */
function elementwiseHeadOf(network: Network): Head {
  const { head } = modulesOf(network);
  if (isRowwiseHead(head)) throw new Error(`the ${head.loss} loss on a ${head.activation} output is row-wise`);
  return head;
}

/** `textbookValues` of a version-1 network (sigmoid layers, bce): the emulation of before version 2, unchanged. */
function version1Values(network: Network, batch: Batch, pass: ForwardPass, ar: Arithmetic, computation: TextbookComputation, count: number, withOutputs: boolean): TextbookValues {
  const head = elementwiseHeadOf(network);
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

  const loss = (computation.log === 'stable' ? [] : computation.log === 'logits' ? logitsLoss(network, head, batch, pass, fb, ar, uR) : textbookLoss(network, head, batch, z, computation.log as TextbookLogForm, ar, uR)).filter((E) => Number.isFinite(E.c[0]!) && Number.isFinite(E.r[0]!));
  if (loss.length > 0) {
    // entry 0 holds the ball nearest the stable value, for the report; `explains` tries them all
    set(0, loss[0]!.c[0]!, loss[0]!.r[0]!);
  }
  let k = 1;
  if (computation.slope || computation.outputDelta || computation.overflow) {
    const stable: BoundOptions = { ...ar, flushOverflow: computation.overflow };
    const delta = computation.outputDelta ? textbookOutputDelta(head, z[L - 1]!, batch.T, reductionDivisor(network, batch), ar, uR) : slackened(stableOutputDelta(network, batch, pass, fb, stable));
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

/**
 * Whether an elementwise head's textbook output delta is another computation than its stable one:
 * bce's Z - t from the rounded Z; mse's 2 (Z - t) f' where f's textbook slope cancels (sigmoid,
 * tanh). An mse output of a rectifier or linear forms the same delta either way (its slope has no
 * cancellation; the kink is the declared side's, which only the stable delta takes).
 */
function textbookDeltaDiffers(head: Head): boolean {
  return head.loss !== 'mse' || SLOPES.includes(head.activation);
}

/** The activations whose hidden slopes `computation` forms the textbook way. */
function slopesOf(computation: TextbookComputation): readonly ActivationName[] {
  return computation.slope ? (computation.slopes ?? ['sigmoid']) : [];
}

/**
 * Whether the activation's textbook form, where its intermediate overflows, still gives a finite Z
 * (sigmoid: 1 / (1 + Inf) = 0, flushed): then the overflow is a computation; where it gives none
 * (tanh: (1 - Inf) / (1 + Inf) = NaN) it explains nothing, and the unit's Z is the stable one's.
 */
function flushes(activation: ElementwiseActivation, ar: Arithmetic): boolean {
  const S = -2 * ar.overflowAt;
  return activation.textbook.overflows(S, ar.overflowAt) && Number.isFinite(activation.textbook.value(S, 1, ar.round));
}

/**
 * Whether `computation` changes anything `network` has (its loss; a hidden layer of its slopes'
 * activations; a layer whose overflow flushes; the output delta; the loss form): a single one needs
 * one such part, a `several` two (with one it would only repeat a single computation, under the
 * wrong name).
 */
function relevant(network: Network, computation: TextbookComputation, ar: Arithmetic): boolean {
  if (computation.losses && !computation.losses.includes(lossNameOf(network))) return false;
  const modules = modulesOf(network);
  const L = network.layers.length;
  const slopes = slopesOf(computation);
  const parts = [
    network.layers.some((layer, l) => l < L - 1 && slopes.includes(activationNameOf(layer))),
    computation.overflow && network.layers.some((_, l) => {
      const a = modules.activation(l);
      return a.shape === 'elementwise' && flushes(a, ar);
    }),
    computation.outputDelta && (isRowwiseHead(modules.head) || textbookDeltaDiffers(modules.head)),
    computation.log !== 'stable' || computation.unshifted === true,
  ].filter(Boolean).length;
  return parts >= (computation.name === 'several' ? 2 : 1);
}

/**
 * The forward pass of a textbook computation: the bounds of S, Z, Zc and the interval of Z per
 * layer (null for a row-wise last layer), with eY, how far from the reference's Z the next layer's
 * inputs may lie (the interval, or the stable bound where that is wider: an implementation may
 * form Z stably and only its slope the textbook way).
 */
interface TextbookForward extends ForwardBound {
  readonly z: ((ZInterval & { readonly eY: Float64Array }) | null)[];
}

/**
 * The textbook forward pass of a version-2 network: per layer eS from the inputs' own interval
 * (not only the stable bound: tanh's textbook 1 - e^-2S loses Z's relative digits near S = 0), the
 * stable bounds eZ, eZc by the module's rules (a flushing unit's Z below the normal range lost whole
 * under `overflow`), and the interval of Z: the hull of the textbook form at the ends of
 * [S - eS, S + eS] (monotone in S; where its intermediate overflows and the computation does not
 * flush, none) and of the stable Z within eZ, inside the activation's range, in the precision.
 * A row-wise last layer (softmax) has its bounds by its row rule and no interval.
 */
function textbookForward(network: Network, batch: Batch, pass: ForwardPass, ar: Arithmetic, overflow: boolean): TextbookForward {
  const modules = modulesOf(network, ar.kink ?? 'left');
  const { u, eta, minNormal } = ar;
  const ke = 2 * ar.u + 2 * U64;
  const eS: Float64Array[] = [];
  const eZ: Float64Array[] = [];
  const eZc: Float64Array[] = [];
  const z: TextbookForward['z'][number][] = [];
  let eY = new Float64Array(batch.X.length); // the inputs are exact
  network.layers.forEach(({ nOut }, l) => {
    const activation = modules.activation(l);
    const S = pass.S[l]!;
    const Z = pass.Z[l]!;
    const Zc = pass.Zc[l]!;
    const eSl = preActivationBound(network, batch, pass, l, eY, { u, eta, kink: ar.kink ?? 'left' });
    const eZl = new Float64Array(S.length);
    const eZcl = new Float64Array(S.length);
    eS.push(eSl);
    eZ.push(eZl);
    eZc.push(eZcl);
    if (activation.shape === 'rowwise') {
      for (let row = 0; row < S.length; row += nOut) activation.bound.row(S, eSl, Z, Zc, row, nOut, u, eta, eZl, eZcl);
      z.push(null);
      return;
    }
    const flush = overflow && flushes(activation, ar);
    const [low, high] = activation.textbook.range ?? [-Infinity, Infinity];
    const lo = new Float64Array(S.length);
    const hi = new Float64Array(S.length);
    const next = new Float64Array(S.length);
    for (let q = 0; q < S.length; q++) {
      const s = S[q]!;
      const e = eSl[q]!;
      // with e^-S overflowing, a Z below the normal range is lost whole (flushed to 0)
      const flushZ = flush && Math.abs(Z[q]!) < minNormal ? Math.abs(Z[q]!) : 0;
      const flushZc = flush && Math.abs(Zc[q]!) < minNormal ? Math.abs(Zc[q]!) : 0;
      eZl[q] = activation.bound.propagated(s, e) + activation.bound.roundings * u * Math.abs(Z[q]!) + eta + flushZ;
      eZcl[q] = (activation.bound.complementPropagated ?? activation.bound.propagated)(s, e) + activation.bound.roundings * u * Math.abs(Zc[q]!) + eta + flushZc;
      const left = s - e * SAFETY;
      const right = s + e * SAFETY;
      // the stable Z at the ends, in the precision (not widened by its bound: a saturated unit's is exactly 1)
      let a = ar.round(activation.value(left));
      let b = ar.round(activation.value(right));
      if (!activation.textbook.overflows(left, ar.overflowAt) || flush) {
        const tl = activation.textbook.value(left, 1 + ke, ar.round);
        const tr = activation.textbook.value(right, 1 - ke, ar.round);
        if (Number.isFinite(tl)) a = Math.min(a, tl);
        if (Number.isFinite(tr)) b = Math.max(b, tr);
      }
      lo[q] = ceilTo(Math.max(low, a), ar);
      hi[q] = floorTo(Math.min(high, b), ar);
      // an exponential form (sigmoid, tanh: a bounded range): every faithful rounding of Z in the precision
      if (activation.textbook.range) {
        lo[q] = faithfulBelow(lo[q]!, low, ar);
        hi[q] = faithfulAbove(hi[q]!, high, ar);
      }
      next[q] = Math.max(eZl[q]!, Z[q]! - lo[q]!, hi[q]! - Z[q]!);
    }
    z.push({ lo, hi, eY: next });
    eY = next;
  });
  return { eS, eZ, eZc, z };
}

/** The elementwise Z intervals of every layer (an elementwise head's network has no row-wise layer). */
function elementwiseIntervals(tf: TextbookForward): ZInterval[] {
  return tf.z.map((z, l) => {
    if (!z) throw new Error(`layer ${l + 1} is row-wise`);
    return z;
  });
}

/** sum of a target row: the exact output delta of cce is Z sum(t) - t, the textbook one Z - t. */
function rowSum(T: Float64Array, row: number, n: number): number {
  let s = 0;
  for (let k = row; k < row + n; k++) s += T[k]!;
  return s;
}

/**
 * The interval of the softmax outputs Z_k = e_k / (e_k + O_k) (O_k = sum over j != k of e_j) of one
 * row as a computation in the precision gives them: shifted, e_j = fl(e^fl(S_j - m)) with m the
 * largest logit (e = 1 there), or unshifted (softmaxOverflow), e_j = fl(e^S_j); each S within
 * its eS (S_j - m moves by eS_j + eS_m, and rounds), each e within 2 roundings (and eta: a
 * subnormal e loses its digits; below eta / 4 it is 0, and then ln 0 has no finite value). Z_k is increasing in e_k and decreasing in O_k, so its ends are
 * at the ends of those; the sum rounds in the precision, and in another order by gamma_(n-1) of it
 * unless the others are below half a rounding unit of e_k (then every order gives e_k's: a
 * saturated row's Z = 1 exactly). Not finite where some e^S overflows (Inf / Inf). Shifted, the
 * interval in float32 also holds the row formed through its log, e^(S_k - fl(m + ln sum)) rounded at
 * each step (TensorFlow.js's softmax: a hot class whose ln sum rounds away from lse is exactly 1).
 */
function rowInterval(S: Float64Array, eS: Float64Array, row: number, n: number, ar: Arithmetic, uR: number, shifted: boolean, lo: Float64Array, hi: Float64Array): void {
  const ke = 2 * ar.u + 2 * U64;
  const { a, m } = shifted ? softmax.shift(S, row, n) : { a: -1, m: 0 };
  const eLo = new Float64Array(n);
  const eHi = new Float64Array(n);
  for (let j = row; j < row + n; j++) {
    if (j === a) {
      eLo[j - row] = 1;
      eHi[j - row] = 1;
      continue;
    }
    const x = S[j]! - m;
    const d = (eS[j]! + (shifted ? eS[a]! : 0)) * SAFETY + (shifted ? ar.u * Math.abs(x) : 0);
    // a subnormal e is within eta (one unit of the subnormal range); one below a quarter of it is 0 in every correctly rounded exp
    eLo[j - row] = Math.max(0, ar.round(Math.exp(x - d) * (1 - ke)) - ar.eta);
    const up = Math.exp(x + d) * (1 + ke);
    eHi[j - row] = ar.round(up) + (4 * up >= ar.eta ? ar.eta : 0);
  }
  const g = gamma(Math.max(n - 1, 0), uR);
  for (let k = 0; k < n; k++) {
    let oLo = 0;
    let oHi = 0;
    for (let j = 0; j < n; j++) {
      if (j === k) continue;
      oLo = ar.round(oLo + eLo[j]!);
      oHi = ar.round(oHi + eHi[j]!);
    }
    const tight = oHi < (uR / 2) * eLo[k]!;
    const sumHi = ar.round(eLo[k]! + oHi) * (tight ? 1 : 1 + g);
    const sumLo = ar.round(eHi[k]! + oLo) * (tight ? 1 : 1 - g);
    lo[row + k] = ar.round(eLo[k]! / sumHi) * (tight ? 1 : 1 - uR);
    hi[row + k] = Math.min(1, ar.round(eHi[k]! / sumLo) * (tight ? 1 : 1 + uR));
  }
  // float32 only: that is the precision TensorFlow.js computes in; float64 softmaxes (PyTorch, NumPy,
  // JAX on CPU) form the shifted quotient above, and the log route's grid of ulp(lse) would let a
  // saturated row's Z - t take too many values to be told apart from a wrong one
  if (!shifted || ar.u !== 2 ** -24) return;
  // the same softmax formed through its log, Z_k = fl(e^fl(S_k - fl(m + fl(ln sum)))) (TensorFlow.js's
  // softmax, exp of a log-softmax; or with S_k - m first): ln Z_k is off by the roundings of ln sum,
  // of lse = m + ln sum (u (|m| + ln sum)) and of the difference (u (|S_k - m| + ln sum)), then e^
  // rounds: Z_k within e^(+-delta_k) of e^(S_k - m - ln sum)
  let others = 0;
  for (let j = row; j < row + n; j++) if (j !== a) others += eHi[j - row]!;
  const lnSum = Math.log1p(others);
  for (let k = 0; k < n; k++) {
    const x = Math.abs(S[row + k]! - m);
    const delta = SAFETY * (2 * ar.u * (Math.abs(m) + x + 2 * lnSum) + ke);
    const down = Math.exp(-x - lnSum - delta);
    const up = Math.exp(-x - lnSum + delta);
    // a subnormal Z is within eta; one below a quarter of it is 0 (then ln Z has no finite value)
    lo[row + k] = Math.max(0, Math.min(lo[row + k]!, ar.round(down) - (4 * down >= ar.eta ? ar.eta : 0)));
    hi[row + k] = Math.min(1, Math.max(hi[row + k]!, ar.round(up) + (4 * up >= ar.eta ? ar.eta : 0)));
  }
}

/** The softmax intervals of every row of the last layer (`rowInterval`), shifted or not. */
function softmaxIntervals(network: Network, pass: ForwardPass, tf: TextbookForward, ar: Arithmetic, uR: number, shifted: boolean): ZInterval {
  const L = network.layers.length;
  const n = network.layers[L - 1]!.nOut;
  const S = pass.S[L - 1]!;
  const lo = new Float64Array(S.length);
  const hi = new Float64Array(S.length);
  for (let row = 0; row < S.length; row += n) rowInterval(S, tf.eS[L - 1]!, row, n, ar, uR, shifted, lo, hi);
  return { lo, hi };
}

/** The output delta fl(fl(Z - t) / divisor) over Z_k in [lo_k, hi_k] of each row (cce: softmaxDelta, softmaxOverflow), allowing Z (1 - sum t) for a row that sums to 1 only within n 2^-52. */
function rowDelta(z: ZInterval, T: Float64Array, n: number, divisor: number, ar: Arithmetic, uR: number): Ball {
  const c = new Float64Array(T.length);
  const r = new Float64Array(T.length);
  for (let row = 0; row < T.length; row += n) {
    const off = Math.abs(1 - rowSum(T, row, n));
    for (let k = row; k < row + n; k++) {
      const t = T[k]!;
      const lo = z.lo[k]!;
      const hi = z.hi[k]!;
      const a = cceTextbook.delta(lo, t, divisor, ar.round);
      const b = cceTextbook.delta(hi, t, divisor, ar.round);
      c[k] = (a + b) / 2;
      // fl(Z - t) is emulated; with a divisor, other orders (Z / divisor - t / divisor) round differently
      r[k] = (b - a) / 2 + ((divisor === 1 ? 0 : uR * (Math.abs(hi) + Math.abs(t))) + hi * off) / divisor + ar.eta * STABLE_SLACK;
    }
  }
  return { c, r };
}

/**
 * E = sum over rows of cce's textbook term (then / divisor), as `form` forms it: one ball, or none
 * where the computation gives no finite value.
 * - lnSoftmax / lnSoftmaxClip: -t ln Z over the rounded softmax output's interval (`rowInterval`;
 *   renormalised by its sum, n + 1 roundings, and clipped to [eps, 1 - eps] for the clip);
 *   -t ln Z is decreasing in Z; ln 0 (an underflowed Z) has no finite value;
 * - unshifted: the same over the unshifted row's interval; none where some e^S overflows;
 * - lseMinusS: t fl(fl(m + fl(ln sum)) - S_t) at the reference's S, charged the row term's own move
 *   (cce's termErrorRow with no rounding: the propagated part alone) and the roundings at the
 *   magnitudes |m| + ln sum, ln sum and the difference's.
 */
function cceLoss(network: Network, batch: Batch, pass: ForwardPass, tf: TextbookForward, form: LogForm, ar: Arithmetic, uR: number): Ball[] {
  const L = network.layers.length;
  const n = network.layers[L - 1]!.nOut;
  const S = pass.S[L - 1]!;
  const eS = tf.eS[L - 1]!;
  const T = batch.T;
  let c = 0;
  let r = 0;
  let magnitude = 0;
  let terms = 0;
  if (form === 'lseMinusS') {
    for (let row = 0; row < S.length; row += n) {
      // the row term's own move when S moves within eS: cce's rule with no rounding (u = eta = 0)
      r += cceSoftmax.bound.termErrorRow(S, eS, T, row, n, cceSoftmax.termRow(S, T, row, n), 0, 0);
      const { a, m, r: others } = softmax.shift(S, row, n);
      const lnSum = Math.log1p(others);
      let expError = 0; // the shifted sum's relative error, weighted by its terms (softmax's a_j; the largest's e^0 = 1 is exact)
      for (let j = row; j < row + n; j++) if (j !== a) expError += (Math.exp(S[j]! - m) / (1 + others)) * softmax.shiftedExpError(S[j]!, m, uR);
      for (let k = row; k < row + n; k++) {
        const t = T[k]!;
        if (t === 0) continue;
        terms += 1;
        const d = cceTextbook.lseMinusS(S, row, n, k, ar.round);
        const v = ar.round(t * d);
        c += v;
        // fl(m + fl(ln sum)) rounds at |m| + ln sum, ln at ln sum, the difference at |d|; the sum's exps by expError
        r += t * (uR * (Math.abs(m) + 2 * lnSum + Math.abs(d)) + 2 * expError) + 4 * STABLE_SLACK * ar.eta;
        magnitude += Math.abs(v);
      }
    }
  } else {
    if (form === 'unshifted') for (let row = 0; row < S.length; row += n) if (softmax.textbook.overflows(S, row, n, ar.overflowAt)) return [];
    const z = softmaxIntervals(network, pass, tf, ar, uR, form !== 'unshifted');
    const clip = form === 'lnSoftmaxClip';
    const renormalised = clip ? (n + 1) * uR : 0;
    let sums: [number, number][] = [[0, 0]];
    let rounding = 0;
    for (let k = 0; k < S.length; k++) {
      const t = T[k]!;
      if (t === 0) continue;
      terms += 1;
      let lo = z.lo[k]! * (1 - renormalised);
      let hi = Math.min(1, z.hi[k]! * (1 + renormalised));
      if (clip) {
        lo = Math.min(Math.max(lo, ar.clipLow), ar.clipHigh);
        hi = Math.min(Math.max(hi, ar.clipLow), ar.clipHigh);
      } else {
        // ln 0 is -Inf: only the Z in (0, 1] give a finite term
        lo = Math.max(lo, ar.minPositive);
        if (!(lo <= hi)) return [];
      }
      const small = cceTextbook.termFromZ(hi, t, ar.round);
      const large = cceTextbook.termFromZ(lo, t, ar.round);
      // a few numbers of the precision in Z's interval: -t ln Z of each, not what lies between
      const zs = numbersIn(lo, hi, ar, MAX_POINTS);
      const term: [number, number][] = zs ? zs.map((x): [number, number] => [cceTextbook.termFromZ(x, t, ar.round), cceTextbook.termFromZ(x, t, ar.round)]) : [[small, large]];
      rounding += 3 * uR * Math.abs(large) + 4 * STABLE_SLACK * ar.eta;
      sums = bridged(sums.flatMap(([a, b]) => term.map(([p, q]): [number, number] => [a + p, b + q])), rounding);
      magnitude += Math.abs(large);
    }
    rounding += gamma(Math.max(terms - 1, 0), uR) * magnitude;
    const divisor = reductionDivisor(network, batch);
    return sums.map(([low, high]) => {
      let cc = (low + high) / 2;
      let rr = (high - low) / 2 + rounding;
      if (divisor !== 1) {
        cc /= divisor;
        rr = rr / divisor + uR * Math.abs(cc) + STABLE_SLACK * ar.eta;
      }
      return { c: Float64Array.of(cc), r: Float64Array.of(rr * SAFETY) };
    });
  }
  r += gamma(Math.max(terms - 1, 0), uR) * magnitude;
  const divisor = reductionDivisor(network, batch);
  if (divisor !== 1) {
    c /= divisor;
    r = r / divisor + uR * Math.abs(c) + STABLE_SLACK * ar.eta;
  }
  return [{ c: Float64Array.of(c), r: Float64Array.of(r * SAFETY) }];
}

/**
 * `textbookValues` of a version-2 network: the textbook forward (`textbookForward`), then the loss
 * as the computation forms it (bce's logarithms, mse's square, cce's forms), the output delta
 * (the head's textbook delta; cce's Z - t of the rounded or the unshifted softmax), the hidden
 * slopes of its activations from the rounded Z, and the backward pass over balls.
 */
function generalValues(network: Network, batch: Batch, pass: ForwardPass, ar: Arithmetic, computation: TextbookComputation, count: number, withOutputs: boolean): TextbookValues {
  if (!relevant(network, computation, ar)) return nothing(computation, count);
  const c = new Float64Array(count);
  const r = new Float64Array(count).fill(-1);
  const applies = new Uint8Array(count);
  const alternatives: Ball[] = [];
  const uR = STABLE_SLACK * ar.u + U64;
  const modules = modulesOf(network, ar.kink ?? 'left');
  const { head } = modules;
  const L = network.layers.length;
  const n = network.layers[L - 1]!.nOut;
  const divisor = reductionDivisor(network, batch);
  const tf = textbookForward(network, batch, pass, ar, computation.overflow);
  const set = (k: number, centre: number, radius: number): void => {
    if (!Number.isFinite(centre) || !Number.isFinite(radius)) return;
    c[k] = centre;
    r[k] = radius;
    applies[k] = 1;
  };

  // the unshifted softmax rows (softmaxOverflow): its outputs and its Z - t (NaN where e^S overflows: they then give nothing)
  const unshifted = computation.unshifted && isRowwiseHead(head) ? softmaxIntervals(network, pass, tf, ar, uR, false) : null;

  let loss: Ball[] = [];
  if (computation.log !== 'stable') {
    if (isRowwiseHead(head)) loss = cceLoss(network, batch, pass, tf, computation.log, ar, uR);
    else if (computation.log === 'logits') loss = logitsLoss(network, head, batch, pass, tf, ar, uR);
    else loss = textbookLoss(network, head, batch, elementwiseIntervals(tf), computation.log === 'square' ? 'plain' : (computation.log as TextbookLogForm), ar, uR, true);
  }
  loss = loss.filter((E) => Number.isFinite(E.c[0]!) && Number.isFinite(E.r[0]!));
  if (loss.length > 0) set(0, loss[0]!.c[0]!, loss[0]!.r[0]!);

  let k = 1;
  if (computation.slope || computation.outputDelta || computation.overflow || computation.unshifted) {
    const stable: BoundOptions = { ...ar, flushOverflow: computation.overflow };
    let delta: Ball;
    let softmaxZ: ZInterval | null = null;
    if (isRowwiseHead(head)) {
      if (unshifted) {
        softmaxZ = unshifted;
        delta = rowDelta(unshifted, batch.T, n, divisor, ar, uR);
      }
      else if (computation.outputDelta) {
        softmaxZ = softmaxIntervals(network, pass, tf, ar, uR, true);
        delta = rowDelta(softmaxZ, batch.T, n, divisor, ar, uR);
      }
      else delta = slackened(stableOutputDelta(network, batch, pass, tf, stable));
    } else {
      delta = computation.outputDelta && textbookDeltaDiffers(head) ? textbookOutputDelta(head, tf.z[L - 1]!, batch.T, divisor, ar, uR) : slackened(stableOutputDelta(network, batch, pass, tf, stable));
    }
    const slopes = slopesOf(computation);
    const slopeBalls = new Map<number, Ball>();
    const branches: Branch[] = [];
    for (let l = 0; l < L - 1; l++) {
      const activation = modules.elementwise(l);
      if (!slopes.includes(activation.name)) {
        slopeBalls.set(l, slackened(stableSlope(network, pass, tf, l, stable)));
        continue;
      }
      const ball = textbookSlope(activation, tf.z[l]!, ar, uR);
      slopeBalls.set(l, ball);
      branches.push(...branchesOf(ball, tf.z[l]!, (x) => [activation.textbook.slope(x, ar.round)], () => 0, ar, uR));
    }
    // the output delta from each number of the output's interval, in every order the textbook forms it
    if (!isRowwiseHead(head) && computation.outputDelta && textbookDeltaDiffers(head) && head.textbook.deltaForms) {
      const forms = head.textbook.deltaForms;
      branches.push(...branchesOf(delta, tf.z[L - 1]!, (x, q) => forms(x, batch.T[q]!, divisor, ar.round), () => 0, ar, uR));
    }
    if (isRowwiseHead(head) && softmaxZ) {
      // cce: Z - t of each rounded softmax output (a row summing to 1 within n 2^-52: Z (1 - sum t) more)
      const T = batch.T;
      const off = (q: number): number => {
        const row = q - (q % n);
        return (softmaxZ!.hi[q]! * Math.abs(1 - rowSum(T, row, n))) / divisor;
      };
      branches.push(...branchesOf(delta, softmaxZ, (x, q) => cceTextbook.deltaForms(x, T[q]!, divisor, ar.round), off, ar, uR));
    }
    const inputs = (l: number): Ball => ({ c: pass.Z[l - 1]!, r: Float64Array.from(tf.z[l - 1]!.eY, (e) => e * SAFETY) });
    const run = (pick: (ball: Ball) => Ball): Float64Array[] =>
      flatten(
        backwardBall(network, batch, { Y: inputs, slope: (l) => pick(slopeBalls.get(l)!), delta: pick(delta), u: uR, eta: STABLE_SLACK * ar.eta }),
        count,
      );
    const chosen = chooseBranches(
      branches.filter((b) => b.spread > 4 * b.own),
      batch.size * network.layers.reduce((m, { nIn, nOut }) => m + nIn * nOut, 0),
    );
    const fixed = branches.filter((b) => !chosen.includes(b) && b.spread <= 4 * b.own);
    if (chosen.length === 0 && fixed.length === 0) {
      const [C, R] = run((ball) => ball);
      for (let q = 1; q < count; q++) if (R![q]! >= 0) set(q, C![q]!, R![q]!);
    } else {
      // the branching units at their centres, each charged only its values' own rounding: the base pass
      const base = new Map<Ball, Ball>();
      for (const br of [...chosen, ...fixed]) {
        let o = base.get(br.ball);
        if (!o) base.set(br.ball, (o = { c: Float64Array.from(br.ball.c), r: Float64Array.from(br.ball.r) }));
        if (br.values.length > 1 && chosen.includes(br)) o.r[br.q] = br.own;
        else {
          // one value, or values within a few of their own roundings: their hull and their own rounding
          const lo = Math.min(...br.values);
          const hi = Math.max(...br.values);
          o.c[br.q] = (lo + hi) / 2;
          o.r[br.q] = Math.min(o.r[br.q]!, (hi - lo) / 2 + br.own);
        }
      }
      const basePick = (ball: Ball): Ball => base.get(ball) ?? ball;
      const [C, R] = run(basePick);
      // each unit moved alone to each of its values: the offsets of every entry (the entries are multilinear in the units)
      const offsets = chosen.map((br) =>
        br.values.map((v) => {
          const moved = basePick(br.ball);
          const o = { c: Float64Array.from(moved.c), r: moved.r };
          o.c[br.q] = v;
          const [Cv, Rv] = run((ball) => (ball === br.ball ? o : basePick(ball)));
          // the radii move with the values too (|p| times the rest's error): the largest is charged
          for (let q = 0; q < count; q++) if (Rv![q]! > R![q]!) R![q] = Rv![q]!;
          return Float64Array.from(Cv!, (x, q) => x - C![q]!);
        }),
      );
      // the cross terms of units moved together (paths through two or more of them): every coefficient
      // of the entries' multilinear form taken positive (|W|, |values|), P(a + d) - P(a) - sum_q (P(a + d_q) - P(a))
      // with a the centres' magnitudes and d the values' largest moves: the terms with two moves or more
      const moves = chosen.map((br) => Math.max(...br.values.map((v) => Math.abs(v - br.ball.c[br.q]!))));
      let cross: Float64Array | null = null;
      if (chosen.length > 1) {
        const magnitude = (moved: (i: number) => boolean): Float64Array => {
          const sized = new Map<Ball, Ball>();
          chosen.forEach((br, i) => {
            const b0 = basePick(br.ball);
            let o = sized.get(br.ball);
            if (!o) sized.set(br.ball, (o = { c: Float64Array.from(b0.c, Math.abs), r: Float64Array.from(b0.r) }));
            o.c[br.q] = Math.abs(br.ball.c[br.q]!) + (moved(i) ? moves[i]! : 0);
            o.r[br.q] = 0;
          });
          const pick = (ball: Ball): Ball => sized.get(ball) ?? ball;
          return magnitudes(network, batch, inputs, (l) => pick(slopeBalls.get(l)!), pick(delta), count);
        };
        const all = magnitude(() => true);
        const none = magnitude(() => false);
        const ones = chosen.map((_, i) => magnitude((j) => j === i));
        cross = Float64Array.from(all, (m, q) => {
          let first = 0;
          for (const one of ones) first += one[q]! - none[q]!;
          return Math.max(0, m - none[q]! - first) + 8 * (chosen.length + 2) * U64 * m;
        });
      }
      for (let q = 1; q < count; q++) {
        if (!(R![q]! >= 0)) continue;
        // (twice over: the radii's own second-order move with two units moved is of the same kind)
        const margin = cross ? 2 * cross[q]! : 0;
        const sums = reachable(offsets.map((d) => d.map((x) => x[q]!)), R![q]!);
        sums.forEach(([lo, hi], i) => {
          const centre = C![q]! + (lo + hi) / 2;
          const radius = R![q]! + (hi - lo) / 2 + margin;
          if (i === 0) set(q, centre, radius);
          else alternativeSetter(alternatives, count, i - 1)(q, centre, radius);
        });
      }
    }
    k = count;
    if (withOutputs) {
      const ZL = pass.Z[L - 1]!;
      k = count - ZL.length;
    }
  } else {
    for (const { nIn, nOut, b } of network.layers) k += nIn * nOut + (b ? nOut : 0);
  }
  if (withOutputs) {
    const last = modules.activation(L - 1);
    let out: Ball | null = null;
    if (unshifted) out = ballOf(unshifted.lo, unshifted.hi);
    else if (computation.overflow && last.shape === 'elementwise' && flushes(last, ar)) out = ballOf(tf.z[L - 1]!.lo, tf.z[L - 1]!.hi);
    if (out) for (let q = 0; q < out.c.length; q++) set(k + q, out.c[q]!, out.r[q]! + STABLE_SLACK * ar.eta);
  }
  return { computation, c, r, applies, loss, alternatives };
}

/**
 * A unit whose textbook quantity (a hidden slope, an output delta) takes a few discrete values,
 * one per number of the precision its rounded Z can be (`zs`), spread wider than each value's own
 * rounding: the computation gives one of them, not what lies between (the hull `ball` would allow
 * any). `ball` is the layer's ball the unit's entry q belongs to.
 */
interface Branch {
  readonly ball: Ball;
  readonly q: number;
  readonly zs: number[];
  readonly values: number[];
  readonly spread: number;
  /** The values' own rounding (the radius each is charged). */
  readonly own: number;
}

/** At most this many numbers of the precision in one unit's Z interval are told apart (a softmax output's interval near 1 holds some 20 in float64, renormalised and clipped some 35 in float32). */
const MAX_POINTS = 64;
/**
 * At most this many backward passes (one per value of each branching unit) are run for one
 * computation, and at most PASS_WORK multiply-adds of them in all (a large network gets few);
 * beyond, the units of least spread keep their hull.
 */
const MAX_PASSES = 128;
const PASS_WORK = 4e7;

/** The numbers of the precision in [lo, hi], or null where there are more than `most` (or the interval is not finite). */
function numbersIn(lo: number, hi: number, ar: Arithmetic, most: number): number[] | null {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo <= hi)) return null;
  const out: number[] = [];
  // from the smallest number of the precision >= lo (an interval's end may be a bound, not such a number)
  for (let x = ceilTo(lo, ar); x <= hi; x = nextUp(x, ar)) {
    out.push(x);
    if (out.length > most) return null;
  }
  return out;
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** The next number of the precision above x (x a number of the precision). */
function nextUp(x: number, ar: Arithmetic): number {
  if (ar.u !== U64) return x >= 0 ? step32(x, true) : -step32(-x, false);
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0] = i64[0]! + (x > 0 ? 1n : -1n);
  return f64[0]!;
}

/**
 * The units of `ball` (a textbook slope or delta over the Z intervals `z`) whose Z interval holds at
 * most MAX_POINTS numbers of the precision: the discrete values `Q` gives from each (several forms
 * of a delta), and their own rounding (`extra` more). Those spread beyond 4 times it are branched on
 * (a backward pass per value); the others keep only their values' hull and own rounding.
 */
function branchesOf(ball: Ball, z: ZInterval, Q: (x: number, q: number) => number[], extra: (q: number) => number, ar: Arithmetic, uR: number): Branch[] {
  const out: Branch[] = [];
  for (let q = 0; q < ball.c.length; q++) {
    const zs = numbersIn(z.lo[q]!, z.hi[q]!, ar, MAX_POINTS);
    if (!zs) continue;
    const values = [...new Set(zs.flatMap((x) => Q(x, q)))];
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const own = uR * Math.max(Math.abs(lo), Math.abs(hi)) + ar.eta * STABLE_SLACK + extra(q);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(own)) continue;
    out.push({ ball, q, zs, values, spread: hi - lo, own });
  }
  return out;
}

/** The branches emulated: the most spread first, while the backward passes (one per value of each) stay within MAX_PASSES; the rest keep their hull. */
function chooseBranches(branches: Branch[], work: number): Branch[] {
  const most = Math.min(MAX_PASSES, Math.floor(PASS_WORK / Math.max(work, 1)));
  const sorted = [...branches].sort((a, b) => b.spread - a.spread);
  const chosen: Branch[] = [];
  let passes = 0;
  for (const b of sorted) {
    if (passes + b.values.length > most) continue;
    passes += b.values.length;
    chosen.push(b);
  }
  return chosen;
}

/** A setter of entry k's ball in alternative i (made on first use, radius -1 elsewhere). */
function alternativeSetter(alternatives: Ball[], count: number, i: number): (k: number, centre: number, radius: number) => void {
  return (k, centre, radius) => {
    if (!Number.isFinite(centre) || !Number.isFinite(radius)) return;
    while (alternatives.length <= i) alternatives.push({ c: new Float64Array(count), r: new Float64Array(count).fill(-1) });
    alternatives[i]!.c[k] = centre;
    (alternatives[i]!.r as Float64Array)[k] = radius;
  };
}

/** The centres and radii of every gradient entry of a backward pass, flat (entry 0, the loss, and the outputs: radius -1). */
function flatten(layers: readonly { W: Ball; b: Ball | null }[], count: number): [Float64Array, Float64Array] {
  const c = new Float64Array(count);
  const r = new Float64Array(count).fill(-1);
  let k = 1;
  for (const { W, b } of layers) {
    c.set(W.c, k);
    r.set(W.r, k);
    k += W.c.length;
    if (b) {
      c.set(b.c, k);
      r.set(b.r, k);
      k += b.c.length;
    }
  }
  return [c, r];
}

/** Every entry's magnitude: the backward pass over |W|, |X| and |c| + r of each ball, exact-rounded (an upper bound of the sum of its paths' absolute values, to float64 rounding). */
function magnitudes(network: Network, batch: Batch, Y: (l: number) => Ball, slope: (l: number) => Ball, delta: Ball, count: number): Float64Array {
  const abs = (b: Ball): Ball => ({ c: Float64Array.from(b.c, (x, q) => Math.abs(x) + b.r[q]!), r: new Float64Array(b.c.length) });
  const positive: Network = { ...network, layers: network.layers.map((layer) => ({ ...layer, W: layer.W.map(Math.abs), b: layer.b ? layer.b.map(Math.abs) : null })) };
  const X = batch.X.map(Math.abs);
  const layers = backwardBall(positive, { ...batch, X }, { Y: (l) => abs(Y(l)), slope: (l) => abs(slope(l)), delta: abs(delta), u: 0, eta: 0 });
  return flatten(layers, count)[0];
}

/** At most this many separate intervals of values are kept for one entry; beyond, the closest are bridged. */
const MAX_INTERVALS = 64;

/**
 * The values sum_q d_q (one offset d_q of each unit's list) as intervals [lo, hi]: those within
 * `gap` of each other bridged, at most MAX_INTERVALS (the closest bridged first); sorted.
 */
function reachable(offsets: readonly (readonly number[])[], gap: number): [number, number][] {
  let cur: [number, number][] = [[0, 0]];
  for (const d of offsets) {
    const distinct = [...new Set(d)];
    if (distinct.length === 1 && distinct[0] === 0) continue;
    const next: [number, number][] = [];
    for (const [lo, hi] of cur) for (const x of distinct) next.push([lo + x, hi + x]);
    cur = bridged(next, gap);
  }
  return cur;
}

/** Intervals sorted, those within 2 `gap` of each other bridged, at most MAX_INTERVALS (the closest bridged first). */
function bridged(intervals: [number, number][], gap: number): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const iv of sorted) {
    const last = merged[merged.length - 1];
    if (last && iv[0] - last[1] <= 2 * gap) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  while (merged.length > MAX_INTERVALS) {
    let best = 0;
    for (let i = 1; i + 1 < merged.length; i++) if (merged[i + 1]![0] - merged[i]![1] < merged[best + 1]![0] - merged[best]![1]) best = i;
    merged[best]![1] = Math.max(merged[best]![1], merged[best + 1]![1]);
    merged.splice(best + 1, 1);
  }
  return merged;
}

/** Whether `value` is what the computation gives at entry k (within its allowance); NaN never is. */
export function explains(values: TextbookValues, k: number, value: number): boolean {
  const within = (c: number, r: number): boolean => Math.abs(value - c) <= r * (1 + 2 ** -50);
  if (k === 0 && values.loss.length > 1) return values.loss.some((E) => within(E.c[0]!, E.r[0]!));
  if (values.applies[k] !== 1) return false;
  return within(values.c[k]!, values.r[k]!) || (values.alternatives ?? []).some((a) => a.r[k]! >= 0 && within(a.c[k]!, a.r[k]!));
}
