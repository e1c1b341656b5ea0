import type { Batch, Gradients, Network } from '../network/types.js';
import { backward } from './backward.js';
import { forward } from './forward.js';
import { loss } from './loss.js';

/** Loss and gradients of every layer, the reference's answer to the protocol's `gradients`. */
export function referenceGradients(network: Network, batch: Batch): Gradients & { outputs: Float64Array } {
  const pass = forward(network, batch);
  const { layers } = backward(network, batch, pass);
  return { loss: loss(network, batch, pass), layers, outputs: pass.Z[pass.Z.length - 1]! };
}

/** Euclidean norm of all gradient entries, ||dE/dtheta||_2, scaled to avoid overflow. */
export function gradientNorm(layers: Gradients['layers']): number {
  let scale = 0;
  for (const { W, b } of layers) {
    for (const g of W) scale = Math.max(scale, Math.abs(g));
    if (b) for (const g of b) scale = Math.max(scale, Math.abs(g));
  }
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (const { W, b } of layers) {
    for (const g of W) sum += (g / scale) ** 2;
    if (b) for (const g of b) sum += (g / scale) ** 2;
  }
  return scale * Math.sqrt(sum);
}
