/** Short human-readable descriptions of generated cases. */

import { widths } from '../network/shape.js';
import { activationNameOf, isVersion1, lossNameOf, type Network } from '../network/types.js';
import type { GeneratedCase } from './arbitraries.js';

/**
 * A network's family: each layer's activation (leaky_relu with its alpha) and the loss, e.g.
 * `act[relu,leaky_relu(0.1),softmax] cce`.
 */
export function describeFamily(network: Network): string {
  const names = network.layers.map((layer) => {
    const name = activationNameOf(layer);
    return name === 'leaky_relu' && layer.alpha !== undefined ? `${name}(${layer.alpha})` : name;
  });
  return `act[${names.join(',')}] ${lossNameOf(network)}`;
}

/**
 * A one-line summary of a case: widths, batch size, reduction, which layers have a bias, the
 * family for a version-2 network (see {@link describeFamily}; nothing for a version-1 one,
 * sigmoid layers with bce) and the magnitude class, e.g. `3-4-2 B=2 sum bias[1,0] typical` or
 * `3-4-2 B=2 sum bias[1,0] act[relu,softmax] cce logitGap`.
 */
export function describeCase(c: GeneratedCase): string {
  const shape = widths(c.network).join('-');
  const bias = c.network.layers.map((layer) => (layer.b ? '1' : '0')).join(',');
  const family = isVersion1(c.network) ? '' : ` ${describeFamily(c.network)}`;
  return `${shape} B=${c.batch.size} ${c.network.reduction} bias[${bias}]${family} ${c.magnitude}`;
}
