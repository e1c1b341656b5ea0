import { describe, expect, it } from 'vitest';
import { forwardBound } from '../../src/compare/bound.js';
import { judge } from '../../src/compare/judge.js';
import { ETA64, U64 } from '../../src/compare/rounding.js';
import { parseCase } from '../../src/network/index.js';
import { forward, referenceGradients } from '../../src/reference/index.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * A rectifier whose S is 0 in float64 only because an uncertainty below it underflowed: the first
 * layer's S = X W = 1e-578 flushes to 0 (its bound is eta), and 0.01 eta, the second layer's
 * propagated bound, rounds to 0 again. That S is not an exact kink: its true value 1e-580 lies on
 * the right piece while the float64 reference lands on the kink and takes the left piece, and a
 * correct implementation may do either (found by `verify --runs 1000 --max-layers 3` on the
 * built-in reference: INACCURATE, 0 where the truth is 5e-294).
 */
const ctx = createContext(50);
const c = parseCase({
  network: {
    layers: [
      { weights: [[1e-289]], bias: null, activation: 'tanh' },
      { weights: [[0.01]], bias: null, activation: 'relu' },
      { weights: [[0.01]], bias: null },
    ],
  },
  batch: { inputs: [[1e-289]], targets: [[0]] },
});

describe('an uncertainty that underflows in the bound is still an uncertainty', () => {
  it('the relu unit above an underflowed S has eS > 0 (not an exact kink)', () => {
    const pass = forward(c.network, c.batch);
    expect(pass.S[1]![0]).toBe(0);
    const fb = forwardBound(c.network, c.batch, pass, { u: U64, eta: ETA64, minNormal: 2 ** -1022 });
    expect(fb.eS[0]![0]).toBeGreaterThan(0);
    expect(fb.eS[1]![0]).toBeGreaterThan(0);
  });

  it('the reference (left piece at its computed 0) and the right piece are both correct, and noted near a kink', () => {
    const exact = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
    const ref = referenceGradients(c.network, c.batch);
    expect(ref.layers[0]!.W[0]).toBe(0);
    const js = judge(c.network, c.batch, ref, exact, 'float64');
    const w = js.find((j) => j.where.kind === 'weight' && j.where.layer === 0)!;
    expect(w.outcome).toBe('correct');
    expect(w.nearKink).not.toBeNull();
    // the right piece's value, 5e-294, is correct too
    const right = { ...ref, layers: ref.layers.map((g, l) => (l === 0 ? { W: Float64Array.of(5e-294), b: null } : g)) };
    expect(judge(c.network, c.batch, right, exact, 'float64').find((j) => j.where.kind === 'weight' && j.where.layer === 0)!.outcome).toBe('correct');
    // and a value of neither piece is wrong
    const other = { ...ref, layers: ref.layers.map((g, l) => (l === 0 ? { W: Float64Array.of(1e-290), b: null } : g)) };
    expect(judge(c.network, c.batch, other, exact, 'float64').find((j) => j.where.kind === 'weight' && j.where.layer === 0)!.outcome).toBe('wrong');
  });
});
