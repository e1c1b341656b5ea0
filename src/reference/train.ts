import type { Batch, Network } from '../network/types.js';
import { backward } from './backward.js';
import { forward } from './forward.js';
import { gradientNorm } from './gradients.js';
import { loss } from './loss.js';
import { cloneNetwork, stepInPlace } from './step.js';

/** Options of the training loop; the three stopping rules of the derivation. */
export interface TrainOptions {
  /** Learning rate alpha of W <- W - alpha dE/dW. */
  rate: number;
  /** Stop when ||dE/dW||_2 falls below this (the gradients "vanish"). Default 1e-6. */
  gradientTolerance?: number;
  /** Stop when the loss falls to this value or below. Default 0 (never by loss alone). */
  lossTarget?: number;
  /** Stop after this many steps whatever happens. Default 10 000. */
  maxEpochs?: number;
}

/** Why training stopped. */
export type StopReason = 'gradient-tolerance' | 'loss-target' | 'max-epochs' | 'non-finite';

/** The outcome of training: the trained network, the loss before every step, and why it stopped. */
export interface TrainResult {
  network: Network;
  lossHistory: number[];
  gradientNormHistory: number[];
  epochs: number;
  stopReason: StopReason;
}

/**
 * Full-batch gradient descent: forward, loss, backward, then W <- W - alpha dE/dW, repeated until
 * the gradient norm is below `gradientTolerance`, the loss reaches `lossTarget`, or `maxEpochs`
 * steps were taken. The argument network is not modified.
 */
export function train(initial: Network, batch: Batch, options: TrainOptions): TrainResult {
  const { rate, gradientTolerance = 1e-6, lossTarget = 0, maxEpochs = 10_000 } = options;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`train: rate must be a positive finite number, got ${rate}`);
  if (!Number.isInteger(maxEpochs) || maxEpochs < 0) throw new RangeError(`train: maxEpochs must be a non-negative integer, got ${maxEpochs}`);
  const network = cloneNetwork(initial);
  const lossHistory: number[] = [];
  const gradientNormHistory: number[] = [];
  for (let epoch = 0; ; epoch++) {
    const pass = forward(network, batch);
    const E = loss(network, batch, pass);
    const { layers } = backward(network, batch, pass);
    const norm = gradientNorm(layers);
    lossHistory.push(E);
    gradientNormHistory.push(norm);
    const stop: StopReason | null = !Number.isFinite(E) || !Number.isFinite(norm)
      ? 'non-finite'
      : norm < gradientTolerance
        ? 'gradient-tolerance'
        : E <= lossTarget
          ? 'loss-target'
          : epoch >= maxEpochs
            ? 'max-epochs'
            : null;
    if (stop) return { network, lossHistory, gradientNormHistory, epochs: epoch, stopReason: stop };
    stepInPlace(network, layers, rate);
  }
}
