/**
 * Checking JSON-shaped input (protocol.md) and packing it into the Float64Array forms of
 * types.ts. Every rejection is an {@link InputError} whose path starts with the input's name.
 * Unknown extra fields are ignored: the protocol allows optional extensions.
 */
import { describeValue, InputError, plural } from './errors.js';
import { layerAt, outputLayer } from './shape.js';
import { ACTIVATION_NAMES, activationNameOf, LOSS_NAMES, lossNameOf, REDUCTIONS } from './types.js';
import type { ActivationName, Batch, Case, Gradients, Layer, LayerGradient, LossName, Network, Reduction } from './types.js';

/** An implementation's result, checked against the network and packed. */
export interface ParsedResult extends Gradients {
  /** The last layer's outputs `Z[b * n_L + i]`, when the implementation sent them. */
  readonly outputs?: Float64Array;
}

/** Reads one number at a path, or throws. */
type NumberReader = (value: unknown, path: string) => number;

/** A plain object (not null, not an array), or an E_TYPE error. */
function record(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined) throw new InputError('E_TYPE', path, 'is missing, expected an object');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('E_TYPE', path, `is not an object (got ${describeValue(value)})`);
  }
  return value as Record<string, unknown>;
}

/** An array, or an E_TYPE error saying what was `expected`. */
function array(value: unknown, path: string, expected: string): unknown[] {
  if (value === undefined) throw new InputError('E_TYPE', path, `is missing, expected ${expected}`);
  if (!Array.isArray(value)) {
    throw new InputError('E_TYPE', path, `is not ${expected} (got ${describeValue(value)})`);
  }
  return value;
}

/** A finite number; JSON `null` (NaN or an infinity) is an E_VALUE error. */
const finite: NumberReader = (value, path) => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value === undefined) throw new InputError('E_TYPE', path, 'is missing, expected a finite number');
  if (value === null) {
    throw new InputError('E_VALUE', path, 'is null, expected a finite number (null stands for NaN or an infinity)');
  }
  const code = typeof value === 'number' ? 'E_VALUE' : 'E_TYPE';
  throw new InputError(code, path, `is not a finite number (got ${describeValue(value)})`);
};

/** A finite number in [0, 1]. */
const target: NumberReader = (value, path) => {
  const t = finite(value, path);
  if (t < 0 || t > 1) throw new InputError('E_TARGET', path, `is ${t}, a target must lie in [0, 1]`);
  return t;
};

/** Any number, as an implementation reports it: JSON `null` means it produced NaN or an infinity. */
const reported: NumberReader = (value, path) => {
  if (typeof value === 'number') return value;
  if (value === null) return NaN;
  if (value === undefined) throw new InputError('E_TYPE', path, 'is missing, expected a number (or null)');
  throw new InputError('E_TYPE', path, `is not a number or null (got ${describeValue(value)})`);
};

/**
 * Packs `rows` (already counted by the caller) into `M[r * width + c]`: every row must be an
 * array of `width` numbers read by `read`; `why` explains the width in messages.
 */
function matrix(rows: unknown[], path: string, width: number, read: NumberReader, why: string): Float64Array {
  const packed = new Float64Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const rowPath = `${path}[${r}]`;
    const row = array(rows[r], rowPath, 'an array of numbers');
    if (row.length !== width) {
      throw new InputError('E_SHAPE', rowPath, `has ${plural(row.length, 'entry', 'entries')}, expected ${width} (${why})`);
    }
    for (let c = 0; c < width; c++) packed[r * width + c] = read(row[c], `${rowPath}[${c}]`);
  }
  return packed;
}

/** Packs a vector of exactly `length` numbers; `why` explains the length in messages. */
function vector(entries: unknown[], path: string, length: number, read: NumberReader, why: string): Float64Array {
  if (entries.length !== length) {
    throw new InputError('E_SHAPE', path, `has ${plural(entries.length, 'entry', 'entries')}, expected ${length} (${why})`);
  }
  return Float64Array.from(entries, (entry, i) => read(entry, `${path}[${i}]`));
}

