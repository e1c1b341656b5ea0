import { isVersion1, type Network } from '../network/types.js';

/**
 * The plain decimal cross-check's finite differences (`finiteDifferences`,
 * `parameterFiniteDifferences`: central differences with no kink handling) cover version 1's
 * sigmoid / bce networks only: an Error naming what is not covered for any other network. (Its
 * forward and backward passes, `oracleForward` and `oracleBackward`, cover every version-2
 * network with their own textbook forms.)
 */
export function requireVersion1(network: Network, what: string): void {
  if (isVersion1(network)) return;
  const activations = [...new Set(network.layers.map((layer) => layer.activation ?? 'sigmoid'))].join(', ');
  throw new Error(
    `${what}: the plain decimal cross-check's finite differences cover version 1's sigmoid / bce networks only, not this network's activations (${activations}) and loss (${network.loss ?? 'bce'}); use the BigFloat oracle (oracle(), CaseOracle), whose finite differences cover every version-2 network`,
  );
}
