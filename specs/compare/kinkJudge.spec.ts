import { describe, expect, it } from 'vitest';
import { errorBoundWithKinks } from '../../src/compare/bound.js';
import { formatKinkNote, judge, STABLE_SLACK, type Judgement } from '../../src/compare/judge.js';
import { arithmeticOf } from '../../src/compare/textbook.js';
import { parseCase } from '../../src/network/index.js';
import type { Case, CaseJson } from '../../src/network/types.js';
import { forward, loss, referenceGradients } from '../../src/reference/index.js';
import { FLOAT64_ROUND, float32Reference, roundedReference } from '../helpers/familyBound.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * Kinks and saturation in the verdicts (issue 12): a pre-activation within its rounding bound of a
 * rectifier's kink (|S| <= eS, eS > 0) may be taken on either side by a correct implementation (a
 * float32 one rounds S across 0): either piece's slope is correct there, and the judgement says
 * "near a kink"; at an exact kink (S = 0 with eS = 0) only the declared side is. A saturated tanh's
 * stable slope 1 - Z^2, formed without cancellation, is correct and its bound tight.
 */

const ctx = createContext(50);

/** relu (or leaky_relu) hidden unit S = b + x0 w0 + x1 w1 feeding a linear mse output through weight 1.5. */
function kinkCase(b: number, w: [number, number], activation: 'relu' | 'leaky_relu' = 'relu'): Case {
  const json: CaseJson = {
    network: {
      layers: [
        { weights: [[w[0]], [w[1]]], bias: [b], activation, ...(activation === 'leaky_relu' ? { alpha: 0.25 } : {}) },
        { weights: [[1.5]], bias: [0.25], activation: 'linear' },
      ],
      loss: 'mse',
    },
    batch: { inputs: [[1, 1]], targets: [[-0.75]] },
  };
  return parseCase(json);
}

function judged(c: Case, answer: Parameters<typeof judge>[2], precision: 'float64' | 'float32', kink: 'left' | 'right' = 'left'): Judgement[] {
  return judge(c.network, c.batch, answer, oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false, kink }), precision, kink);
}

const firstLayerWeights = (js: Judgement[]): Judgement[] => js.filter((j) => j.where.kind === 'weight' && j.where.layer === 0);
/** The gradients of the first layer (weights and bias): those that depend on its unit's slope. */
const firstLayer = (js: Judgement[]): Judgement[] => js.filter((j) => (j.where.kind === 'weight' || j.where.kind === 'bias') && j.where.layer === 0);

