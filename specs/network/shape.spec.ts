import { describe, it, expect } from 'vitest';
import { layerAt, outputLayer, parameterCount, parseBatch, parseNetwork, reductionDivisor, widths } from '../../src/network/index.js';

const network = parseNetwork({
  layers: [{ weights: [[1, 2, 3], [4, 5, 6]], bias: [0, 0, 0] }, { weights: [[1], [2], [3]] }],
  reduction: 'mean',
});
const batch = parseBatch({ inputs: [[1, 2], [3, 4]], targets: [[0], [1]] }, network);

describe('shape helpers', () => {
  it('lists the widths n_0 ... n_L', () => {
    expect(widths(network)).toEqual([2, 3, 1]);
    expect(widths({ layers: [], reduction: 'sum' })).toEqual([0]);
  });

  it('counts weights and biases', () => {
    expect(parameterCount(network)).toBe(2 * 3 + 3 + 3 * 1);
  });

  it('finds layers and throws on a programming error', () => {
    expect(outputLayer(network)).toBe(network.layers[1]);
    expect(layerAt(network, 0)).toBe(network.layers[0]);
    expect(() => layerAt(network, 2)).toThrow('no layer 2 in a network of 2');
    expect(() => outputLayer({ layers: [], reduction: 'sum' })).toThrow('at least one layer');
  });

  it('divides by B n_L for "mean" and by 1 for "sum"', () => {
    expect(reductionDivisor(network, batch)).toBe(2);
    expect(reductionDivisor({ ...network, reduction: 'sum' }, batch)).toBe(1);
  });
});
