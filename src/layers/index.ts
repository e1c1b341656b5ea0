import { activationNameOf, DEFAULT_ALPHA, isVersion1, lossNameOf, type KinkSide, type Network } from '../network/types.js';
import type { Activation, ActivationName, ElementwiseActivation } from './activation.js';
import { bce } from './bce.js';
import { cce } from './cce.js';
import { isRowwiseHead, type Head, type Loss, type LossName, type RowwiseHead } from './loss.js';
import { mse } from './mse.js';
import { sigmoid } from './sigmoid.js';
import { linear } from './linear.js';
import { leakyRelu, relu, reluWithKink, type Rectifier } from './relu.js';
import { softmax } from './softmax.js';
import { tanh } from './tanh.js';

export type { Activation, ActivationName, ElementwiseActivation, RowwiseActivation, ElementwiseExact, ElementwiseBound, ElementwiseTextbook } from './activation.js';
import { elementwise } from './activation.js';
export { elementwise } from './activation.js';
export type { Loss, LossName, Head, HeadExact, HeadBound, HeadTextbook, TextbookLogForm, TextbookRounding, TermValues } from './loss.js';
export type { RowwiseHead, RowwiseHeadExact, RowwiseHeadBound } from './loss.js';
export { isRowwiseHead } from './loss.js';
export type { Exact, ExactTarget, ExactUnit } from './exact.js';
export { sigmoid } from './sigmoid.js';
export { tanh } from './tanh.js';
export { relu, leakyRelu, reluWithKink, type Rectifier } from './relu.js';
export { linear } from './linear.js';
export { bce, bceSigmoid, softplus } from './bce.js';
export { softmax, type Softmax, type SoftmaxTextbook } from './softmax.js';
export { cce, cceSoftmax, cceTextbook } from './cce.js';
export { mse, mseHead, mseKernels } from './mse.js';

/** Every loss by name: adding one is adding its module and a line here. */
const LOSSES: Readonly<Record<LossName, Loss>> = { bce, cce, mse };

/** What an activation's module needs of its layer and of the implementation: leaky_relu's alpha, a rectifier's kink side. */
export interface ActivationOptions {
  readonly alpha?: number;
  readonly kink?: KinkSide;
}

/**
 * The activation called `name`, made for its parameters (leaky_relu's alpha, default 0.01; the
 * side whose derivative a rectifier takes at S = 0, default the left piece's as the protocol says).
 * Adding an activation is adding its module and a case here.
 */
export function activationOf(name: ActivationName, options: ActivationOptions = {}): Activation {
  const kink = options.kink ?? 'left';
  switch (name) {
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return tanh;
    case 'linear':
      return linear;
    case 'softmax':
      return softmax;
    case 'relu':
      return kink === 'left' ? relu : RELU_RIGHT;
    case 'leaky_relu':
      return leakyOf(options.alpha ?? DEFAULT_ALPHA, kink);
    default:
      throw new Error(`unknown activation "${String(name)}"`);
  }
}

const RELU_RIGHT = reluWithKink('right');
const LEAKY = new Map<string, Rectifier>();
/** leaky_relu of one alpha and kink side, made once. */
function leakyOf(alpha: number, kink: KinkSide): Rectifier {
  const key = `${alpha}:${kink}`;
  let a = LEAKY.get(key);
  if (!a) {
    a = leakyRelu(alpha, kink);
    LEAKY.set(key, a);
  }
  return a;
}

/** The elementwise activation called `name` (every one but softmax), made for its parameters. */
export function elementwiseActivationOf(name: ActivationName, options: ActivationOptions = {}): ElementwiseActivation {
  return elementwise(activationOf(name, options));
}

/** The loss called `name`. */
export function lossOf(name: LossName): Loss {
  const l = LOSSES[name];
  if (!l) throw new Error(`unknown loss "${String(name)}"`);
  return l;
}