/** One network layer; `nIn` is the previous layer's output count, undefined for layer 0. */
function parseLayer(value: unknown, path: string, l: number, nIn: number | undefined): Layer {
  const layer = record(value, path);
  const rows = array(layer.weights, `${path}.weights`, 'an array of rows');
  if (rows.length === 0) {
    throw new InputError('E_EMPTY', `${path}.weights`, `has no rows, layer ${l} needs at least one input`);
  }
  if (nIn !== undefined && rows.length !== nIn) {
    throw new InputError(
      'E_SHAPE',
      `${path}.weights`,
      `has ${plural(rows.length, 'row')}, expected ${nIn}: layer ${l} takes ${plural(rows.length, 'input')} ` +
        `but layer ${l - 1} has ${plural(nIn, 'output')}`,
    );
  }
  const nOut = array(rows[0], `${path}.weights[0]`, 'an array of numbers').length;
  if (nOut === 0) {
    throw new InputError('E_EMPTY', `${path}.weights[0]`, `is empty, layer ${l} needs at least one output`);
  }
  const why = `layer ${l} has ${plural(nOut, 'output')}`;
  const W = matrix(rows, `${path}.weights`, nOut, finite, why);
  const bias = layer.bias;
  const b = bias === undefined || bias === null
    ? null
    : vector(array(bias, `${path}.bias`, 'an array of numbers or null'), `${path}.bias`, nOut, finite, why);
  return { nIn: rows.length, nOut, W, b };
}

/** A protocol name (`activation`, `loss`) with its default, or an error naming the field and the names allowed. */
function nameOf<N extends string>(value: unknown, path: string, names: readonly N[], fallback: N, code: 'E_ACTIVATION' | 'E_LOSS'): N {
  if (value === undefined) return fallback;
  const found = names.find((known) => known === value);
  if (found === undefined) throw new InputError(code, path, `is ${describeValue(value)}, expected one of ${names.map((n) => `"${n}"`).join(', ')}`);
  return found;
}

/**
 * The activation of layer l and its `alpha` (leaky_relu only, 0 <= alpha < 1), checked as
 * protocol version 2 defines them.
 */
function activationOfLayer(layer: Record<string, unknown>, path: string): { activation: ActivationName; alpha?: number } {
  const activation = nameOf(layer.activation, `${path}.activation`, ACTIVATION_NAMES, 'sigmoid', 'E_ACTIVATION');
  if (layer.alpha !== undefined) {
    if (activation !== 'leaky_relu') throw new InputError('E_ACTIVATION', `${path}.alpha`, `is given for a ${activation} layer: alpha belongs to leaky_relu only`);
    if (typeof layer.alpha !== 'number' || !(layer.alpha >= 0 && layer.alpha < 1)) throw new InputError('E_ACTIVATION', `${path}.alpha`, `is ${describeValue(layer.alpha)}, expected a number with 0 <= alpha < 1`);
    return { activation, alpha: layer.alpha };
  }
  return { activation };
}

/**
 * The network's loss, checked against its activations as protocol version 2 pairs them: softmax
 * on the last layer only and only with cce; bce on a sigmoid output; mse on anything but softmax.
 */
function lossOfNetwork(network: Record<string, unknown>, name: string, activations: readonly ActivationName[]): LossName {
  const loss = nameOf(network.loss, `${name}.loss`, LOSS_NAMES, 'bce', 'E_LOSS');
  const last = activations.length - 1;
  activations.forEach((activation, l) => {
    if (activation === 'softmax' && l !== last) throw new InputError('E_ACTIVATION', `${name}.layers[${l}].activation`, `is "softmax" on layer ${l} of ${activations.length}: softmax may only be the last layer's activation`);
  });
  const output = activations[last]!;
  const needs: Record<LossName, (a: ActivationName) => boolean> = { bce: (a) => a === 'sigmoid', cce: (a) => a === 'softmax', mse: (a) => a !== 'softmax' };
  const wants: Record<LossName, string> = { bce: 'a sigmoid output', cce: 'a softmax output', mse: 'any output activation but softmax' };
  if (!needs[loss](output)) throw new InputError('E_LOSS', `${name}.loss`, `is "${loss}" but the last layer's activation is "${output}": ${loss} needs ${wants[loss]}`);
  return loss;
}

