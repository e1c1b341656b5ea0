import type { Network } from '../network/types.js';
import type { Activation, ActivationName, ElementwiseActivation } from './activation.js';
import { bce } from './bce.js';
import { cce } from './cce.js';
import { isRowwiseHead, type Head, type Loss, type LossName, type RowwiseHead } from './loss.js';
import { mse } from './mse.js';
import { sigmoid } from './sigmoid.js';
import type { StandaloneActivationName, WiredActivationName } from './activation.js';
import { linear } from './linear.js';
import { leakyRelu, relu, reluWithKink } from './relu.js';
import { tanh } from './tanh.js';

export type { Activation, ActivationName, ElementwiseActivation, RowwiseActivation, ElementwiseExact, ElementwiseBound, ElementwiseTextbook } from './activation.js';
export { elementwise } from './activation.js';
export type { Loss, LossName, Head, HeadExact, HeadBound, HeadTextbook, TextbookLogForm, TextbookRounding, TermValues } from './loss.js';
export type { RowwiseHead, RowwiseHeadExact, RowwiseHeadBound } from './loss.js';
export { isRowwiseHead } from './loss.js';
export type { Exact, ExactTarget, ExactUnit } from './exact.js';
export { sigmoid } from './sigmoid.js';
export type { StandaloneActivationName, WiredActivationName } from './activation.js';
export { tanh } from './tanh.js';
export { relu, leakyRelu, reluWithKink, type Rectifier } from './relu.js';
export { linear } from './linear.js';
export { bce, bceSigmoid, softplus } from './bce.js';
export { softmax, type Softmax, type SoftmaxTextbook } from './softmax.js';
export { cce, cceSoftmax, cceTextbook } from './cce.js';
export { mse, mseHead, mseKernels } from './mse.js';

/** Every activation by name: adding one is adding its module and a line here. */
const ACTIVATIONS: Readonly<Partial<Record<ActivationName, Activation>>> & Readonly<Record<WiredActivationName, Activation>> = { sigmoid };
/**
 * Issue 12's standalone activations (not wired: validation refuses their names, `activationOf` and
 * `modulesOf` never return them), each with its own parameter: leaky_relu's alpha, a rectifier's kink side.
 */
export function standaloneActivationOf(name: StandaloneActivationName, options: { alpha?: number; kink?: 'left' | 'right' } = {}): ElementwiseActivation {
  const kink = options.kink ?? 'left';
  switch (name) {
    case 'tanh':
      return tanh;
    case 'linear':
      return linear;
    case 'relu':
      return kink === 'left' ? relu : reluWithKink(kink);
    case 'leaky_relu':
      return leakyRelu(options.alpha ?? 0.01, kink);
  }
}
/** Every loss by name. */
const LOSSES: Readonly<Record<LossName, Loss>> = { bce, cce, mse };

/** The activation called `name`. */
export function activationOf(name: ActivationName): Activation {
  const a = ACTIVATIONS[name];
  if (!a) throw new Error(`unknown activation "${String(name)}"`);
  return a;
}

/** The loss called `name`. */
export function lossOf(name: LossName): Loss {
  const l = LOSSES[name];
  if (!l) throw new Error(`unknown loss "${String(name)}"`);
  return l;
}

/** The one place a loss is paired with the last layer's activation; an error where the pair is not allowed. */
export function pairOf(loss: LossName, last: Activation): Head | RowwiseHead {
  const head = lossOf(loss).head(last);
  if (!head) throw new Error(`the ${loss} loss is not defined on a ${last.name} output`);
  return head;
}

/** The head of an elementwise output's pair (bce + sigmoid, mse + f); an error where the pair is refused or row-wise. */
export function headOf(loss: LossName, last: ActivationName): Head {
  const head = pairOf(loss, activationOf(last));
  if (isRowwiseHead(head)) throw new Error(`the ${loss} loss on a ${last} output is row-wise: rowwiseHeadOf`);
  return head;
}

/** The head of a row-wise output's pair (cce + softmax); an error where the pair is refused or elementwise. */
export function rowwiseHeadOf(loss: LossName, last: Activation): RowwiseHead {
  const head = pairOf(loss, last);
  if (!isRowwiseHead(head)) throw new Error(`the ${loss} loss on a ${last.name} output is elementwise: headOf`);
  return head;
}

/** What every network is until issue 12 lets a network name its own: sigmoid layers, binary cross-entropy. */
export const DEFAULT_ACTIVATION: ActivationName = 'sigmoid';
export const DEFAULT_LOSS: LossName = 'bce';

/** The hidden layers' activation of today's networks (elementwise). */
export const HIDDEN: ElementwiseActivation = sigmoid;
/** The output head of today's networks. */
export const HEAD: Head = headOf(DEFAULT_LOSS, DEFAULT_ACTIVATION);

/** The modules one network's layers are made of. */
export interface NetworkModules {
  /** The activation of layer l (0-based). */
  activation(l: number): Activation;
  /** The activation of layer l, which must be elementwise (every layer below the last; an error naming it otherwise). */
  elementwise(l: number): ElementwiseActivation;
  /** The loss paired with the last layer's activation. */
  readonly head: Head;
}

const TODAY: NetworkModules = { activation: () => HIDDEN, elementwise: () => HIDDEN, head: HEAD };

/**
 * The modules of `network`'s layers: the one place the reference, the oracle, the bounds and the
 * textbook emulation ask. Every network is sigmoid layers with binary cross-entropy until issue 12
 * gives the network its activations and loss by name (then: activationOf / headOf of those names).
 */
export function modulesOf(network: Network): NetworkModules {
  void network;
  return TODAY;
}