describe('near a kink: S rounded across 0, |S| <= eS', () => {
  for (const [precision, tiny, answerOf] of [
    ['float64', 2 ** -60, (c: Case, kink: 'left' | 'right') => roundedReference(c.network, c.batch, { round: FLOAT64_ROUND, kink })],
    ['float32', 2 ** -30, (c: Case, kink: 'left' | 'right') => float32Reference(c.network, c.batch, kink)],
  ] as const) {
    it(`${precision}: S = ${tiny} exactly, computed as (b + 1) - 1 = 0: the slope of either piece is correct, and the judgement says near a kink`, () => {
      const c = kinkCase(tiny, [1, -1]);
      // the computed S is 0 in the precision (b + 1 rounds to 1), the exact one 2^-k > 0: the exact slope is 1
      const pass = forward(c.network, c.batch);
      if (precision === 'float64') expect(pass.S[0]![0]).toBe(0);
      else expect(Math.fround(Math.fround(tiny + 1) - 1)).toBe(0);
      const kinked = errorBoundWithKinks(c.network, c.batch, pass, loss(c.network, c.batch, pass), arithmeticOf(precision));
      expect(kinked.crossings).toHaveLength(1);
      expect(kinked.crossings[0]!.eS).toBeGreaterThan(tiny);
      for (const kink of ['left', 'right'] as const) {
        // the answer with the left piece's slope at the computed S = 0 (0: gradients of layer 1 are 0) and with the right one's (1: the exact piece)
        const answer = answerOf(c, kink);
        const js = judged(c, answer, precision);
        for (const j of js) expect(j.outcome, `${kink}: ${j.where.kind}`).toBe('correct');
        const first = firstLayer(js);
        expect(first.length).toBe(3);
        for (const j of first) {
          expect(j.nearKink, kink).not.toBeNull();
          expect(j.nearKink).toMatchObject({ layer: 0, sample: 0, unit: 0, S: pass.S[0]![0], units: 1 });
          // the left piece's 0 (the declared side's at the computed S = 0) is correct only through the crossing's allowance
          if (kink === 'left') {
            expect(j.nearKink!.decisive).toBe(true);
            expect(j.value).toBe(0);
          }
          expect(formatKinkNote(j.nearKink!)).toMatch(/^near a kink: layer 1, sample 0, unit 0 has S = \S+ within its rounding bound \S+ of 0, where either piece's slope is correct/);
        }
        // the loss, the output layer's gradients and the outputs do not depend on the slope
        for (const j of js.filter((x) => !first.includes(x))) expect(j.nearKink).toBeNull();
      }
    });
  }

  it('the allowance is what makes it correct: away from the kink (b = 0.5) the same slope-0 answer is wrong', () => {
    const c = kinkCase(0.5, [1, -1]);
    const ref = referenceGradients(c.network, c.batch);
    const zeroed = { ...ref, layers: [{ W: new Float64Array(2), b: new Float64Array(1) }, ref.layers[1]!] };
    const js = judged(c, zeroed, 'float64');
    for (const j of firstLayerWeights(js)) {
      expect(j.outcome).toBe('wrong');
      expect(j.nearKink).toBeNull();
    }
  });

  it('JSON of a judgement carries nearKink', () => {
    const c = kinkCase(2 ** -60, [1, -1]);
    const js = judged(c, referenceGradients(c.network, c.batch), 'float64');
    const data = JSON.parse(JSON.stringify(firstLayerWeights(js)[0]));
    expect(data.nearKink).toMatchObject({ layer: 0, unit: 0, decisive: true });
    expect(JSON.parse(JSON.stringify(js[0])).nearKink).toBeNull();
  });
});

describe('an exact kink: S = 0 with eS = 0 (zero weights and bias), only the declared side is correct', () => {
  // the declared side reaches the textbook emulation too (textbook.ts's stable parts and the mse
  // delta of a rectifier output): the other side's slope is wrong, never named a textbook computation
  const check = (c: Case, select: (js: Judgement[]) => Judgement[]): void => {
    for (const declared of ['left', 'right'] as const) {
      for (const taken of ['left', 'right'] as const) {
        for (const precision of ['float64', 'float32'] as const) {
          const answer = precision === 'float64' ? roundedReference(c.network, c.batch, { round: FLOAT64_ROUND, kink: taken }) : float32Reference(c.network, c.batch, taken);
          const chosen = select(judged(c, answer, precision, declared));
          expect(chosen.length).toBeGreaterThan(0);
          for (const j of chosen) {
            const label = `${precision} declared ${declared}, taken ${taken}: ${j.where.kind} ${j.cancellation ?? ''}`;
            if (declared === taken) expect(j.outcome, label).toBe('correct');
            else {
              expect(j.withinBound, label).toBe(false);
              expect(j.outcome, label).toBe('wrong');
            }
            expect(j.nearKink).toBeNull();
          }
        }
      }
    }
  };
  for (const activation of ['relu', 'leaky_relu'] as const) {
    it(`${activation} hidden: the declared side correct, the other wrong, nothing near a kink`, () => {
      const c = kinkCase(0, [0, 0], activation);
      const pass = forward(c.network, c.batch);
      const kinked = errorBoundWithKinks(c.network, c.batch, pass, loss(c.network, c.batch, pass), arithmeticOf('float64'));
      expect(kinked.crossings).toEqual([]);
      expect(kinked.uncrossed).toBeNull();
      check(c, firstLayer);
    });
    it(`${activation} output of mse (its delta 2 (Z - t) f'): the declared side correct, the other wrong`, () => {
      const c = parseCase({
        network: {
          layers: [
            { weights: [[0.5]], bias: [0.25], activation: 'tanh' },
            { weights: [[0]], bias: [0], activation, ...(activation === 'leaky_relu' ? { alpha: 0.25 } : {}) },
          ],
          loss: 'mse',
        },
        batch: { inputs: [[1]], targets: [[-0.75]] },
      } as CaseJson);
      // dE/dW and dE/db of the output layer take the output's slope at S = 0 (those of the first layer are 0 through W = 0)
      check(c, (js) => js.filter((j) => (j.where.kind === 'weight' || j.where.kind === 'bias') && j.where.layer === 1));
    });
  }
});

describe('tanh saturation, |S| from 20 to 400', () => {
  /** One tanh layer of units at S = x w (x = 1), a linear mse output. */
  function saturated(weights: number[]): Case {
    return parseCase({
      network: { layers: [{ weights: [weights], activation: 'tanh' }, { weights: weights.map(() => [0.5]), bias: [0.1], activation: 'linear' }], loss: 'mse' },
      batch: { inputs: [[1]], targets: [[0.3]] },
    });
  }
  const weights = [20, -37.5, 150, -300.25, 354, 400];

  it('the stable slope 1 - Z^2 (Zc formed directly) is correct and its bound tight; 1 - fl(Z^2) is not correct', () => {
    const c = saturated(weights);
    for (const precision of ['float64', 'float32'] as const) {
      const answer = precision === 'float64' ? referenceGradients(c.network, c.batch) : float32Reference(c.network, c.batch);
      const js = judged(c, answer, precision);
      for (const j of js) expect(j.outcome, `${precision} ${j.where.kind}`).toBe('correct');
      const first = firstLayerWeights(js);
      const ratios = first.map((j) => (j.error === 0 ? 0 : j.error / (j.stableBound / STABLE_SLACK)));
      const relative = first.map((j) => j.stableBound / STABLE_SLACK / j.scale);
      console.log(`${precision} saturated tanh, S = ${weights.join(', ')}: error / bound ${ratios.map((r) => r.toExponential(2)).join(', ')}; bound / |value| ${relative.map((r) => r.toExponential(2)).join(', ')}`);
      // tight: the bound is a few |S| u of the value, the inherent condition of sech^2 (relative change 2 |S| u per rounding of S)
      const u = precision === 'float64' ? 2 ** -53 : 2 ** -24;
      first.forEach((j, q) => {
        if (j.scale < (precision === 'float64' ? 1e-290 : 1e-35)) return; // sech^2(400) underflows: judged by the underflow unit
        expect(relative[q]!, `S = ${weights[q]}`).toBeLessThan(40 * Math.abs(weights[q]!) * u);
      });
      // the textbook slope 1 - fl(Z Z) is 0 in saturation: the gradient of each saturated unit 0, beyond the stable bound
      const cancelled = { ...answer, layers: [{ W: new Float64Array(weights.length), b: null }, answer.layers[1]!] };
      for (const j of firstLayerWeights(judged(c, cancelled, precision))) if (j.scale > (precision === 'float64' ? 1e-290 : 1e-35)) expect(j.withinBound, `${precision} S = ${j.where.kind === 'weight' ? weights[j.where.i] : ''}`).toBe(false);
    }
  });
});
