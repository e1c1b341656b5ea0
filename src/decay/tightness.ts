import type { ActivationName, Case, Layer, Reduction } from '../network/types.js';

/** The alternating pattern a_k = (-1)^k. */
function alternating(k: number): number {
  return k % 2 === 0 ? 1 : -1;
}

/** Options of {@link alignedZeroCase}. */
export interface AlignedZeroOptions {
  /** Widths n_0, ..., n_L: n_0 .. n_(L-1) even (at least 2), n_L at least 1. */
  readonly widths: readonly number[];
  /** One non-zero weight size w_l per layer. */
  readonly weights: readonly number[];
  /** One positive input size x_b per sample (default [1]): X_b = x_b (1, ..., 1). */
  readonly inputs?: readonly number[];
  readonly reduction?: Reduction;
  /**
   * The hidden layers' activation (the output stays sigmoid + bce): one whose slope is at its max
   * at S = 0, sigmoid (1/4), tanh (1) or linear (1). Default sigmoid (no `activation` field: a
   * version-1 network). A rectifier's slope at its kink is a one-sided convention: use
   * {@link positiveRankOneCase} for relu and leaky_relu.
   */
  readonly activation?: 'sigmoid' | 'tanh' | 'linear';
}

/** A hidden layer's activation field: none for the sigmoid (version 1). */
function hidden(activation: ActivationName | undefined, l: number, L: number): { activation?: ActivationName } {
  return activation === undefined || activation === 'sigmoid' || l === L - 1 ? {} : { activation };
}

/**
 * A network on which the decay bound is attained: W^(l)_ji = w_l (-1)^(i+j), the rank-one matrix
 * w_l a a^T (every row the same direction, up to sign), no bias, inputs X_b = x_b (1, ..., 1),
 * targets t_i = 0 for even i and 1 for odd i. Then
 * - every pre-activation is exactly 0: S^(l)_i = w_l a_i sum_j a_j Y_j, and sum_j a_j Y_j = 0
 *   because Y is constant (x_b, or Z = 1/2 in a hidden layer) over an even number of units;
 * - so every sigma' is exactly 1/4 and delta^(L) = Z - t = a / 2;
 * - each delta^(l) = (1/4) w_(l+1) a (a . delta^(l+1)) is parallel to a, the direction W^(l+1)
 *   stretches most, so ||W^(l+1) delta^(l+1)|| = ||W^(l+1)||_F ||delta^(l+1)|| (rank one: the
 *   spectral and Frobenius norms agree);
 * - and the samples' outer products Y_b delta_b^T are positive multiples of one another.
 * Every inequality of the decay bound holds with equality. With tanh or linear hidden layers
 * (f'(0) = 1 = max f') the same holds, except that a hidden Z is 0: the gradients of layers 2..L
 * are then 0 and so are their bounds (0 <= 0), while every delta inequality and layer 1's
 * gradient are equalities.
 * @throws RangeError when the widths, weights or inputs are not as described.
 */
export function alignedZeroCase(options: AlignedZeroOptions): Case {
  const { widths, weights, inputs = [1], reduction = 'sum', activation } = options;
  const L = widths.length - 1;
  if (L < 1 || weights.length !== L) throw new RangeError(`aligned case: give L + 1 widths and L weights, got ${widths.length} widths and ${weights.length} weights`);
  if (!widths.every((n, l) => Number.isInteger(n) && n >= 1 && (l === L || n % 2 === 0))) throw new RangeError(`aligned case: the widths n_0..n_(L-1) must be even, got ${widths.join('-')}`);
  if (!weights.every((w) => w !== 0 && Number.isFinite(w))) throw new RangeError('aligned case: every weight size must be finite and non-zero');
  if (inputs.length === 0 || !inputs.every((x) => x > 0 && Number.isFinite(x))) throw new RangeError('aligned case: every input size must be positive and finite');
  const layers: Layer[] = weights.map((w, k) => {
    const nIn = widths[k]!;
    const nOut = widths[k + 1]!;
    const W = new Float64Array(nIn * nOut);
    for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) W[j * nOut + i] = w * alternating(i + j);
    return { nIn, nOut, W, b: null, ...hidden(activation, k, L) };
  });
  const B = inputs.length;
  const nIn = widths[0]!;
  const nOut = widths[L]!;
  const X = new Float64Array(B * nIn);
  const T = new Float64Array(B * nOut);
  inputs.forEach((x, b) => {
    X.fill(x, b * nIn, (b + 1) * nIn);
    for (let i = 0; i < nOut; i++) T[b * nOut + i] = i % 2 === 0 ? 0 : 1;
  });
  return { network: { layers, reduction }, batch: { size: B, nIn, nOut, X, T } };
}

