import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCase } from '../../src/network/index.js';
import { createContext, decimalDigits, oracle, runGoldenCheck, type Decimal } from '../helpers/oracle.js';
import { checkReference } from '../../src/compare/index.js';

/**
 * Spec 6: golden fixtures. fixtures/golden/values.json holds the oracle's loss, gradients, their
 * magnitudes and finite differences for the hand-made networks of cases.json, as 60-digit decimal
 * strings; the oracle recomputes them here, and an independent Python program (standard-library
 * decimal, textbook formulas at the digits each case needs) recomputes them too. Generated cases
 * of every class go through the same Python program in goldenGenerated.spec.ts.
 */

interface GoldenLayer { weights: string[][]; bias: string[] | null }
interface GoldenCase { name: string; loss: string; gradients: GoldenLayer[]; magnitudes: GoldenLayer[]; finiteDifferences: GoldenLayer[]; outputs: string[] }
const root = new URL('../../fixtures/golden/', import.meta.url);
const golden = JSON.parse(readFileSync(new URL('values.json', root), 'utf8')) as { precision: number; cases: GoldenCase[] };
const cases = JSON.parse(readFileSync(new URL('cases.json', root), 'utf8')) as { name: string; case: unknown }[];
const ctx = createContext(golden.precision);
const MIN_DIGITS = golden.precision - 5;

function flatten(layers: GoldenLayer[], D: typeof ctx.D): (Decimal[] | null)[][] {
  return layers.map((g) => [g.weights.flat().map((x) => new D(x)), g.bias ? g.bias.map((x) => new D(x)) : null]);
}

describe('golden fixtures', () => {
  it('holds every hand-made case of cases.json', () => {
    expect(golden.cases.map((c) => c.name)).toEqual(cases.map((c) => c.name));
    expect(golden.precision).toBeGreaterThanOrEqual(50);
  });

  for (const g of golden.cases) {
    it(`the oracle reproduces "${g.name}": loss, gradients and finite differences to ${MIN_DIGITS} digits`, () => {
      const json = cases.find((c) => c.name === g.name)!.case;
      const { network, batch } = parseCase(json, g.name);
      const o = oracle(network, batch, { precision: ctx });
      expect(decimalDigits(o.forward.loss, new ctx.D(g.loss), new ctx.D(g.loss))).toBeGreaterThanOrEqual(MIN_DIGITS);
      const want = flatten(g.gradients, ctx.D);
      const wantFd = flatten(g.finiteDifferences, ctx.D);
      const scale = flatten(g.magnitudes, ctx.D);
      o.backward.layers.forEach((layer, l) => {
        [layer.W, layer.b].forEach((values, part) => {
          (values ?? []).forEach((v, k) => {
            const m = scale[l]![part]![k]!;
            expect(decimalDigits(v, want[l]![part]![k]!, m)).toBeGreaterThanOrEqual(MIN_DIGITS);
            expect(decimalDigits(o.fd!.layers[l]![part === 0 ? 'W' : 'b']![k]!, wantFd[l]![part]![k]!, m)).toBeGreaterThanOrEqual(MIN_DIGITS);
            // the finite differences and backpropagation agree on the golden cases too
            expect(decimalDigits(want[l]![part]![k]!, wantFd[l]![part]![k]!, m)).toBeGreaterThanOrEqual(40);
          });
        });
      });
      // and the float64 reference lies within its bound of them
      expect(checkReference(network, batch, o).violations).toEqual([]);
    });
  }

  // never skipped: without python3 this fails with a message saying so (runGoldenCheck)
  it('an independent Python/libmpdec computation with textbook formulas agrees with every golden value', () => {
    const run = runGoldenCheck();
    expect(run.stdout).toContain(`${golden.cases.length} passed, 0 failed`);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
