import { describe, it, expect } from 'vitest';
import {
  InputError,
  parseBatch,
  parseCase,
  parseGradients,
  parseNetwork,
  type InputErrorCode,
  type Network,
} from '../../src/network/index.js';

/** The InputError `fn` throws (fails the test if it throws nothing or something else). */
function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

/** Asserts `fn` throws an InputError with this code and path, and returns it. */
function rejects(fn: () => unknown, code: InputErrorCode, path: string): InputError {
  const err = thrown(fn);
  expect(err.code).toBe(code);
  expect(err.path).toBe(path);
  expect(err.message.startsWith(`${path} `)).toBe(true);
  return err;
}

/** A fresh 2 -> 3 -> 1 network as JSON; layer 0 has a bias, layer 1 none. */
function networkJson(): { layers: { weights: unknown[]; bias?: unknown }[]; reduction?: unknown } {
  return {
    layers: [
      { weights: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], bias: [0.01, 0.02, 0.03] },
      { weights: [[1], [2], [3]] },
    ],
  };
}

/** A fresh batch of 2 samples for {@link networkJson}. */
function batchJson(): { inputs: unknown[]; targets: unknown[] } {
  return { inputs: [[1, 2], [3, 4]], targets: [[0], [0.5]] };
}

/** A fresh well-formed result for {@link networkJson}. */
function resultJson(): { loss: unknown; gradients: { weights: unknown[]; bias?: unknown }[]; outputs?: unknown } {
  return {
    loss: 0.7,
    gradients: [
      { weights: [[1, 2, 3], [4, 5, 6]], bias: [7, 8, 9] },
      { weights: [[10], [11], [12]], bias: null },
    ],
  };
}

const network: Network = parseNetwork(networkJson());

