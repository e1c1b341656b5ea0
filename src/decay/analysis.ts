import type { Arithmetic } from './arithmetic.js';

/**
 * What a decay analysis needs of one network and batch, in layers l = 1..L (array index l - 1),
 * every matrix packed row-major as in `src/network/types.ts`:
 *   W^(l)      [n_(l-1)][n_l]   W[j][i] = W_ji, row j = input unit, column i = output unit
 *   Y^(l-1)    [B][n_(l-1)]     the inputs of layer l (the batch for l = 1, else Z^(l-1))
 *   delta^(l)  [B][n_l]         dE/dS^(l), the backpropagated error
 *   G^(l)      [n_(l-1)][n_l]   dE/dW^(l)
 */
export interface DecayInput<T> {
  readonly B: number;
  /** Widths n_0, n_1, ..., n_L. */
  readonly widths: readonly number[];
  readonly W: readonly ArrayLike<T>[];
  readonly Y: readonly ArrayLike<T>[];
  readonly delta: readonly ArrayLike<T>[];
  readonly G: readonly ArrayLike<T>[];
  /**
   * max f'_l, the largest slope of layer l's activation (index l - 1), which multiplies the step
   * from layer l + 1 down to l: 1/4 for the sigmoid, 1 for tanh, relu, leaky_relu and linear
   * (`maxSlopeOf` in `sources.ts` takes it from the layer module). Absent: every layer a sigmoid
   * (version 1), 1/4 throughout. The last layer's entry is never used.
   */
  readonly maxSlopes?: readonly number[];
}

/**
 * The norms and bounds of one layer l. Norms: ||v||_2 Euclidean for a vector (one sample's
 * delta or Y), ||M||_F Frobenius for a matrix (a weight or gradient matrix).
 */
export interface LayerDecay<T> {
  /** l, counted from 1 (the first layer) to L (the output layer). */
  readonly layer: number;
  /** L - l, the number of layers above l. */
  readonly above: number;
  /** max f'_l of layer l's activation (1/4 for the sigmoid); the factor of the step from l + 1 down to l. */
  readonly maxSlope: number;
  /** ||W^(l)||_F. */
  readonly weightNorm: T;
  /** ||Y^(l-1)_b||_2 per sample b. */
  readonly inputNorms: readonly T[];
  /** ||delta^(l)_b||_2 per sample b. */
  readonly deltaNorms: readonly T[];
  /** ||dE/dW^(l)||_F. */
  readonly gradientNorm: T;
  /** Per sample max f'_l ||W^(l+1)||_F ||delta^(l+1)_b||_2, the one-step bound; null for l = L. */
  readonly stepBounds: readonly T[] | null;
  /** prod_{m=l..L-1} max f'_m ||W^(m+1)||_F ((1/4)^(L-l) prod_{m>l} ||W^(m)||_F for sigmoid layers), the decay factor (1 for l = L). */
  readonly decayFactor: T;
  /** Per sample decayFactor ||delta^(L)_b||_2, the product bound on ||delta^(l)_b||_2. */
  readonly deltaBounds: readonly T[];
  /** sum_b ||Y^(l-1)_b||_2 ||delta^(l)_b||_2, the bound on ||dE/dW^(l)||_F by the triangle inequality. */
  readonly outerBound: T;
  /** decayFactor sum_b ||Y^(l-1)_b||_2 ||delta^(L)_b||_2, the product bound on ||dE/dW^(l)||_F. */
  readonly gradientBound: T;
  /** log10(||dE/dW^(l)||_F / gradientBound): 0 when the bound is attained. */
  readonly log10Ratio: number;
}

/** Per-sample norms ||M_b||_2 of the rows of a [B][n] matrix. */
function rowNorms<T>(a: Arithmetic<T>, M: ArrayLike<T>, B: number, n: number): T[] {
  return Array.from({ length: B }, (_, b) => a.norm(M, b * n, (b + 1) * n));
}

/** sum_b x_b y_b. */
function dot<T>(a: Arithmetic<T>, x: readonly T[], y: readonly T[]): T {
  let sum = a.zero;
  x.forEach((xb, b) => (sum = a.plus(sum, a.times(xb, y[b]!))));
  return sum;
}

/**
 * The decay analysis of one network and batch, layer by layer from the output down:
 *   delta^(l) = f_l'(S^(l)) (.) (W^(l+1) delta^(l+1)),  |f_l'| <= max f_l' (sigmoid 1/4, tanh and the rectifiers 1)
 *   ||delta^(l)_b|| <= max f_l' ||W^(l+1)||_F ||delta^(l+1)_b||
 *                  <= prod_{m=l..L-1} max f_m' ||W^(m+1)||_F ||delta^(L)_b||   ((1/4)^(L-l) prod_{m>l} ||W^(m)||_F for sigmoids)
 *   dE/dW^(l) = sum_b Y^(l-1)_b delta^(l)_b^T
 *   ||dE/dW^(l)||_F <= sum_b ||Y^(l-1)_b|| ||delta^(l)_b||
 *                   <= prod_{m=l..L-1} max f_m' ||W^(m+1)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b||
 * Returns layers 1..L in order.
 */
export function analyseDecay<T>(a: Arithmetic<T>, input: DecayInput<T>): LayerDecay<T>[] {
  const { B, widths, maxSlopes } = input;
  const L = widths.length - 1;
  // max f'_l as T: the sigmoid's a.quarter, exactly as version 1 computed it; 1 as a.one
  const slopeOf = (l: number): number => maxSlopes?.[l - 1] ?? 0.25;
  const slopeIn = (s: number): T => (s === 0.25 ? a.quarter : s === 1 ? a.one : a.constant(s));
  const out = new Array<LayerDecay<T>>(L);
  const deltaL = rowNorms(a, input.delta[L - 1]!, B, widths[L]!);
  let decayFactor = a.one;
  let above: LayerDecay<T> | null = null;
  for (let l = L; l >= 1; l--) {
    const nIn = widths[l - 1]!;
    const nOut = widths[l]!;
    const W = input.W[l - 1]!;
    const weightNorm = a.norm(W, 0, nIn * nOut);
    const inputNorms = rowNorms(a, input.Y[l - 1]!, B, nIn);
    const deltaNorms = rowNorms(a, input.delta[l - 1]!, B, nOut);
    // max f'_l ||W^(l+1)||_F ||delta^(l+1)_b|| (sigmoid: (1/4) ||W^(l+1)||_F ||delta^(l+1)_b||)
    const up = above;
    const maxSlope = slopeOf(l);
    const slope = slopeIn(maxSlope);
    const stepBounds = up ? up.deltaNorms.map((d) => a.times(a.times(slope, up.weightNorm), d)) : null;
    // prod_{m=l..L-1} max f'_m ||W^(m+1)||_F, built up one layer at a time
    if (up) decayFactor = a.times(decayFactor, a.times(slope, up.weightNorm));
    const gradientNorm = a.norm(input.G[l - 1]!, 0, nIn * nOut);
    const gradientBound = a.times(decayFactor, dot(a, inputNorms, deltaL));
    const layer: LayerDecay<T> = {
      layer: l,
      above: L - l,
      maxSlope,
      weightNorm,
      inputNorms,
      deltaNorms,
      gradientNorm,
      stepBounds,
      decayFactor,
      deltaBounds: deltaL.map((d) => a.times(decayFactor, d)),
      outerBound: dot(a, inputNorms, deltaNorms),
      gradientBound,
      log10Ratio: a.log10Ratio(gradientNorm, gradientBound),
    };
    out[l - 1] = layer;
    above = layer;
  }
  return out;
}
