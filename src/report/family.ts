/**
 * Protocol version 2's families in reports: what an implementation declares, and what a case's
 * network is made of. Version-1 implementations and cases (no version-2 field, sigmoid / bce) get
 * null, so their reports read as before.
 */
import type { CaseJson, Description } from '../network/types.js';

/**
 * A case's family, `act[relu,leaky_relu(0.1),softmax] cce`, or null for a version-1 case
 * (every layer sigmoid, loss bce).
 */
export function caseFamilyText(c: CaseJson): string | null {
  const names = c.network.layers.map((layer) => {
    const name = layer.activation ?? 'sigmoid';
    return name === 'leaky_relu' && layer.alpha !== undefined ? `${name}(${layer.alpha})` : name;
  });
  const loss = c.network.loss ?? 'bce';
  if (loss === 'bce' && names.every((n) => n === 'sigmoid')) return null;
  return `act[${names.join(',')}] ${loss}`;
}

/**
 * What an implementation declares of protocol version 2, `activations sigmoid, relu; losses bce,
 * mse; kink left` (the defaults filled in beside what it gave), or null when it declares none of
 * the version-2 fields (a version-1 implementation: sigmoid / bce).
 */
export function declaredFamilyText(d: Description): string | null {
  if (d.activations === undefined && d.losses === undefined && d.kink === undefined) return null;
  return `activations ${(d.activations ?? ['sigmoid']).join(', ')}; losses ${(d.losses ?? ['bce']).join(', ')}; kink ${d.kink ?? 'left'}`;
}