/** The reduction named by `value` (default "sum"). */
function parseReduction(value: unknown, path: string): Reduction {
  if (value === undefined) return 'sum';
  const reduction = REDUCTIONS.find((known) => known === value);
  if (reduction === undefined) {
    const allowed = REDUCTIONS.map((known) => JSON.stringify(known)).join(', ');
    throw new InputError('E_REDUCTION', path, `is ${describeValue(value)}, expected one of ${allowed}`);
  }
  return reduction;
}

/**
 * Checks a protocol "Network" and packs it: `W[j * nOut + i] = weights[j][i]`, `b` null when
 * the bias is omitted or null. `name` is the input's name in messages (`case.json: network`).
 * @throws InputError when the value is not a well-formed network of at least one layer.
 */
export function parseNetwork(value: unknown, name = 'network'): Network {
  const network = record(value, name);
  const items = array(network.layers, `${name}.layers`, 'an array of layers');
  if (items.length === 0) {
    throw new InputError('E_EMPTY', `${name}.layers`, 'is empty, a network needs at least one layer');
  }
  const layers: Layer[] = [];
  for (let l = 0; l < items.length; l++) {
    const layer = parseLayer(items[l], `${name}.layers[${l}]`, l, layers[l - 1]?.nOut);
    const { activation, alpha } = activationOfLayer(items[l] as Record<string, unknown>, `${name}.layers[${l}]`);
    // version-1 layers stay as they were (no activation field): sigmoid is the default
    layers.push(activation === 'sigmoid' ? layer : alpha === undefined ? { ...layer, activation } : { ...layer, activation, alpha });
  }
  const loss = lossOfNetwork(network, name, layers.map(activationNameOf));
  const reduction = parseReduction(network.reduction, `${name}.reduction`);
  return loss === 'bce' ? { layers, reduction } : { layers, reduction, loss };
}

/**
 * Checks a protocol "Batch" against `network` and packs it: `X[b * n_0 + j]`, `T[b * n_L + i]`.
 * @throws InputError on a batch of size 0, row counts or widths that do not fit, numbers that
 *   are not finite, or targets outside [0, 1].
 */
export function parseBatch(value: unknown, network: Network, name = 'batch'): Batch {
  const batch = record(value, name);
  const inputs = array(batch.inputs, `${name}.inputs`, 'an array of rows');
  const targets = array(batch.targets, `${name}.targets`, 'an array of rows');
  if (inputs.length === 0) {
    throw new InputError('E_BATCH', `${name}.inputs`, 'is empty (batch size 0), a batch needs at least one sample');
  }
  if (targets.length !== inputs.length) {
    throw new InputError(
      'E_BATCH',
      `${name}.targets`,
      `has ${plural(targets.length, 'row')}, expected ${inputs.length}, one per row of ${name}.inputs`,
    );
  }
  const nIn = layerAt(network, 0).nIn;
  const nOut = outputLayer(network).nOut;
  const X = matrix(inputs, `${name}.inputs`, nIn, finite, `the network takes ${plural(nIn, 'input')}`);
  const loss = lossNameOf(network);
  const T = matrix(targets, `${name}.targets`, nOut, loss === 'mse' ? finite : target, `the network has ${plural(nOut, 'output')}`);
  if (loss === 'cce') checkProbabilityRows(T, nOut, `${name}.targets`);
  return { size: inputs.length, nIn, nOut, X, T };
}

/**
 * A cce target row must be a probability vector: entries in [0, 1] (checked already), summing to 1
 * within n_L 2^-52 (protocol version 2). The sum is formed exactly enough to judge that: the
 * entries are in [0, 1], so float64 summation errs by at most n_L 2^-53 relative to the sum, and
 * the check allows for it.
 */
