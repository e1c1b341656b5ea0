/** Short human-readable descriptions of generated cases. */

import { widths } from '../network/shape.js';
import type { GeneratedCase } from './arbitraries.js';

/**
 * A one-line summary of a case: widths, batch size, reduction, which layers have a bias
 * and the magnitude class, e.g. `3-4-2 B=2 sum bias[1,0] typical`.
 */
export function describeCase(c: GeneratedCase): string {
  const shape = widths(c.network).join('-');
  const bias = c.network.layers.map((layer) => (layer.b ? '1' : '0')).join(',');
  return `${shape} B=${c.batch.size} ${c.network.reduction} bias[${bias}] ${c.magnitude}`;
}