const HEADS = new Map<string, Head | RowwiseHead>();
/** The one place a loss is paired with the last layer's activation (made once per pair); an error where the pair is not allowed. */
export function pairOf(loss: LossName, last: Activation): Head | RowwiseHead {
  const key = `${loss}:${last.name}:${'alpha' in last ? String(last.alpha) : ''}:${last.kink}`;
  let head = HEADS.get(key);
  if (!head) {
    head = lossOf(loss).head(last);
    if (!head) throw new Error(`the ${loss} loss is not defined on a ${last.name} output`);
    HEADS.set(key, head);
  }
  return head;
}

/** The head of an elementwise output's pair (bce + sigmoid, mse + f); an error where the pair is refused or row-wise. */
export function headOf(loss: LossName, last: ActivationName, options: ActivationOptions = {}): Head {
  const head = pairOf(loss, activationOf(last, options));
  if (isRowwiseHead(head)) throw new Error(`the ${loss} loss on a ${last} output is row-wise: rowwiseHeadOf`);
  return head;
}

/** The head of a row-wise output's pair (cce + softmax); an error where the pair is refused or elementwise. */
export function rowwiseHeadOf(loss: LossName, last: Activation): RowwiseHead {
  const head = pairOf(loss, last);
  if (!isRowwiseHead(head)) throw new Error(`the ${loss} loss on a ${last.name} output is elementwise: headOf`);
  return head;
}

/** What a network is when it names nothing (every version-1 network): sigmoid layers, binary cross-entropy. */
export const DEFAULT_ACTIVATION: ActivationName = 'sigmoid';
export const DEFAULT_LOSS: LossName = 'bce';

/** The modules one network's layers are made of. */
export interface NetworkModules {
  /** The activation of layer l (0-based). */
  activation(l: number): Activation;
  /** The activation of layer l, which must be elementwise (every layer below the last; an error naming it otherwise). */
  elementwise(l: number): ElementwiseActivation;
  /** The loss paired with the last layer's activation: elementwise (bce + sigmoid, mse + f) or row-wise (cce + softmax). */
  readonly head: Head | RowwiseHead;
  /** The head when it is elementwise; an error naming the pair for a row-wise one (a consumer that handles only elementwise heads). */
  readonly elementwiseHead: Head;
  /** Whether every layer is sigmoid and the loss bce (a network protocol version 1 could express). */
  readonly version1: boolean;
}

const CACHE = new WeakMap<Network, Map<KinkSide, NetworkModules>>();

/**
 * The modules of `network`'s layers (each layer's activation and alpha, the network's loss),
 * with a rectifier's derivative at S = 0 from the `kink` side (the implementation's declared
 * convention; default the protocol's left piece): the one place the reference, the oracle, the
 * bounds and the textbook emulation ask. Made once per network and kink side.
 */
export function modulesOf(network: Network, kink: KinkSide = 'left'): NetworkModules {
  let byKink = CACHE.get(network);
  if (!byKink) {
    byKink = new Map();
    CACHE.set(network, byKink);
  }
  let modules = byKink.get(kink);
  if (!modules) {
    modules = makeModules(network, kink);
    byKink.set(kink, modules);
  }
  return modules;
}

function makeModules(network: Network, kink: KinkSide): NetworkModules {
  const L = network.layers.length;
  const activations = network.layers.map((layer) => activationOf(activationNameOf(layer), { alpha: layer.alpha, kink }));
  activations.forEach((a, l) => {
    if (a.shape === 'rowwise' && l !== L - 1) throw new Error(`layer ${l + 1} of ${L}: the ${a.name} activation may only be the last layer's`);
  });
  const loss = lossNameOf(network);
  const head = pairOf(loss, activations[L - 1]!);
  const at = (l: number): Activation => {
    const a = activations[l];
    if (!a) throw new Error(`no layer ${l} in a network of ${L}`);
    return a;
  };
  return {
    activation: at,
    elementwise: (l) => {
      const a = at(l);
      if (a.shape !== 'elementwise') throw new Error(`layer ${l + 1} of ${L}: the ${a.name} activation is row-wise, only a last layer's with its loss`);
      return a;
    },
    head,
    get elementwiseHead(): Head {
      if (isRowwiseHead(head)) throw new Error(`the ${loss} loss on a ${head.activation} output is row-wise: this computation handles elementwise outputs only`);
      return head;
    },
    version1: isVersion1(network),
  };
}
