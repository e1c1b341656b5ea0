import type { LossName as NetworkLossName } from '../network/types.js';
import type { Activation } from './activation.js';
import type { Exact, ExactTarget } from './exact.js';

/** The losses of protocol version 2 (`src/network/types.ts` names them). */
export type LossName = NetworkLossName;

/** How a textbook computation takes a loss's logarithms: from the rounded Z with no guard, clamped at -100 (PyTorch), or with Z clipped first (TensorFlow). */
export type TextbookLogForm = 'plain' | 'clamp' | 'clip';

/** What a loss's textbook forms need of the declared arithmetic (a structural part of `compare/textbook.ts`'s `Arithmetic`). */
export interface TextbookRounding {
  /** Rounds a double to the precision (round to nearest). */
  readonly round: (x: number) => number;
  /** The largest number of the precision below 1, and its smallest positive number. */
  readonly belowOne: number;
  readonly minPositive: number;
  /** TensorFlow's clip of Z before the logarithm: [eps, 1 - eps], in the precision. */
  readonly clipLow: number;
  readonly clipHigh: number;
}

/** The values a textbook loss term can take: one interval, or more where a clamp jumps. Empty: no finite value. */
export type TermValues = [number, number][];

/**
 * One loss E = sum over samples and outputs of a term (then divided by the reduction's divisor,
 * which the callers apply). The loss alone knows its name; everything numeric is in the `Head`, the
 * loss paired with the last layer's activation, because the stable forms are fused (bce with sigmoid
 * differentiates to Z - t in S directly; cce with softmax to Z sum(t) - t; mse with any f to
 * 2 (Z - t) f'(S)).
 */
export interface Loss {
  readonly name: LossName;
  /**
   * The pair of this loss with the last layer's activation, or undefined where the pair is not
   * allowed (cce without softmax, mse with softmax): a `Head` for an elementwise output, a
   * `RowwiseHead` for a row-wise one (cce + softmax).
   */
  head(last: Activation): Head | RowwiseHead | undefined;
}

/**
 * A loss fused with the last layer's activation: the per-output term and its change (float64,
 * exact), the output delta dE/dS and its magnitude (float64 and exact, row by row so that a
 * row-wise pair such as cce + softmax fits), their error-bound rules and their textbook forms.
 * A row is one sample's n outputs starting at index `row` of [B][n] arrays; targets are T[k].
 */
export interface Head {
  readonly loss: LossName;
  /** The last layer's activation (its module's name: wired or standalone). */
  readonly activation: Activation['name'];

  /** The stable float64 term of output k from its S, Z, Zc and target t. */
  term(S: number, Z: number, Zc: number, t: number): number;
  /** dE/dS of one row in float64, divided by the reduction's divisor (B n_L for "mean", else 1), into out. */
  deltaRow(Z: Float64Array, Zc: Float64Array, T: Float64Array, row: number, n: number, divisor: number, out: Float64Array): void;
  /** The magnitude of the output delta (the same sum with every term's absolute value), before the divisor. */
  deltaMagnitudeRow(Z: Float64Array, Zc: Float64Array, T: Float64Array, row: number, n: number, out: Float64Array): void;

  readonly exact: HeadExact;
  readonly bound: HeadBound;
  readonly textbook: HeadTextbook;
}

/** A head's exact identities, generic over the oracle's arithmetic. */
export interface HeadExact {
  /** The term of one output from S and f = e^-|S| of the forward pass. */
  term<T>(x: Exact<T>, S: T, f: T, target: ExactTarget<T>): T;
  /** The output delta of one row and its magnitude, before the divisor, into d and m. */
  deltaRow<T>(x: Exact<T>, Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, d: T[], m: T[]): void;
  /**
   * The change of one output's term when its S moves by D (S's forward values Z, Zc), from the
   * activation at the moved pre-activation itself: no difference of nearly equal numbers.
   */
  termChange<T>(x: Exact<T>, S: T, D: T, Z: T, Zc: T, target: ExactTarget<T>): T;
  /** acc + the change of one output's term when S moves by D, from the unmoved Z, Zc and expm1 of the step alone. */
  addTermChangeFromValues<T>(x: Exact<T>, acc: T, Z: T, Zc: T, D: T, t: T): T;
  /** The change of the term when the output Z itself moves by d (Zc by -d): the loss as a function of Z. */
  termChangeInZ<T>(x: Exact<T>, Z: T, Zc: T, d: T, t: T): T;
  /** The magnitude of dE/dZ (the derivative in Z with every term's absolute value). */
  slopeInZMagnitude<T>(x: Exact<T>, Z: T, Zc: T, t: T): T;
}

/** A head's running error-bound rules. */
export interface HeadBound {
  /** The float64 term's own rounding at exact S, in units of u relative to the term. */
  readonly termRoundings: number;
  /** The bound of the stable term `term` of output k when S is known within eS (without the sum's rounding). */
  termError(S: number, eS: number, t: number, term: number, u: number, eta: number): number;
  /** The bound of the stable output delta of one row, before the divisor, from Z, Zc within eZ, eZc, into out. */
  deltaErrorRow(Z: Float64Array, Zc: Float64Array, eZ: Float64Array, eZc: Float64Array, T: Float64Array, row: number, n: number, u: number, eta: number, out: Float64Array): void;
}

