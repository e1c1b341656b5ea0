import type { LayerDecay } from './analysis.js';
import { ETA, type Arithmetic } from './arithmetic.js';

/** The four inequalities of the derivation that a decay analysis checks, per layer. */
export type Inequality =
  /** ||delta^(l)_b|| <= max f'_l ||W^(l+1)||_F ||delta^(l+1)_b|| (max f' = 1/4 for the sigmoid) */
  | 'step'
  /** ||delta^(l)_b|| <= prod_{m=l..L-1} max f'_m ||W^(m+1)||_F ||delta^(L)_b|| */
  | 'delta'
  /** ||dE/dW^(l)||_F <= sum_b ||Y^(l-1)_b|| ||delta^(l)_b|| */
  | 'outer'
  /** ||dE/dW^(l)||_F <= prod_{m=l..L-1} max f'_m ||W^(m+1)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b|| */
  | 'gradient';

/** One inequality that did not hold (there should be none). */
export interface DecayViolation {
  readonly layer: number;
  readonly inequality: Inequality;
  /** The sample, for the per-sample inequalities `step` and `delta`. */
  readonly sample: number | null;
  readonly actual: number;
  readonly bound: number;
}

/**
 * Absolute allowances (per layer, index l - 1) for float64 values that underflow: an operation
 * whose result is subnormal errs by up to 2^-1074 absolutely, which no relative slack covers.
 * For the reference's delta_j = Z Zc sum_i W_ji delta_i that is at most (n_(l+1) + 1) 2^-1074 per
 * entry (another activation's slope times the same dot product: no more); such errors travel down
 * through the same map as delta, whose norm is at most max f' ||W||_F per layer ((1/4) ||W||_F for the sigmoid). Every figure below is doubled, for the rounding of the norms and bounds.
 */
export interface UnderflowAllowance {
  readonly step: readonly number[];
  readonly delta: readonly number[];
  readonly outer: readonly number[];
  readonly gradient: readonly number[];
}

/** The float64 underflow allowances of an analysis of a network with widths n_0..n_L and batch size B. */
export function underflowAllowance(layers: readonly LayerDecay<number>[], widths: readonly number[], B: number): UnderflowAllowance {
  const L = layers.length;
  const step = new Array<number>(L).fill(0);
  const delta = new Array<number>(L).fill(0);
  const outer = new Array<number>(L).fill(0);
  const gradient = new Array<number>(L).fill(0);
  for (let l = L; l >= 1; l--) {
    const n = widths[l]!;
    // delta^(L) = ((1-t) Z - t Zc) / divisor: four operations per entry; below, a dot product of n_(l+1) terms and two products
    const local = 2 * (Math.sqrt(n) * (l === L ? 4 : widths[l + 1]! + 1) + 4) * ETA;
    step[l - 1] = l === L ? 0 : local;
    delta[l - 1] = l === L ? local : layers[l - 1]!.maxSlope * layers[l]!.weightNorm * delta[l]! + local;
    // dE/dW_ji = sum_b Y_j delta_i: B products and B - 1 sums per entry
    outer[l - 1] = 2 * (Math.sqrt(widths[l - 1]! * n) * B + 4 * B) * ETA;
    let inputs = 0;
    for (const y of layers[l - 1]!.inputNorms) inputs += y;
    gradient[l - 1] = inputs * delta[l - 1]! + outer[l - 1]!;
  }
  return { step, delta, outer, gradient };
}

/**
 * Every inequality of the derivation that fails on an analysis, each compared with
 * `a.within` (the arithmetic's relative slack plus, in float64, the underflow allowance).
 * An empty list means the bound held on every layer and sample.
 */
export function decayViolations<T>(a: Arithmetic<T>, layers: readonly LayerDecay<T>[], allowance: UnderflowAllowance | null = null): DecayViolation[] {
  const out: DecayViolation[] = [];
  const check = (layer: number, inequality: Inequality, sample: number | null, actual: T, bound: T, extra: number): void => {
    if (!a.within(actual, bound, extra)) out.push({ layer, inequality, sample, actual: a.toNumber(actual), bound: a.toNumber(bound) });
  };
  for (const d of layers) {
    const k = d.layer - 1;
    d.deltaNorms.forEach((norm, b) => {
      if (d.stepBounds) check(d.layer, 'step', b, norm, d.stepBounds[b]!, allowance?.step[k] ?? 0);
      check(d.layer, 'delta', b, norm, d.deltaBounds[b]!, allowance?.delta[k] ?? 0);
    });
    check(d.layer, 'outer', null, d.gradientNorm, d.outerBound, allowance?.outer[k] ?? 0);
    check(d.layer, 'gradient', null, d.gradientNorm, d.gradientBound, allowance?.gradient[k] ?? 0);
  }
  return out;
}