function checkProbabilityRows(T: Float64Array, n: number, path: string): void {
  const allowed = n * 2 ** -52;
  for (let r = 0; r < T.length / n; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += T[r * n + i]!;
    const slack = n * 2 ** -53 * Math.max(sum, 1);
    if (!(Math.abs(sum - 1) <= allowed + slack)) {
      throw new InputError('E_TARGET', `${path}[${r}]`, `sums to ${sum}, a cce target row must be a probability vector summing to 1 (within n_L 2^-52 = ${allowed.toPrecision(3)})`);
    }
  }
}

/**
 * Checks a protocol case `{ network, batch }` and packs both.
 * @throws InputError naming `name.network...` or `name.batch...`.
 */
export function parseCase(value: unknown, name = 'case'): Case {
  const item = record(value, name);
  const network = parseNetwork(item.network, `${name}.network`);
  return { network, batch: parseBatch(item.batch, network, `${name}.batch`) };
}

/** One layer's gradient, shaped like `layer`. */
function parseLayerGradient(value: unknown, path: string, l: number, layer: Layer): LayerGradient {
  const gradient = record(value, path);
  const rows = array(gradient.weights, `${path}.weights`, 'an array of rows');
  if (rows.length !== layer.nIn) {
    throw new InputError(
      'E_SHAPE',
      `${path}.weights`,
      `has ${plural(rows.length, 'row')}, expected ${layer.nIn} (layer ${l} has ${plural(layer.nIn, 'input')})`,
    );
  }
  const why = `layer ${l} has ${plural(layer.nOut, 'output')}`;
  const W = matrix(rows, `${path}.weights`, layer.nOut, reported, why);
  const bias = gradient.bias;
  const absent = bias === undefined || bias === null;
  if (!layer.b) {
    if (absent) return { W, b: null };
    throw new InputError('E_SHAPE', `${path}.bias`, `is present, but layer ${l} has no bias (send null or omit it)`);
  }
  if (absent) {
    const what = bias === undefined ? 'is missing' : 'is null';
    throw new InputError('E_SHAPE', `${path}.bias`, `${what}, expected ${plural(layer.nOut, 'number')} (layer ${l} has a bias)`);
  }
  const b = vector(array(bias, `${path}.bias`, 'an array of numbers'), `${path}.bias`, layer.nOut, reported, why);
  return { W, b };
}

/**
 * Checks an implementation's protocol "Result" against the network's shapes and packs it.
 * Unlike a network, a result may hold non-finite values: JSON `null` in a number's place means
 * the implementation produced NaN or an infinity and becomes NaN here. `outputs`, when sent,
 * must be `[batchSize][n_L]` (the row count is checked only when `batchSize` is given).
 * @throws InputError on missing fields, wrong types (strings, booleans, objects) or shapes.
 */
export function parseGradients(value: unknown, network: Network, name = 'result', batchSize?: number): ParsedResult {
  const result = record(value, name);
  const loss = reported(result.loss, `${name}.loss`);
  const items = array(result.gradients, `${name}.gradients`, 'an array of layer gradients');
  if (items.length !== network.layers.length) {
    throw new InputError(
      'E_SHAPE',
      `${name}.gradients`,
      `has ${plural(items.length, 'layer')}, expected ${network.layers.length} (one per layer of the network)`,
    );
  }
  const layers = network.layers.map((layer, l) =>
    parseLayerGradient(items[l], `${name}.gradients[${l}]`, l, layer),
  );
  if (result.outputs === undefined || result.outputs === null) return { loss, layers };
  return { loss, layers, outputs: parseOutputs(result.outputs, network, `${name}.outputs`, batchSize) };
}

/** The optional `outputs` of a result: rows of n_L numbers (or nulls), `batchSize` of them if given. */
function parseOutputs(value: unknown, network: Network, path: string, batchSize: number | undefined): Float64Array {
  const rows = array(value, path, 'an array of rows');
  if (batchSize !== undefined && rows.length !== batchSize) {
    throw new InputError('E_SHAPE', path, `has ${plural(rows.length, 'row')}, expected ${batchSize} (one per sample)`);
  }
  const nOut = outputLayer(network).nOut;
  return matrix(rows, path, nOut, reported, `the network has ${plural(nOut, 'output')}`);
}