/** A head's textbook forms in a declared precision, and their cancellations. */
export interface HeadTextbook {
  /** The output delta as the textbook forms it from the rounded Z (bce: fl(fl(Z - t) / divisor)); monotone in Z. */
  delta(Z: number, t: number, divisor: number, round: (x: number) => number): number;
  /**
   * The values `delta` takes over Z in [lo, hi], where it is not monotone in Z (mse: 2 (Z - t) times
   * the textbook slope, which peaks): [low, high]. Absent: monotone, its values at lo and hi.
   */
  deltaOver?(lo: number, hi: number, t: number, divisor: number, round: (x: number) => number): [number, number];
  /** What other orders of the same steps may add to `delta`'s rounding (uR the charged unit). */
  deltaOrders(Z: number, t: number, divisor: number, uR: number): number;
  /**
   * The output delta from ONE rounded Z in each order of the same steps the textbook forms it
   * (bce: fl(Z - t), and with a divisor fl(fl(Z - t) / d), fl(fl(Z / d) - fl(t / d)); mse: 2 (Z - t) p
   * and 2 (Z p - t p), p the textbook slope): the discrete values a computation gives where Z is one
   * number of the precision, each beyond its own last rounding (no cancellation left in it). Absent:
   * only `delta` and `deltaOrders`' allowance.
   */
  deltaForms?(Z: number, t: number, divisor: number, round: (x: number) => number): number[];
  /** The term over Z in [lo, hi] as the textbook forms it (logarithms as `form` takes them); empty where it is not finite. */
  term(lo: number, hi: number, t: number, form: TextbookLogForm, ar: TextbookRounding): TermValues;
  /**
   * The term from the logit as a library's "with logits" loss forms it, where it cancels (bce:
   * PyTorch's (1 - t) S - log sigma(S)), in the precision of `round`: its value and the magnitude
   * its roundings scale with (absent: the head has no such form).
   */
  logits?(S: number, t: number, round: (x: number) => number): { value: number; scale: number };
}

/**
 * A loss fused with a row-wise last activation (cce + softmax): the term of one sample depends on
 * its whole row of pre-activations, so the term, its exact forms and its bound are row by row; a
 * moved pre-activation moves every output of its row. Layout and divisor as in `Head`; a target
 * row is T[row .. row + n - 1].
 */
export interface RowwiseHead {
  readonly shape: 'rowwise';
  readonly loss: LossName;
  /** The last layer's activation (its module's name: wired or standalone). */
  readonly activation: Activation['name'];

  /** The stable float64 term of one row (the sum over its outputs) from its S. */
  termRow(S: Float64Array, T: Float64Array, row: number, n: number): number;
  /** dE/dS of one row in float64, divided by the reduction's divisor, into out. */
  deltaRow(Z: Float64Array, Zc: Float64Array, T: Float64Array, row: number, n: number, divisor: number, out: Float64Array): void;
  /** The magnitude of the output delta (every term's absolute value), before the divisor. */
  deltaMagnitudeRow(Z: Float64Array, Zc: Float64Array, T: Float64Array, row: number, n: number, out: Float64Array): void;

  readonly exact: RowwiseHeadExact;
  readonly bound: RowwiseHeadBound;
}

/** A row-wise head's exact identities, generic over the oracle's arithmetic. */
export interface RowwiseHeadExact {
  /** The term of one row from its pre-activations S[row .. row + n - 1]. */
  termRow<T>(x: Exact<T>, S: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number): T;
  /** The output delta of one row and its magnitude, before the divisor, into d and m. */
  deltaRow<T>(x: Exact<T>, Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, d: T[], m: T[]): void;
  /**
   * The change of the row's term when S[k] moves by D (the row's forward values Z, Zc), from the
   * activation of the moved row itself: no difference of nearly equal numbers.
   */
  termChange<T>(x: Exact<T>, S: readonly T[], Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, k: number, D: T): T;
  /** acc + the change of the row's term when S[k] moves by D, from the unmoved Z_k, Zc_k, the targets and expm1 of the step alone. */
  addTermChangeFromValues<T>(x: Exact<T>, acc: T, Z: readonly T[], Zc: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, k: number, D: T): T;
  /**
   * The change of the row's term when several of its pre-activations move at once, S[row + j] by
   * D[j] (null: unmoved), from the row's S and Z: what a moved unit below the output does (every
   * S_j of the row moves). Added for the oracle's finite differences (`src/oracle/perturbed.ts`);
   * optional, so a row-wise head without it is carried output by output.
   */
  termChangeOfRow?<T>(x: Exact<T>, S: readonly T[], Z: readonly T[], target: (k: number) => ExactTarget<T>, row: number, n: number, D: readonly (T | null)[]): T;
}

/** A row-wise head's running error-bound rules. */
export interface RowwiseHeadBound {
  /** The bound of the stable row term `termRow` when each S is known within eS. */
  termErrorRow(S: Float64Array, eS: Float64Array, T: Float64Array, row: number, n: number, term: number, u: number, eta: number): number;
  /** The bound of the stable output delta of one row, before the divisor, from Z, Zc within eZ, eZc, into out. */
  deltaErrorRow(Z: Float64Array, Zc: Float64Array, eZ: Float64Array, eZc: Float64Array, T: Float64Array, row: number, n: number, u: number, eta: number, out: Float64Array): void;
}

/** Whether a loss's pair is row-wise (cce + softmax). */
export function isRowwiseHead(h: Head | RowwiseHead): h is RowwiseHead {
  return 'shape' in h && h.shape === 'rowwise';
}
