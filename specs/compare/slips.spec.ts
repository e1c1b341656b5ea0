import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { judge, type Judgement, type Precision } from '../../src/compare/judge.js';
import { caseArbitrary, type GeneratedCase } from '../../src/generate/index.js';
import type { ActivationName, Gradients, LossName } from '../../src/network/types.js';
import { referenceGradients } from '../../src/reference/index.js';
import { formatLocation } from '../../src/types.js';
import { float32Reference } from '../helpers/familyBound.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * A slip is wrong, not explained by a textbook computation that does not give it (issue 12): on
 * typical generated cases of every version-2 family (src/generate's own generators, `typical`
 * class), the float64 reference answer with one entry scaled by 1 + 1e-10 (float32: a float32
 * reference, 1 + 1e-4) is wrong: the least cancelled weight gradient, the loss and (float32) the
 * least cancelled output. A named computation accepts only what it gives on the case within its own
 * rounding (the few numbers of the precision a rounded Z can be, not the hull between them), so a
 * slip beyond twice the stable allowance is wrong unless it lands on such a value, apart from the
 * exact one (then it is what that computation gives: counted). Slips within twice the allowance,
 * where a textbook form that does not cancel is allowed about as much as the stable one, are
 * counted, not asserted.
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 16);
const ctx = createContext(50);

interface Family {
  readonly name: string;
  readonly activations: readonly ActivationName[];
  readonly losses: readonly LossName[];
  /** Keep only the cases whose output is this activation (mse), or that hold this hidden activation. */
  readonly output?: ActivationName;
  readonly hidden?: ActivationName;
}
const FAMILIES: Family[] = [
  ...(['tanh', 'relu', 'leaky_relu', 'linear', 'sigmoid'] as const).map((h): Family => ({ name: `hidden ${h} | sigmoid+bce`, activations: [h, 'sigmoid'], losses: ['bce'], hidden: h })),
  { name: 'softmax+cce', activations: ['tanh', 'relu', 'leaky_relu', 'softmax'], losses: ['cce'] },
  ...(['sigmoid', 'tanh', 'relu', 'linear'] as const).map((o): Family => ({ name: `mse+${o}`, activations: ['tanh', 'relu', 'leaky_relu', 'linear', 'sigmoid'], losses: ['mse'], output: o })),
];

function cases(family: Family, float32: boolean): fc.Arbitrary<GeneratedCase> {
  return caseArbitrary({ activations: family.activations, losses: family.losses, classes: ['typical'], maxLayers: 4, maxWidth: 5, maxBatch: 3, float32 }).filter((c) => {
    const acts = c.network.layers.map((l) => l.activation ?? 'sigmoid');
    if (family.output) return acts[acts.length - 1] === family.output;
    if (family.hidden) return acts.slice(0, -1).includes(family.hidden);
    return true;
  });
}

type Answer = Gradients & { outputs?: Float64Array };
/** The answer with flat entry k (0 the loss, the gradients, then the outputs) times `factor`. */
function slipped(a: Answer, k: number, factor: number): Answer {
  const flat = [a.loss, ...a.layers.flatMap((g) => [...g.W, ...(g.b ?? [])]), ...(a.outputs ?? [])];
  flat[k] = flat[k]! * factor;
  let at = 1;
  const layers = a.layers.map((g) => {
    const W = Float64Array.from(flat.slice(at, at + g.W.length));
    at += g.W.length;
    let b: Float64Array | null = null;
    if (g.b) {
      b = Float64Array.from(flat.slice(at, at + g.b.length));
      at += g.b.length;
    }
    return { W, b };
  });
  return { loss: flat[0]!, layers, ...(a.outputs ? { outputs: Float64Array.from(flat.slice(at)) } : {}) };
}

/** The least cancelled entry of a kind (largest |value| / scale), or -1. */
function leastCancelled(js: readonly Judgement[], kind: Judgement['where']['kind']): number {
  let best = -1;
  js.forEach((j, k) => {
    if (j.where.kind === kind && j.scale > 0 && (best < 0 || Math.abs(j.value) / j.scale > Math.abs(js[best]!.value) / js[best]!.scale)) best = k;
  });
  return best;
}

const tally = new Map<string, { tried: number; wrong: number; borderline: number; landed: number; within: number; names: string[] }>();
afterAll(() => {
  const rows = [...tally.entries()].map(([k, t]) => `  ${k.padEnd(40)} ${t.wrong}/${t.tried} slips wrong; ${t.borderline} within 2x the allowance, ${t.landed} on a textbook value, ${t.within} not beyond the stable bound ${t.names.length ? `(${[...new Set(t.names)].join(', ')})` : ''}`);
  console.log(`slips of typical cases (least cancelled weight, loss, output):\n${rows.join('\n')}`);
});

describe('a slip in one entry of a typical case is wrong, every family, both precisions', () => {
  for (const family of FAMILIES) {
    for (const precision of ['float64', 'float32'] as const satisfies readonly Precision[]) {
      it(`${family.name}, ${precision}`, () => {
        const float32 = precision === 'float32';
        const factor = float32 ? 1 + 1e-4 : 1 + 1e-10;
        const t = { tried: 0, wrong: 0, borderline: 0, landed: 0, within: 0, names: [] as string[] };
        tally.set(`${family.name} ${precision}`, t);
        fc.assert(
          fc.property(cases(family, float32), (c) => {
            const answer: Answer = float32 ? float32Reference(c.network, c.batch) : referenceGradients(c.network, c.batch);
            const exact = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
            const clean = judge(c.network, c.batch, answer, exact, precision);
            expect(clean.every((j) => j.outcome === 'correct')).toBe(true);
            for (const k of [leastCancelled(clean, 'weight'), 0, leastCancelled(clean, 'output')]) {
              if (k < 0) continue;
              const j0 = clean[k]!;
              if (!(j0.scale > 0 && Math.abs(j0.value) / j0.scale > 1e-3 && Math.abs(j0.value) > 1e-200)) continue;
              const j = judge(c.network, c.batch, slipped(answer, k, factor), exact, precision)[k]!;
              if (j.withinBound) {
                t.within++;
                continue;
              }
              t.tried++;
              if (j.outcome === 'wrong') {
                t.wrong++;
                continue;
              }
              expect(j.outcome).toBe('inaccurate');
              t.names.push(`${formatLocation(j.where).split(',')[0]} ${j.cancellation}`);
              // a value the computation gives, apart from the exact one (its ball excludes the truth)
              const apart = Math.abs(j.textbookValue! - Number(j.exact)) > j.textbookBound!;
              if (j.error <= 2 * j.stableBound) t.borderline++;
              else {
                expect(apart, `${c.network.layers.map((l) => l.activation ?? 'sigmoid').join(',')}: ${formatLocation(j.where)} explained as ${j.cancellation} (error ${j.error.toExponential(3)}, allowed ${j.stableBound.toExponential(3)}, textbook ${j.textbookValue} within ${j.textbookBound})`).toBe(true);
                t.landed++;
              }
            }
          }),
          { seed: 1260 + FAMILIES.indexOf(family) * 2 + (float32 ? 1 : 0), numRuns: RUNS },
        );
        expect(t.tried).toBeGreaterThan(0);
      });
    }
  }
});
