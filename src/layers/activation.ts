import type { ActivationName as NetworkActivationName } from '../network/types.js';
import type { Exact, ExactUnit } from './exact.js';

/** The activations of protocol version 2: every one is a module here (`src/network/types.ts` names them). */
export type ActivationName = NetworkActivationName;

/**
 * One activation Z = f(S) as every part of the harness needs it, side by side (micrograd style):
 * the float64 forward and derivative (the reference), the exact identities (the oracle, over any
 * `Exact<T>` arithmetic), the error-bound rules (`src/compare/bound.ts`) and the textbook forms
 * with their named cancellations (`src/compare/textbook.ts`).
 *
 * Layout: a layer's values are [B][n] arrays; a row is one sample's n units, starting at `row`.
 * Besides Z the forward pass keeps `Zc`, the activation's complement quantity, formed without
 * cancellation (sigmoid: 1 - Z = sigma(-S)); an activation without one stores what its slope and
 * bound rules need there (documented in its module).
 *
 * Elementwise activations (Z_i depends on S_i alone: sigmoid, tanh, relu, leaky_relu, linear)
 * implement `ElementwiseActivation`; a row-wise one (softmax, Z_i of the whole row) implements
 * `RowwiseActivation`, has no per-unit slope and may only be the last layer's, where its loss's
 * `Head` gives the fused output delta dE/dS. A parameterised activation (leaky_relu's alpha) is a
 * module exporting a factory that returns the Activation for its parameter; the registry
 * (`index.ts`) resolves names, `modulesOf(network)` a network's layers.
 */
export type Activation = ElementwiseActivation | RowwiseActivation;

/** What every activation gives. */
export interface ActivationBase {
  readonly name: ActivationName;
  /**
   * Convention at a kink (a point where f is not differentiable, relu at S = 0): the slope there is
   * the derivative from the 'right' or the 'left'; 'none' for a smooth f.
   */
  readonly kink: 'none' | 'left' | 'right';
  /** Float64 forward of one row: Z and Zc of units row .. row + n - 1 from S, without cancellation. */
  forwardRow(S: Float64Array, Z: Float64Array, Zc: Float64Array, row: number, n: number): void;
}

/** Z_k = f(S_k), Zc_k = complement(S_k) for the units of a row: the forwardRow of an activation given by its scalar forms. */
export function unitByUnit(value: (S: number) => number, complement: (S: number) => number): ActivationBase['forwardRow'] {
  return (S, Z, Zc, row, n) => {
    for (let k = row; k < row + n; k++) {
      const Sk = S[k]!;
      Z[k] = value(Sk);
      Zc[k] = complement(Sk);
    }
  };
}

/** An activation applied unit by unit. */
export interface ElementwiseActivation extends ActivationBase {
  readonly shape: 'elementwise';
  /** Z = f(S) in float64 (the stable form). */
  value(S: number): number;
  /** Zc, the complement kept beside Z, in float64 (the stable form). */
  complement(S: number): number;
  /** f'(S) in float64 from the forward values (the stable form). */
  slope(Z: number, Zc: number): number;
  readonly exact: ElementwiseExact;
  readonly bound: ElementwiseBound;
  readonly textbook: ElementwiseTextbook;
}

/** An activation of the whole row (softmax): only a last layer's, fused with its loss. */
export interface RowwiseActivation extends ActivationBase {
  readonly shape: 'rowwise';
  readonly exact: {
    /** The exact forward values of one row (S[row .. row + n - 1]) into Z and Zc. */
    row<T>(x: Exact<T>, S: readonly T[], row: number, n: number, Z: T[], Zc: T[]): void;
  };
  readonly bound: {
    /** Error bounds eZ, eZc of one row from the pre-activations' bounds eS (u, eta of the arithmetic). */
    row(S: Float64Array, eS: Float64Array, Z: Float64Array, Zc: Float64Array, row: number, n: number, u: number, eta: number, eZ: Float64Array, eZc: Float64Array): void;
  };
}

