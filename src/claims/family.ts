/**
 * The network family a claim is about (protocol version 2): its loss, the activation of the
 * claim's layer, the output activation the loss requires, leaky_relu's alpha. A claim that names
 * no family is about version 1's sigmoid/bce networks, and its networks carry no family fields at
 * all (the same cases, the same oracle path as before).
 */
import { ACTIVATION_NAMES, DEFAULT_ALPHA, LOSS_NAMES, type ActivationName, type Layer, type LossName, type Network } from '../network/types.js';
import { ClaimError } from './errors.js';
import type { Claim } from './types.js';

/** A claim's family with its defaults filled in. */
export interface ClaimFamily {
  /** Loss bce and sigmoid everywhere: version 1's networks (no family fields are set on them). */
  readonly version1: boolean;
  readonly loss: LossName;
  /** The claim layer's activation. */
  readonly activation: ActivationName;
  /** The output layer's activation. */
  readonly output: ActivationName;
  /** leaky_relu's alpha (the claim layer's), else undefined. */
  readonly alpha: number | undefined;
}

/** The output activation each loss takes when the claim does not name it. */
export const DEFAULT_OUTPUT: Record<LossName, ActivationName> = { bce: 'sigmoid', cce: 'softmax', mse: 'linear' };

function option(message: string): never {
  throw new ClaimError('E_CLAIM_OPTION', `claim: ${message}`);
}

/**
 * The family of a claim about an output or hidden layer.
 * @throws ClaimError `E_CLAIM_OPTION` for an unknown loss or activation, an output activation the
 *   loss does not take, softmax below the output, or alpha without leaky_relu.
 */
export function claimFamily(claim: Claim, kind: 'output' | 'hidden'): ClaimFamily {
  const loss = claim.loss ?? 'bce';
  if (!LOSS_NAMES.includes(loss)) option(`loss must be one of ${LOSS_NAMES.join(', ')}, got ${String(loss)}`);
  const given = claim.activation;
  if (given !== undefined && !ACTIVATION_NAMES.includes(given)) option(`activation must be one of ${ACTIVATION_NAMES.join(', ')}, got ${String(given)}`);
  let activation: ActivationName;
  let output: ActivationName;
  if (kind === 'output') {
    output = given ?? DEFAULT_OUTPUT[loss];
    if (loss === 'bce' && output !== 'sigmoid') option(`loss bce takes a sigmoid output, got activation ${output} (mse takes any output activation but softmax)`);
    if (loss === 'cce' && output !== 'softmax') option(`loss cce takes a softmax output, got activation ${output}`);
    if (loss === 'mse' && output === 'softmax') option('loss mse takes any output activation but softmax (softmax goes with cce)');
    activation = output;
  } else {
    activation = given ?? 'sigmoid';
    if (activation === 'softmax') option('softmax is the last layer\'s activation only (with loss cce): a hidden layer takes sigmoid, tanh, relu, leaky_relu or linear');
    output = DEFAULT_OUTPUT[loss];
  }
  const alpha = claim.alpha;
  if (alpha !== undefined) {
    if (activation !== 'leaky_relu') option(`alpha belongs to a leaky_relu layer, the claim's layer is ${activation}`);
    if (typeof alpha !== 'number' || !(alpha >= 0 && alpha < 1)) option(`alpha must be a number with 0 <= alpha < 1, got ${String(alpha)}`);
  }
  const version1 = loss === 'bce' && activation === 'sigmoid' && output === 'sigmoid';
  return { version1, loss, activation, output, alpha: activation === 'leaky_relu' ? alpha ?? DEFAULT_ALPHA : undefined };
}

/** The activation of layer l of L when the claim's layer is p (others below the output: sigmoid). */
export function activationAt(family: ClaimFamily, L: number, p: number, l: number): ActivationName {
  if (l === p) return family.activation;
  return l === L - 1 ? family.output : 'sigmoid';
}

/** A network of the family: version 1's unchanged; else every layer's activation and the loss set. */
export function inFamily(family: ClaimFamily, network: Network, p: number): Network {
  if (family.version1) return network;
  const L = network.layers.length;
  const layers: Layer[] = network.layers.map((layer, l) => {
    const activation = activationAt(family, L, p, l);
    return { nIn: layer.nIn, nOut: layer.nOut, W: layer.W, b: layer.b, activation, ...(activation === 'leaky_relu' ? { alpha: family.alpha ?? DEFAULT_ALPHA } : {}) };
  });
  return { layers, reduction: network.reduction, loss: family.loss };
}