/** Options of {@link positiveRankOneCase}. */
export interface PositiveRankOneOptions {
  /** Widths n_0, ..., n_L, each at least 1. */
  readonly widths: readonly number[];
  /** One weight size w_l per layer: positive for the hidden layers 1..L-1, the output's non-zero. */
  readonly weights: readonly number[];
  /** One positive input size x_b per sample (default [1]): X_b = x_b (1, ..., 1). */
  readonly inputs?: readonly number[];
  readonly reduction?: Reduction;
  /** The hidden layers' activation, one whose slope is its max (1) for S > 0. */
  readonly activation: 'relu' | 'leaky_relu' | 'linear';
  /** leaky_relu's alpha (default: the protocol's 0.01). */
  readonly alpha?: number;
}

/**
 * A network on which the decay bound of a rectifier or linear network is attained: every weight of
 * layer l equal to w_l (the rank-one matrix w_l 1 1^T), no bias, inputs X_b = x_b (1, ..., 1) with
 * x_b > 0, hidden weights w_l > 0, the output sigmoid + bce with every target 0. Then
 * - every hidden pre-activation is positive (S = w_l sum_j Y_j of positive Y), so every slope is
 *   exactly 1 = max f' (never the kink);
 * - each layer's units are equal, so the output's Z is constant and delta^(L) = Z (all targets 0) is
 *   a positive multiple of 1, the direction w 1 1^T stretches most, and so is every delta^(l) below;
 * - every Y_b and delta_b is a positive multiple of 1: the samples' outer products are positive
 *   multiples of one another.
 * Every inequality of the bound holds with equality.
 * @throws RangeError when the widths, weights or inputs are not as described.
 */
export function positiveRankOneCase(options: PositiveRankOneOptions): Case {
  const { widths, weights, inputs = [1], reduction = 'sum', activation, alpha } = options;
  const L = widths.length - 1;
  if (L < 1 || weights.length !== L) throw new RangeError(`positive rank-one case: give L + 1 widths and L weights, got ${widths.length} widths and ${weights.length} weights`);
  if (!widths.every((n) => Number.isInteger(n) && n >= 1)) throw new RangeError(`positive rank-one case: every width must be a positive integer, got ${widths.join('-')}`);
  if (!weights.every((w, l) => Number.isFinite(w) && (l === L - 1 ? w !== 0 : w > 0))) throw new RangeError('positive rank-one case: the hidden weight sizes must be positive and finite, the output\'s non-zero');
  if (inputs.length === 0 || !inputs.every((x) => x > 0 && Number.isFinite(x))) throw new RangeError('positive rank-one case: every input size must be positive and finite');
  const layers: Layer[] = weights.map((w, k) => {
    const nIn = widths[k]!;
    const nOut = widths[k + 1]!;
    const layer: Layer = { nIn, nOut, W: new Float64Array(nIn * nOut).fill(w), b: null };
    if (k === L - 1) return layer;
    return activation === 'leaky_relu' && alpha !== undefined ? { ...layer, activation, alpha } : { ...layer, activation };
  });
  const B = inputs.length;
  const nIn = widths[0]!;
  const X = new Float64Array(B * nIn);
  inputs.forEach((x, b) => X.fill(x, b * nIn, (b + 1) * nIn));
  return { network: { layers, reduction }, batch: { size: B, nIn, nOut: widths[L]!, X, T: new Float64Array(B * widths[L]!) } };
}

/**
 * A chain of L units of width 1 with weight w and no bias, on the input x = 1 with target 0: with
 * w large every unit saturates (Z close to 1, sigma' about e^-w), so the gradient of the first layer
 * is about (w e^-w)^(L-1): 1e-141 for w = 40 and L = 10, 1e-315 (subnormal) for w = 85, 1e-376
 * (below every double) for w = 100.
 */
export function saturatedChain(L: number, w: number): Case {
  const layers: Layer[] = Array.from({ length: L }, () => ({ nIn: 1, nOut: 1, W: Float64Array.of(w), b: null }));
  return { network: { layers, reduction: 'sum' }, batch: { size: 1, nIn: 1, nOut: 1, X: Float64Array.of(1), T: Float64Array.of(0) } };
}
