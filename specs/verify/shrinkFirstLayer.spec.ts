import { describe, expect, it } from 'vitest';
import { judge } from '../../src/compare/judge.js';
import { loadModule } from '../../src/iut/index.js';
import { batchToJson, networkToJson } from '../../src/network/json.js';
import { parseCase, parseGradients } from '../../src/network/index.js';
import type { Case } from '../../src/network/types.js';
import { shrinkCase } from '../../src/verify/shrinkCase.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * Dropping the first layer with its outputs as the new inputs: the layers above see what they saw,
 * so a bug in them still shows. v2-buggy-tanh-slope.mjs's failure was left at 3 layers (a sigmoid
 * layer with weight 0 feeding the tanh one), because dropping the first layer with its inputs cut
 * to 0 changed what the tanh layer saw (bench/family.mjs: counterexample of 3 layers).
 */
const ctx = createContext(50);

describe('the case shrinker drops a first layer, keeping what the layers above see', () => {
  it('the tanh-slope bug found on sigmoid -> tanh -> sigmoid shrinks to tanh -> sigmoid', async () => {
    const iut = await loadModule('fixtures/implementations/v2-buggy-tanh-slope.mjs');
    const fails = async (c: Case): Promise<boolean> => {
      const result = parseGradients(await iut.gradients(networkToJson(c.network), batchToJson(c.batch)), c.network, 'result', c.batch.size);
      return judge(c.network, c.batch, result, oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false }), 'float64').some((j) => j.outcome === 'wrong');
    };
    const start = parseCase({
      network: { layers: [{ weights: [[0]], bias: null }, { weights: [[0.01]], bias: null, activation: 'tanh' }, { weights: [[0.01]], bias: null }] },
      batch: { inputs: [[0]], targets: [[0]] },
    });
    expect(await fails(start)).toBe(true);
    const shrunk = await shrinkCase(start, fails);
    expect(shrunk.case.network.layers).toHaveLength(2);
    expect(shrunk.case.network.layers[0]!.activation).toBe('tanh');
    await iut.close?.();
  });
});
