import type { Batch, Layer, Network } from './types.js';

/** Widths `[n_0, n_1, ..., n_L]` of a network. */
export function widths(network: Network): number[] {
  const first = network.layers[0];
  return [first ? first.nIn : 0, ...network.layers.map((layer) => layer.nOut)];
}

/** Number of trainable parameters (weights and biases). */
export function parameterCount(network: Network): number {
  let count = 0;
  for (const layer of network.layers) count += layer.nIn * layer.nOut + (layer.b ? layer.nOut : 0);
  return count;
}

/** The last layer of a network (a network always has one). */
export function outputLayer(network: Network): Layer {
  const last = network.layers[network.layers.length - 1];
  if (!last) throw new Error('a network has at least one layer');
  return last;
}

/** The layer at index `l` (0-based), throwing on a programming error. */
export function layerAt(network: Network, l: number): Layer {
  const layer = network.layers[l];
  if (!layer) throw new Error(`no layer ${l} in a network of ${network.layers.length}`);
  return layer;
}

/**
 * What the reduction divides the summed loss by: 1 for "sum"; for "mean" the number of terms of
 * the loss (protocol version 2): B n_L for bce and mse, B for cce (one term per sample's row).
 */
export function reductionDivisor(network: Network, batch: Batch | number): number {
  if (network.reduction !== 'mean') return 1;
  const B = typeof batch === 'number' ? batch : batch.size;
  return network.loss === 'cce' ? B : B * outputLayer(network).nOut;
}
