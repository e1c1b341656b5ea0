import type { Batch, Network } from '../network/types.js';
import { backward } from '../reference/backward.js';
import { forward } from '../reference/forward.js';
import { cloneNetwork, stepInPlace } from '../reference/step.js';
import { log10GradientRatioEstimate } from './estimate.js';
import { referenceDecay } from './sources.js';
import { median } from './spread.js';

/** Options of {@link trainingEffect}. */
export interface TrainingOptions {
  /** Gradient-descent steps W <- W - alpha dE/dW (at least 1). */
  readonly steps: number;
  /** The learning rate alpha (> 0). */
  readonly rate: number;
}

/** One step of training, seen layer by layer. */
export interface TrainingStep {
  /** r_l = alpha ||dE/dW^(l)||_F / ||W^(l)||_F, the relative size of the step W^(l) <- W^(l) - alpha dE/dW^(l), per layer l = 1..L. */
  readonly relativeChange: readonly number[];
  /** log10(r_1 / r_L): how much less the first layer moves than the last. */
  readonly log10Ratio: number;
  /**
   * log10 of the bound on r_1 / r_L that the derivation gives:
   * (1/4)^(L-1) prod_{m>1} ||W^(m)||_F sum_b ||X_b|| ||delta^(L)_b|| / ||W^(1)||_F, over ||dE/dW^(L)||_F / ||W^(L)||_F.
   */
  readonly log10Bound: number;
  /** log10 of the derived estimate of r_1 / r_L (typical gains instead of worst-case factors, see `typicalGain`). */
  readonly log10Estimate: number;
}

/** What a short training run shows of the vanishing gradient. */
export interface TrainingEffect {
  readonly rate: number;
  readonly steps: readonly TrainingStep[];
  /** Medians over the steps. */
  readonly log10Ratio: number;
  readonly log10Bound: number;
  readonly log10Estimate: number;
}

/**
 * Full-batch gradient descent on a copy of `network` for `options.steps` steps, recording per
 * step the relative change of every layer's weights and the bound and the estimate of the ratio
 * of the first layer's change to the last's.
 */
export function trainingEffect(network: Network, batch: Batch, options: TrainingOptions): TrainingEffect {
  const { steps, rate } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`training: steps must be a positive integer, got ${steps}`);
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`training: rate must be a positive number, got ${rate}`);
  const work = cloneNetwork(network);
  const L = work.layers.length;
  const out: TrainingStep[] = [];
  for (let s = 0; s < steps; s++) {
    const pass = forward(work, batch);
    const back = backward(work, batch, pass);
    const decay = referenceDecay(work, batch, pass, back);
    // r_l = alpha ||dE/dW^(l)||_F / ||W^(l)||_F, the size of the step W <- W - alpha dE/dW taken below
    const relativeChange = decay.map((d) => (rate * d.gradientNorm) / d.weightNorm);
    const first = decay[0]!;
    const last = decay[L - 1]!;
    const log10Last = Math.log10(last.gradientNorm) - Math.log10(last.weightNorm);
    out.push({
      relativeChange,
      log10Ratio: Math.log10(relativeChange[0]!) - Math.log10(relativeChange[L - 1]!),
      log10Bound: Math.log10(first.gradientBound) - Math.log10(first.weightNorm) - log10Last,
      log10Estimate: log10GradientRatioEstimate(work, batch, pass, decay) + Math.log10(last.weightNorm) - Math.log10(first.weightNorm),
    });
    stepInPlace(work, back.layers, rate);
  }
  return {
    rate,
    steps: out,
    log10Ratio: median(out.map((s) => s.log10Ratio)),
    log10Bound: median(out.map((s) => s.log10Bound)),
    log10Estimate: median(out.map((s) => s.log10Estimate)),
  };
}