describe('parseNetwork', () => {
  it('packs weights row-major as W[j * nOut + i] = weights[j][i]', () => {
    const [first, second] = network.layers;
    expect(first).toEqual({
      nIn: 2,
      nOut: 3,
      W: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
      b: Float64Array.from([0.01, 0.02, 0.03]),
    });
    expect(second).toEqual({ nIn: 3, nOut: 1, W: Float64Array.from([1, 2, 3]), b: null });
  });

  it('takes "sum" as the default reduction and keeps "mean"', () => {
    expect(network.reduction).toBe('sum');
    expect(parseNetwork({ ...networkJson(), reduction: 'mean' }).reduction).toBe('mean');
  });

  it('treats a null bias like an omitted one', () => {
    const json = networkJson();
    json.layers[0]!.bias = null;
    expect(parseNetwork(json).layers[0]!.b).toBeNull();
  });

  it('ignores unknown extra fields (optional extensions)', () => {
    const json = { ...networkJson(), comment: 'x', layers: networkJson().layers.map((l) => ({ ...l, activation: 'sigmoid' })) };
    expect(parseNetwork(json)).toEqual(network);
  });

  it('rejects a network that is not an object', () => {
    const err = rejects(() => parseNetwork([1, 2]), 'E_TYPE', 'network');
    expect(err.message).toMatchInlineSnapshot(`"network is not an object (got an array of 2)"`);
    rejects(() => parseNetwork(null), 'E_TYPE', 'network');
    rejects(() => parseNetwork('net'), 'E_TYPE', 'network');
    expect(thrown(() => parseNetwork(undefined)).message).toMatchInlineSnapshot(`"network is missing, expected an object"`);
  });

  it('rejects a network without layers', () => {
    const err = rejects(() => parseNetwork({ reduction: 'sum' }), 'E_TYPE', 'network.layers');
    expect(err.message).toMatchInlineSnapshot(`"network.layers is missing, expected an array of layers"`);
  });

  it('rejects layers that are not an array', () => {
    const err = rejects(() => parseNetwork({ layers: { weights: [[1]] } }), 'E_TYPE', 'network.layers');
    expect(err.message).toMatchInlineSnapshot(`"network.layers is not an array of layers (got an object)"`);
  });

  it('rejects an empty layers array', () => {
    const err = rejects(() => parseNetwork({ layers: [] }), 'E_EMPTY', 'network.layers');
    expect(err.message).toMatchInlineSnapshot(`"network.layers is empty, a network needs at least one layer"`);
  });

  it('rejects a layer that is not an object', () => {
    const json = networkJson() as { layers: unknown[] };
    json.layers[1] = [[1], [2], [3]];
    const err = rejects(() => parseNetwork(json), 'E_TYPE', 'network.layers[1]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[1] is not an object (got an array of 3)"`);
  });

  it('rejects a layer without weights', () => {
    const err = rejects(() => parseNetwork({ layers: [{ bias: [1] }] }), 'E_TYPE', 'network.layers[0].weights');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights is missing, expected an array of rows"`);
  });

  it('rejects weights that are not an array of arrays', () => {
    const err = rejects(() => parseNetwork({ layers: [{ weights: 5 }] }), 'E_TYPE', 'network.layers[0].weights');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights is not an array of rows (got 5)"`);
    const flat = rejects(() => parseNetwork({ layers: [{ weights: [1, 2] }] }), 'E_TYPE', 'network.layers[0].weights[0]');
    expect(flat.message).toMatchInlineSnapshot(`"network.layers[0].weights[0] is not an array of numbers (got 1)"`);
    const json = networkJson();
    json.layers[0]!.weights[1] = 'row';
    const later = rejects(() => parseNetwork(json), 'E_TYPE', 'network.layers[0].weights[1]');
    expect(later.message).toMatchInlineSnapshot(`"network.layers[0].weights[1] is not an array of numbers (got "row")"`);
  });

  it('rejects a layer with no inputs', () => {
    const err = rejects(() => parseNetwork({ layers: [{ weights: [] }] }), 'E_EMPTY', 'network.layers[0].weights');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights has no rows, layer 0 needs at least one input"`);
  });

  it('rejects a layer with no outputs', () => {
    const err = rejects(() => parseNetwork({ layers: [{ weights: [[], []] }] }), 'E_EMPTY', 'network.layers[0].weights[0]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights[0] is empty, layer 0 needs at least one output"`);
  });

  it('rejects a ragged weight matrix', () => {
    const json = networkJson();
    json.layers[0]!.weights[1] = [0.4, 0.5];
    const err = rejects(() => parseNetwork(json), 'E_SHAPE', 'network.layers[0].weights[1]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights[1] has 2 entries, expected 3 (layer 0 has 3 outputs)"`);
  });

  it('rejects consecutive layers whose sizes do not fit', () => {
    const json = networkJson();
    json.layers[1]!.weights = [[1], [2]];
    const err = rejects(() => parseNetwork(json), 'E_SHAPE', 'network.layers[1].weights');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[1].weights has 2 rows, expected 3: layer 1 takes 2 inputs but layer 0 has 3 outputs"`);
  });

  it('rejects a bias whose length is not the number of outputs', () => {
    const json = networkJson();
    json.layers[0]!.bias = [1, 2];
    const err = rejects(() => parseNetwork(json), 'E_SHAPE', 'network.layers[0].bias');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].bias has 2 entries, expected 3 (layer 0 has 3 outputs)"`);
  });

  it('rejects a bias that is not an array', () => {
    const json = networkJson();
    json.layers[0]!.bias = 0;
    const err = rejects(() => parseNetwork(json), 'E_TYPE', 'network.layers[0].bias');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].bias is not an array of numbers or null (got 0)"`);
  });

  it('rejects NaN or an infinity sent as JSON null', () => {
    const json = networkJson();
    json.layers[1]!.weights[2] = [null];
    const err = rejects(() => parseNetwork(json), 'E_VALUE', 'network.layers[1].weights[2][0]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[1].weights[2][0] is null, expected a finite number (null stands for NaN or an infinity)"`);
  });

  it('rejects an infinite or NaN number', () => {
    const json = networkJson();
    json.layers[0]!.weights[0] = [0.1, Infinity, 0.3];
    const err = rejects(() => parseNetwork(json), 'E_VALUE', 'network.layers[0].weights[0][1]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights[0][1] is not a finite number (got Infinity)"`);
    json.layers[0]!.weights[0] = [0.1, 0.2, NaN];
    rejects(() => parseNetwork(json), 'E_VALUE', 'network.layers[0].weights[0][2]');
  });

  it('rejects a string where a number belongs', () => {
    const json = networkJson();
    json.layers[0]!.weights[0] = [0.1, 'abc', 0.3];
    const err = rejects(() => parseNetwork(json), 'E_TYPE', 'network.layers[0].weights[0][1]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights[0][1] is not a finite number (got "abc")"`);
  });

  it('rejects a non-finite bias entry', () => {
    const json = networkJson();
    json.layers[0]!.bias = [0, true, 0];
    const err = rejects(() => parseNetwork(json), 'E_TYPE', 'network.layers[0].bias[1]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].bias[1] is not a finite number (got true)"`);
  });

  it('rejects a hole in an in-process array', () => {
    const json = networkJson();
    json.layers[0]!.weights[0] = [0.1, , 0.3];
    const err = rejects(() => parseNetwork(json), 'E_TYPE', 'network.layers[0].weights[0][1]');
    expect(err.message).toMatchInlineSnapshot(`"network.layers[0].weights[0][1] is missing, expected a finite number"`);
  });

  it('rejects an unknown reduction and lists the allowed ones', () => {
    const err = rejects(() => parseNetwork({ ...networkJson(), reduction: 'avg' }), 'E_REDUCTION', 'network.reduction');
    expect(err.message).toMatchInlineSnapshot(`"network.reduction is "avg", expected one of "sum", "mean""`);
    rejects(() => parseNetwork({ ...networkJson(), reduction: null }), 'E_REDUCTION', 'network.reduction');
  });

  it('names the input as the caller says', () => {
    const json = networkJson();
    json.layers[0]!.weights[1] = [0.4];
    const err = rejects(() => parseNetwork(json, 'case.json: network'), 'E_SHAPE', 'case.json: network.layers[0].weights[1]');
    expect(err.message).toMatchInlineSnapshot(`"case.json: network.layers[0].weights[1] has 1 entry, expected 3 (layer 0 has 3 outputs)"`);
  });
});

describe('parseBatch', () => {
  it('packs inputs and targets row-major', () => {
    expect(parseBatch(batchJson(), network)).toEqual({
      size: 2,
      nIn: 2,
      nOut: 1,
      X: Float64Array.from([1, 2, 3, 4]),
      T: Float64Array.from([0, 0.5]),
    });
  });

  it('accepts targets on the bounds 0 and 1', () => {
    expect(parseBatch({ inputs: [[0, 0]], targets: [[1]] }, network).T).toEqual(Float64Array.from([1]));
  });

  it('rejects a batch that is not an object', () => {
    const err = rejects(() => parseBatch('batch', network), 'E_TYPE', 'batch');
    expect(err.message).toMatchInlineSnapshot(`"batch is not an object (got "batch")"`);
  });

  it('rejects missing inputs or targets', () => {
    const err = rejects(() => parseBatch({ inputs: [[1, 2]] }, network), 'E_TYPE', 'batch.targets');
    expect(err.message).toMatchInlineSnapshot(`"batch.targets is missing, expected an array of rows"`);
    rejects(() => parseBatch({ inputs: 3, targets: [[1]] }, network), 'E_TYPE', 'batch.inputs');
  });

  it('rejects a batch of size 0', () => {
    const err = rejects(() => parseBatch({ inputs: [], targets: [] }, network), 'E_BATCH', 'batch.inputs');
    expect(err.message).toMatchInlineSnapshot(`"batch.inputs is empty (batch size 0), a batch needs at least one sample"`);
  });

  it('rejects inputs and targets with different row counts', () => {
    const json = batchJson();
    json.targets.pop();
    const err = rejects(() => parseBatch(json, network), 'E_BATCH', 'batch.targets');
    expect(err.message).toMatchInlineSnapshot(`"batch.targets has 1 row, expected 2, one per row of batch.inputs"`);
  });

  it('rejects an input row of the wrong width', () => {
    const json = batchJson();
    json.inputs[1] = [3, 4, 5];
    const err = rejects(() => parseBatch(json, network), 'E_SHAPE', 'batch.inputs[1]');
    expect(err.message).toMatchInlineSnapshot(`"batch.inputs[1] has 3 entries, expected 2 (the network takes 2 inputs)"`);
  });

  it('rejects a target row of the wrong width', () => {
    const json = batchJson();
    json.targets[0] = [];
    const err = rejects(() => parseBatch(json, network), 'E_SHAPE', 'batch.targets[0]');
    expect(err.message).toMatchInlineSnapshot(`"batch.targets[0] has 0 entries, expected 1 (the network has 1 output)"`);
  });

  it('rejects a row that is not an array', () => {
    const json = batchJson();
    json.inputs[0] = { 0: 1, 1: 2 };
    const err = rejects(() => parseBatch(json, network), 'E_TYPE', 'batch.inputs[0]');
    expect(err.message).toMatchInlineSnapshot(`"batch.inputs[0] is not an array of numbers (got an object)"`);
  });

  it('rejects targets outside [0, 1]', () => {
    const json = batchJson();
    json.targets[1] = [1.5];
    const err = rejects(() => parseBatch(json, network), 'E_TARGET', 'batch.targets[1][0]');
    expect(err.message).toMatchInlineSnapshot(`"batch.targets[1][0] is 1.5, a target must lie in [0, 1]"`);
    json.targets[1] = [-0.25];
    rejects(() => parseBatch(json, network), 'E_TARGET', 'batch.targets[1][0]');
  });

  it('rejects a non-finite input', () => {
    const json = batchJson();
    json.inputs[0] = [1, null];
    const err = rejects(() => parseBatch(json, network), 'E_VALUE', 'batch.inputs[0][1]');
    expect(err.message).toMatchInlineSnapshot(`"batch.inputs[0][1] is null, expected a finite number (null stands for NaN or an infinity)"`);
  });

  it('rejects a non-finite target before its range', () => {
    const json = batchJson();
    json.targets[0] = [-Infinity];
    rejects(() => parseBatch(json, network), 'E_VALUE', 'batch.targets[0][0]');
  });
});

describe('parseCase', () => {
  it('packs the network and the batch', () => {
    const item = parseCase({ network: networkJson(), batch: batchJson() });
    expect(item.network).toEqual(network);
    expect(item.batch).toEqual(parseBatch(batchJson(), network));
  });

  it('rejects a case that is not an object', () => {
    const err = rejects(() => parseCase(7, 'case.json'), 'E_TYPE', 'case.json');
    expect(err.message).toMatchInlineSnapshot(`"case.json is not an object (got 7)"`);
  });

  it('rejects a case without a network', () => {
    const err = rejects(() => parseCase({ batch: batchJson() }), 'E_TYPE', 'case.network');
    expect(err.message).toMatchInlineSnapshot(`"case.network is missing, expected an object"`);
  });

  it('names faults inside the network and the batch by their place in the case', () => {
    const json = networkJson();
    json.layers[1]!.weights = [[1], [2], [3], [4]];
    rejects(() => parseCase({ network: json, batch: batchJson() }), 'E_SHAPE', 'case.network.layers[1].weights');
    const batch = batchJson();
    batch.targets[0] = [2];
    const err = rejects(() => parseCase({ network: networkJson(), batch }), 'E_TARGET', 'case.batch.targets[0][0]');
    expect(err.message).toMatchInlineSnapshot(`"case.batch.targets[0][0] is 2, a target must lie in [0, 1]"`);
  });
});

describe('parseGradients', () => {
  it('packs a well-formed result like the network', () => {
    expect(parseGradients(resultJson(), network)).toEqual({
      loss: 0.7,
      layers: [
        { W: Float64Array.from([1, 2, 3, 4, 5, 6]), b: Float64Array.from([7, 8, 9]) },
        { W: Float64Array.from([10, 11, 12]), b: null },
      ],
    });
  });

  it('accepts an omitted bias for a layer without one', () => {
    const json = resultJson();
    delete json.gradients[1]!.bias;
    expect(parseGradients(json, network).layers[1]!.b).toBeNull();
  });

  it('accepts null for NaN or an infinity and reads it as NaN', () => {
    const json = resultJson();
    json.loss = null;
    json.gradients[0]!.weights[1] = [4, null, 6];
    json.gradients[0]!.bias = [null, 8, 9];
    json.outputs = [[null], [0.5]];
    const result = parseGradients(json, network, 'result', 2);
    expect(result.loss).toBeNaN();
    expect(result.layers[0]!.W[4]).toBeNaN();
    expect(result.layers[0]!.b![0]).toBeNaN();
    expect(result.outputs![0]).toBeNaN();
    expect(result.outputs![1]).toBe(0.5);
  });

  it('keeps non-finite numbers from an in-process implementation', () => {
    const json = resultJson();
    json.loss = Infinity;
    json.gradients[1]!.weights[0] = [-Infinity];
    const result = parseGradients(json, network);
    expect(result.loss).toBe(Infinity);
    expect(result.layers[1]!.W[0]).toBe(-Infinity);
  });

  it('packs outputs, checking their row count only when the batch size is given', () => {
    const json = resultJson();
    json.outputs = [[0.25], [0.5], [0.75]];
    expect(parseGradients(json, network).outputs).toEqual(Float64Array.from([0.25, 0.5, 0.75]));
    const err = rejects(() => parseGradients(json, network, 'result', 2), 'E_SHAPE', 'result.outputs');
    expect(err.message).toMatchInlineSnapshot(`"result.outputs has 3 rows, expected 2 (one per sample)"`);
  });

  it('treats null outputs as omitted', () => {
    const json = resultJson();
    json.outputs = null;
    expect(parseGradients(json, network)).not.toHaveProperty('outputs');
  });

  it('rejects outputs of the wrong width', () => {
    const json = resultJson();
    json.outputs = [[0.25, 0.5]];
    const err = rejects(() => parseGradients(json, network, 'IUT line 4: result', 1), 'E_SHAPE', 'IUT line 4: result.outputs[0]');
    expect(err.message).toMatchInlineSnapshot(`"IUT line 4: result.outputs[0] has 2 entries, expected 1 (the network has 1 output)"`);
  });

  it('rejects a result that is not an object', () => {
    const err = rejects(() => parseGradients([0.7], network), 'E_TYPE', 'result');
    expect(err.message).toMatchInlineSnapshot(`"result is not an object (got an array of 1)"`);
  });

  it('rejects a result without a loss', () => {
    const json = resultJson();
    delete (json as { loss?: unknown }).loss;
    const err = rejects(() => parseGradients(json, network), 'E_TYPE', 'result.loss');
    expect(err.message).toMatchInlineSnapshot(`"result.loss is missing, expected a number (or null)"`);
  });

  it('rejects a string where a number belongs', () => {
    const json = resultJson();
    json.gradients[1]!.weights[2] = ['12'];
    const err = rejects(() => parseGradients(json, network), 'E_TYPE', 'result.gradients[1].weights[2][0]');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients[1].weights[2][0] is not a number or null (got "12")"`);
  });

  it('rejects booleans and objects where a number belongs', () => {
    const json = resultJson();
    json.loss = false;
    rejects(() => parseGradients(json, network), 'E_TYPE', 'result.loss');
    json.loss = { value: 0.7 };
    const err = rejects(() => parseGradients(json, network), 'E_TYPE', 'result.loss');
    expect(err.message).toMatchInlineSnapshot(`"result.loss is not a number or null (got an object)"`);
  });

  it('rejects gradients that are not an array', () => {
    const json = resultJson() as { gradients: unknown };
    json.gradients = 'none';
    const err = rejects(() => parseGradients(json, network), 'E_TYPE', 'result.gradients');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients is not an array of layer gradients (got "none")"`);
  });

  it('rejects a gradient per layer count that differs from the network', () => {
    const json = resultJson();
    json.gradients.pop();
    const err = rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients has 1 layer, expected 2 (one per layer of the network)"`);
  });

  it('rejects a layer gradient that is not an object', () => {
    const json = resultJson() as { gradients: unknown[] };
    json.gradients[0] = null;
    const err = rejects(() => parseGradients(json, network), 'E_TYPE', 'result.gradients[0]');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients[0] is not an object (got null)"`);
  });

  it('rejects a weight gradient with the wrong number of rows', () => {
    const json = resultJson();
    json.gradients[1]!.weights = [[10], [11]];
    const err = rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients[1].weights');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients[1].weights has 2 rows, expected 3 (layer 1 has 3 inputs)"`);
  });

  it('rejects a weight gradient row of the wrong width', () => {
    const json = resultJson();
    json.gradients[0]!.weights[0] = [1, 2];
    const err = rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients[0].weights[0]');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients[0].weights[0] has 2 entries, expected 3 (layer 0 has 3 outputs)"`);
  });

  it('rejects a transposed weight gradient', () => {
    const json = resultJson();
    json.gradients[0]!.weights = [[1, 4], [2, 5], [3, 6]];
    rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients[0].weights');
  });

  it('rejects a missing or null bias gradient for a layer with a bias', () => {
    const json = resultJson();
    delete json.gradients[0]!.bias;
    const err = rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients[0].bias');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients[0].bias is missing, expected 3 numbers (layer 0 has a bias)"`);
    json.gradients[0]!.bias = null;
    const nulled = rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients[0].bias');
    expect(nulled.message).toMatchInlineSnapshot(`"result.gradients[0].bias is null, expected 3 numbers (layer 0 has a bias)"`);
  });

  it('rejects a bias gradient for a layer without a bias', () => {
    const json = resultJson();
    json.gradients[1]!.bias = [0];
    const err = rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients[1].bias');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients[1].bias is present, but layer 1 has no bias (send null or omit it)"`);
  });

  it('rejects a bias gradient of the wrong length or type', () => {
    const json = resultJson();
    json.gradients[0]!.bias = [7, 8];
    const err = rejects(() => parseGradients(json, network), 'E_SHAPE', 'result.gradients[0].bias');
    expect(err.message).toMatchInlineSnapshot(`"result.gradients[0].bias has 2 entries, expected 3 (layer 0 has 3 outputs)"`);
    json.gradients[0]!.bias = 'b';
    rejects(() => parseGradients(json, network), 'E_TYPE', 'result.gradients[0].bias');
  });

  it('rejects outputs that are not an array', () => {
    const json = resultJson();
    json.outputs = 0.5;
    rejects(() => parseGradients(json, network), 'E_TYPE', 'result.outputs');
  });
});

describe('protocol version 2: activations, alpha, losses and their targets', () => {
  const net = (layer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ layers: [{ weights: [[0.5]], ...layer }], ...extra });

  it('accepts the defaults written out: activation "sigmoid", loss "bce"', () => {
    expect(parseNetwork(net({ activation: 'sigmoid' }, { loss: 'bce' })).layers).toHaveLength(1);
  });

  it('keeps every version-2 activation, alpha and loss; a version-1 network stays without the fields', () => {
    expect(parseNetwork(net({ activation: 'tanh' }, { loss: 'mse' }))).toMatchObject({ loss: 'mse', layers: [{ activation: 'tanh' }] });
    expect(parseNetwork(net({ activation: 'leaky_relu', alpha: 0.2 }, { loss: 'mse' })).layers[0]).toMatchObject({ activation: 'leaky_relu', alpha: 0.2 });
    expect(parseNetwork(net({ activation: 'leaky_relu' }, { loss: 'mse' })).layers[0]!.alpha).toBeUndefined();
    expect(parseNetwork(net({ activation: 'softmax' }, { loss: 'cce' }))).toMatchObject({ loss: 'cce', layers: [{ activation: 'softmax' }] });
    const v1 = parseNetwork(net({ activation: 'sigmoid' }, { loss: 'bce' }));
    expect(v1.loss).toBeUndefined();
    expect(v1.layers[0]!.activation).toBeUndefined();
  });

  it('checks targets by the loss: mse any finite number, cce rows probability vectors summing to 1 within n_L 2^-52', () => {
    const mse = parseNetwork(net({ activation: 'linear' }, { loss: 'mse' }));
    expect(Array.from(parseBatch({ inputs: [[1]], targets: [[-7.5]] }, mse).T)).toEqual([-7.5]);
    expect(() => parseBatch({ inputs: [[1]], targets: [[null]] }, mse)).toThrow(expect.objectContaining({ code: 'E_VALUE' }));
    const cce = parseNetwork({ layers: [{ weights: [[0.5, 1, 2]], activation: 'softmax' }], loss: 'cce' });
    expect(parseBatch({ inputs: [[1]], targets: [[0.25, 0.25, 0.5]] }, cce).size).toBe(1);
    expect(parseBatch({ inputs: [[1]], targets: [[0.1, 0.2, 0.7]] }, cce).size).toBe(1); // sums to 1 within rounding
    expect(parseBatch({ inputs: [[1]], targets: [[1 - 2 ** -52, 0, 0]] }, cce).size).toBe(1);
    expect(() => parseBatch({ inputs: [[1], [2]], targets: [[1, 0, 0], [0.5, 0.4, 0]] }, cce)).toThrow('batch.targets[1] sums to 0.9, a cce target row must be a probability vector summing to 1');
    expect(() => parseBatch({ inputs: [[1]], targets: [[1, 1e-10, 0]] }, cce)).toThrow(expect.objectContaining({ code: 'E_TARGET', path: 'batch.targets[0]' }));
    expect(() => parseBatch({ inputs: [[1]], targets: [[1.5, -0.5, 0]] }, cce)).toThrow(expect.objectContaining({ code: 'E_TARGET', path: 'batch.targets[0][0]' }));
    // bce keeps [0, 1]
    expect(() => parseBatch({ inputs: [[1]], targets: [[2]] }, parseNetwork(net({})))).toThrow(expect.objectContaining({ code: 'E_TARGET' }));
  });

  it('names an unknown activation or loss as such', () => {
    expect(() => parseNetwork(net({ activation: 'swish' }))).toThrow('network.layers[0].activation is "swish", expected one of "sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"');
    expect(() => parseNetwork(net({ activation: 3 }))).toThrow(expect.objectContaining({ code: 'E_ACTIVATION', path: 'network.layers[0].activation' }));
    expect(() => parseNetwork(net({}, { loss: 'hinge' }))).toThrow(expect.objectContaining({ code: 'E_LOSS', path: 'network.loss' }));
  });

  it('checks the version-2 pair rules, naming the field', () => {
    const two = (first: Record<string, unknown>, second: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ layers: [{ weights: [[0.5]], ...first }, { weights: [[0.5]], ...second }], ...extra });
    expect(() => parseNetwork(two({ activation: 'softmax' }, { activation: 'softmax' }, { loss: 'cce' }))).toThrow('network.layers[0].activation is "softmax" on layer 0 of 2: softmax may only be the last layer\'s activation');
    expect(() => parseNetwork(net({ activation: 'sigmoid' }, { loss: 'cce' }))).toThrow('network.loss is "cce" but the last layer\'s activation is "sigmoid": cce needs a softmax output');
    expect(() => parseNetwork(net({ activation: 'tanh' }))).toThrow('network.loss is "bce" but the last layer\'s activation is "tanh": bce needs a sigmoid output');
    expect(() => parseNetwork(net({ activation: 'softmax' }, { loss: 'mse' }))).toThrow('mse needs any output activation but softmax');
    expect(() => parseNetwork(net({ activation: 'leaky_relu', alpha: 1 }, { loss: 'mse' }))).toThrow('network.layers[0].alpha is 1, expected a number with 0 <= alpha < 1');
    expect(() => parseNetwork(net({ activation: 'relu', alpha: 0.1 }, { loss: 'mse' }))).toThrow('network.layers[0].alpha is given for a relu layer: alpha belongs to leaky_relu only');
    // well-formed version-2 networks are accepted
    expect(parseNetwork(two({ activation: 'tanh' }, { activation: 'sigmoid' })).layers).toHaveLength(2);
    expect(parseNetwork(two({ activation: 'relu' }, { activation: 'softmax' }, { loss: 'cce' })).loss).toBe('cce');
  });
});
