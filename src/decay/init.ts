import type { ActivationName, Batch, Layer, Network } from '../network/types.js';
import { uniform } from './random.js';

/**
 * A weight initialisation: W_ji uniform in [-a, a] with
 * - `uniform`: a = 1;
 * - `xavier` (Glorot uniform): a = sqrt(6 / (fan_in + fan_out)), so Var W = 2 / (fan_in + fan_out);
 * - `he` (He uniform): a = sqrt(6 / fan_in);
 * - `scale`: a given a, written `scale:0.5` on the command line.
 * fan_in = n_(l-1) and fan_out = n_l are the widths of the layer's input and output.
 */
export type Init = { readonly kind: 'uniform' } | { readonly kind: 'xavier' } | { readonly kind: 'he' } | { readonly kind: 'scale'; readonly scale: number };

/** The largest scale `scale:A` accepts (larger weights saturate every unit: nothing left to measure). */
export const MAX_INIT_SCALE = 1000;

/** The syntax of an initialisation's name, for messages and help. */
export const INIT_SYNTAX = 'uniform, xavier, he or scale:A (uniform in [-A, A], 0 < A <= 1000)';

/**
 * Reads an initialisation's name: `uniform`, `xavier` (also `glorot`), `he`, or `scale:A`.
 * @throws RangeError naming the accepted syntax.
 */
export function parseInit(text: string): Init {
  const name = text.trim().toLowerCase();
  if (name === 'uniform' || name === 'he') return { kind: name };
  if (name === 'xavier' || name === 'glorot') return { kind: 'xavier' };
  const m = /^scale:(.+)$/.exec(name);
  const scale = m ? Number(m[1]) : NaN;
  if (m && m[1]!.trim() !== '' && scale > 0 && scale <= MAX_INIT_SCALE) return { kind: 'scale', scale };
  throw new RangeError(`the initialisation must be ${INIT_SYNTAX}, got "${text}"`);
}

/** The initialisation as text, e.g. `xavier` or `scale:0.5`. */
export function initName(init: Init): string {
  return init.kind === 'scale' ? `scale:${init.scale}` : init.kind;
}

/** The half-width a of the uniform distribution [-a, a] of a layer's weights. */
export function initLimit(init: Init, fanIn: number, fanOut: number): number {
  switch (init.kind) {
    case 'uniform':
      return 1;
    case 'xavier':
      return Math.sqrt(6 / (fanIn + fanOut));
    case 'he':
      return Math.sqrt(6 / fanIn);
    case 'scale':
      return init.scale;
  }
}

/** The elementwise activations a `decay` network's hidden layers may have (the output stays sigmoid + bce). */
export type HiddenActivation = Exclude<ActivationName, 'softmax'>;

/** Every hidden activation, in the protocol's order. */
export const HIDDEN_ACTIVATIONS: readonly HiddenActivation[] = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'];

/**
 * The customary initialisation of an activation: Xavier (Glorot and Bengio 2010) for the sigmoid,
 * tanh and linear, whose slope at 0 is their largest; He (He et al. 2015) for relu and leaky_relu,
 * which pass half the units' variance.
 */
export function customaryInit(activation: HiddenActivation): Init {
  return activation === 'relu' || activation === 'leaky_relu' ? { kind: 'he' } : { kind: 'xavier' };
}

/**
 * A network of the given widths n_0..n_L, weights drawn by `init`, without biases, summed loss;
 * the hidden layers 1..L-1 of `activation` (absent or sigmoid: no activation field, a version-1
 * network), the output sigmoid + bce. `alpha`: leaky_relu's (absent: the protocol's 0.01).
 */
export function initNetwork(random: () => number, widths: readonly number[], init: Init, activation?: HiddenActivation, alpha?: number): Network {
  const layers: Layer[] = [];
  for (let l = 1; l < widths.length; l++) {
    const nIn = widths[l - 1]!;
    const nOut = widths[l]!;
    const a = initLimit(init, nIn, nOut);
    const W = new Float64Array(nIn * nOut);
    for (let k = 0; k < W.length; k++) W[k] = uniform(random, a);
    const hidden = activation !== undefined && activation !== 'sigmoid' && l < widths.length - 1;
    layers.push(!hidden ? { nIn, nOut, W, b: null } : activation === 'leaky_relu' && alpha !== undefined ? { nIn, nOut, W, b: null, activation, alpha } : { nIn, nOut, W, b: null, activation });
  }
  return { layers, reduction: 'sum' };
}

/** A batch of B samples: inputs uniform in [-1, 1), hard targets 0 or 1 with equal odds. */
export function randomBatch(random: () => number, nIn: number, nOut: number, B: number): Batch {
  const X = new Float64Array(B * nIn);
  const T = new Float64Array(B * nOut);
  for (let k = 0; k < X.length; k++) X[k] = uniform(random, 1);
  for (let k = 0; k < T.length; k++) T[k] = random() < 0.5 ? 0 : 1;
  return { size: B, nIn, nOut, X, T };
}