/** The exact identities of an elementwise activation, generic over the oracle's arithmetic. */
export interface ElementwiseExact {
  /** Z, Zc, e^-|S| and the slope of one unit, each to the working precision relative to itself. */
  unit<T>(x: Exact<T>, S: T): ExactUnit<T>;
  /** [Z, Zc] of one unit (the finite differences' own forward values). */
  pair<T>(x: Exact<T>, S: T): [T, T];
  /**
   * f(S + D) - f(S) from f at the moved pre-activation itself (x.moved(S, D)) and the unmoved
   * values: a product of factors each held to full precision (no difference of close numbers).
   */
  change<T>(x: Exact<T>, S: T, D: T, Z: T, Zc: T): T;
  /** f(S + D) - f(S) from the unmoved Z, Zc and expm1 of the step alone (no exp of the moved S). */
  changeFromValues<T>(x: Exact<T>, Z: T, Zc: T, D: T): T;
  /**
   * f'(S) from the exact forward values Z, Zc alone (a head that has only those, mse's delta), to
   * the working precision; at a kink the module's convention. Absent: only `unit` gives the slope
   * (sigmoid's would be Z Zc).
   */
  slopeFromValues?<T>(x: Exact<T>, Z: T, Zc: T): T;
}

/** The running error-bound rules of an elementwise activation (Higham sec. 3.3). */
export interface ElementwiseBound {
  /** The float64 forward's own rounding of Z (and of Zc), in units of u relative to the value. */
  readonly roundings: number;
  /** How far Z can move when S is known within eS: max |f'| over [S - eS, S + eS] times eS. */
  propagated(S: number, eS: number): number;
  /**
   * How far Zc can move when S is known within eS: max |dZc/dS| over [S - eS, S + eS] times eS.
   * Absent: `propagated` (sigmoid, where Zc = 1 - Z moves exactly as far as Z). tanh (Zc = 1 - Z^2,
   * |dZc/dS| = 2|Z| (1 - Z^2), up to twice tanh') and the rectifiers (Zc = min(S, 0)) declare it.
   */
  complementPropagated?(S: number, eS: number): number;
  /**
   * The bound of the stable slope p = slope(Z, Zc) from Z, Zc within eZ, eZc. The bounds are the
   * forward rule's: eZ = propagated(S, eS) + roundings u |Z| + eta, eZc the same with
   * complementPropagated and |Zc| (a rectifier reads from them whether S may cross its kink).
   */
  slopeError(Z: number, Zc: number, eZ: number, eZc: number, p: number, u: number, eta: number): number;
  /**
   * The part of `slopeError` that allows the other piece's slope because [S - eS, S + eS] may cross
   * a kink (a rectifier: 1 - alpha there, else 0), from the same Z, Zc, eZ, eZc. Absent: a smooth
   * activation (no kink). `compare/bound.ts` lists the units where it is > 0 and bounds without it,
   * so that a judgement can say a value is correct "near a kink".
   */
  kinkCrossing?(Z: number, Zc: number, eZ: number, eZc: number, eta: number): number;
}

/** The textbook forms of an elementwise activation, in a declared precision (`round`), and their cancellations. */
export interface ElementwiseTextbook {
  /** Z as the textbook forms it, its exp scaled by `fScale` (the exp's own rounding); monotone in S. */
  value(S: number, fScale: number, round: (x: number) => number): number;
  /** Whether the textbook form's intermediate (sigmoid: e^-S) overflows at S, given ln of the largest number. */
  overflows(S: number, overflowAt: number): boolean;
  /** The slope as the textbook forms it from the rounded Z (sigmoid: Z (1 - Z), cancelling in saturation). */
  slope(Z: number, round: (x: number) => number): number;
  /** Where on Z the textbook slope peaks and its value there (it is monotone on either side). */
  readonly slopePeak: { readonly Z: number; readonly value: number };
  /** The interval every Z lies in (sigmoid [0, 1], tanh [-1, 1]); absent: unbounded (the rectifiers, linear). */
  readonly range?: readonly [number, number];
}

/** The activation, narrowed to an elementwise one (hidden layers), or an error naming it. */
export function elementwise(a: Activation): ElementwiseActivation {
  if (a.shape !== 'elementwise') throw new Error(`the ${a.name} activation is row-wise: only a last layer's, with its loss`);
  return a;
}
