import type { Layer, LayerGradient, Network } from '../network/types.js';

/** One gradient-descent step, W_ji <- W_ji - alpha dE/dW_ji (and b_i likewise), in place. */
export function stepInPlace(network: Network, gradients: readonly LayerGradient[], alpha: number): void {
  network.layers.forEach((layer, l) => {
    const g = gradients[l]!;
    for (let k = 0; k < layer.W.length; k++) layer.W[k]! -= alpha * g.W[k]!;
    if (layer.b && g.b) for (let k = 0; k < layer.b.length; k++) layer.b[k]! -= alpha * g.b[k]!;
  });
}

/** A deep copy of a network, its activations, alpha and loss kept (the training loop never changes its argument). */
export function cloneNetwork(network: Network): Network {
  const layers: Layer[] = network.layers.map((layer) => ({
    ...layer,
    W: Float64Array.from(layer.W),
    b: layer.b ? Float64Array.from(layer.b) : null,
  }));
  return { ...network, layers };
}

/** The step as a new network: W - alpha dE/dW. */
export function step(network: Network, gradients: readonly LayerGradient[], alpha: number): Network {
  const next = cloneNetwork(network);
  stepInPlace(next, gradients, alpha);
  return next;
}
