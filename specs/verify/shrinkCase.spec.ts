import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArbitrary } from '../../src/generate/index.js';
import { parseCase } from '../../src/network/index.js';
import type { Case } from '../../src/network/types.js';
import { caseSizeText, shrinkCase, significantDigits } from '../../src/verify/shrinkCase.js';

/** The shrinker of stored cases: what it ends with still fails, it ends, and it keeps to the implementation's domain. */

const numbers = (c: Case): number[] => [...c.network.layers.flatMap((l) => [...l.W, ...(l.b ?? [])]), ...c.batch.X, ...c.batch.T];

/** A case is well formed: the shapes chain, the arrays have their sizes, targets in [0, 1]. */
function wellFormed(c: Case): boolean {
  const { layers } = c.network;
  if (layers.length === 0 || layers[0]!.nIn !== c.batch.nIn || layers.at(-1)!.nOut !== c.batch.nOut) return false;
  for (let l = 0; l < layers.length; l++) {
    const ly = layers[l]!;
    if (ly.W.length !== ly.nIn * ly.nOut || (ly.b && ly.b.length !== ly.nOut) || (l > 0 && layers[l - 1]!.nOut !== ly.nIn)) return false;
  }
  return c.batch.X.length === c.batch.size * c.batch.nIn && c.batch.T.length === c.batch.size * c.batch.nOut && [...c.batch.T].every((t) => t >= 0 && t <= 1);
}

/** Failure conditions a bug might have: each holds on some cases and not on others. */
const conditions: [string, (c: Case) => boolean][] = [
  ['a weight above 0.5', (c) => c.network.layers.some((l) => l.W.some((w) => w > 0.5))],
  ['two samples', (c) => c.batch.size >= 2],
  ['a hidden layer with a bias', (c) => c.network.layers.length >= 2 && c.network.layers[0]!.b !== null],
  ['a target strictly between 0 and 1', (c) => [...c.batch.T].some((t) => t > 0 && t < 1)],
  ['a negative input', (c) => c.batch.X.some((x) => x < 0)],
];

describe('shrinkCase', () => {
  for (const [name, fails] of conditions) {
    it(`sound and small: a case failing by "${name}" shrinks to a well-formed case that still fails`, async () => {
      await fc.assert(
        fc.asyncProperty(caseArbitrary({ maxLayers: 4 }), async (start) => {
          fc.pre(fails(start));
          const shrunk = await shrinkCase(start, async (c) => fails(c));
          expect(wellFormed(shrunk.case)).toBe(true);
          expect(fails(shrunk.case)).toBe(true);
          expect(shrunk.stopped).toBe(false);
          expect(shrunk.case.network.layers.length).toBeLessThanOrEqual(2);
          expect(shrunk.case.batch.size).toBeLessThanOrEqual(2);
          // every number as simple as the condition allows: at most 2 significant digits
          for (const x of numbers(shrunk.case)) expect(significantDigits(x)).toBeLessThanOrEqual(2);
        }),
        { seed: 42, numRuns: 40 },
      );
    });
  }

  it('a full-size case failing everywhere shrinks to 1 layer 1-1, batch 1, all zeros', async () => {
    const start = parseCase({
      network: { layers: [{ weights: [[0.123456789, -2.5, 3e-300], [7, 8, 9]], bias: [1, 2, 3] }, { weights: [[1.5], [-0.25], [1e10]], bias: [0.3] }], reduction: 'mean' },
      batch: { inputs: [[1, 2], [3, -4]], targets: [[0.3], [1]] },
    });
    const shrunk = await shrinkCase(start, async () => true);
    expect(caseSizeText(shrunk.case)).toBe('1 layer 1-1, batch 1');
    expect(numbers(shrunk.case).every((x) => x === 0)).toBe(true);
    expect(shrunk.case.network.reduction).toBe('sum');
    expect(shrunk.case.network.layers[0]!.b).toBeNull();
  });

  it('keeps to the implementation: mean stays mean when it takes no sum, float32 numbers stay float32', async () => {
    const f = Math.fround;
    const start = parseCase({ network: { layers: [{ weights: [[f(0.1), f(0.7)]], bias: null }], reduction: 'mean' }, batch: { inputs: [[f(0.3)]], targets: [[f(0.2), f(0.9)]] } });
    const seen: Case[] = [];
    const shrunk = await shrinkCase(start, async (c) => { seen.push(c); return c.batch.T.some((t) => t > 0.5); }, { reductions: ['mean'], float32: true });
    expect(shrunk.case.network.reduction).toBe('mean');
    for (const c of seen) for (const x of numbers(c)) expect(Math.fround(x)).toBe(x);
    expect([...shrunk.case.batch.T]).toEqual([1]);
  });

  it('stops when told, with the smallest case so far, and within its step limit', async () => {
    const start = parseCase({ network: { layers: [{ weights: [[1, 2], [3, 4]], bias: [5, 6] }] }, batch: { inputs: [[1, 2], [3, 4]], targets: [[1, 0], [0, 1]] } });
    let asked = 0;
    const stopped = await shrinkCase(start, async () => (++asked > 3 ? 'stop' : true));
    expect(stopped.stopped).toBe(true);
    expect(stopped.steps).toBe(4);
    expect(stopped.accepted).toBe(3);
    const limited = await shrinkCase(start, async () => false, { maxSteps: 5 });
    expect(limited).toMatchObject({ stopped: true, steps: 5, accepted: 0, case: start });
  });
});
