import { describe, expect, it } from 'vitest';
import { judge, type Judgement, type Precision } from '../../src/compare/judge.js';
import { parseCase } from '../../src/network/index.js';
import type { Case, CaseJson } from '../../src/network/types.js';
import { referenceGradients } from '../../src/reference/index.js';
import { createContext, oracle } from '../helpers/oracle.js';

/**
 * cce on saturated softmax rows (issue 12): the stable loss's bound is relative to the row's term
 * (the gradient g_k = Z_k sum(t) - t_k, formed as Z_k s_k - t_k Zc_k without cancellation, not
 * bounded by s Z_k + t_k): a loss of 0 where the truth is 2.6e-18 is not correct; the float64
 * reference stays within its bound; the textbook names lnSoftmax (-ln of a rounded Z = 1) and
 * lseMinusS (lse rounded at a large logit before S_t is taken off) explain exactly what those
 * computations give, end to end through judge(), and a slip of 1e-10 of the loss is wrong.
 */

const ctx = createContext(50);

/** One softmax layer over the input 1: logits offset + gap, offset (+ a third at offset - gap / 2 when `three`), targets t. */
function row(offset: number, gap: number, t: number[], three = false): Case {
  const weights = three ? [[offset + gap, offset, offset - gap / 2]] : [[offset + gap, offset]];
  return parseCase({ network: { layers: [{ weights, activation: 'softmax' }], loss: 'cce' }, batch: { inputs: [[1]], targets: [t] } } as CaseJson);
}

function judgedLoss(c: Case, loss: number, precision: Precision = 'float64'): Judgement {
  const ref = referenceGradients(c.network, c.batch);
  return judge(c.network, c.batch, { loss, layers: ref.layers }, oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false }), precision)[0]!;
}

describe('the loss of a saturated row: a bound relative to its term', () => {
  const ratios: string[] = [];
  for (const gap of [20, 30, 40, 60]) {
    for (const [name, t] of [['one-hot', [1, 0]], ['soft', [0.75, 0.25]]] as const) {
      it(`gap ${gap}, ${name}: the reference within a bound of the order of the term's rounding; a 1e-10 slip and 0 are not correct`, () => {
        const c = row(0, gap, [...t]);
        const ref = referenceGradients(c.network, c.batch);
        const j = judgedLoss(c, ref.loss);
        expect(j.outcome).toBe('correct');
        const truth = Math.abs(Number(j.exact));
        ratios.push(`gap ${gap} ${name}: truth ${truth.toExponential(2)}, allowance ${j.stableBound.toExponential(2)}, allowance / truth ${(j.stableBound / truth).toExponential(2)}`);
        // the allowance is a few hundred roundings of the term at most (the stable form has no cancellation)
        expect(j.stableBound / truth).toBeLessThan(1e-12);
        // beyond the stable bound: not correct (a one-hot row's -ln Z_t of a rounded Z really spreads that far: lnSoftmax)
        expect(judgedLoss(c, ref.loss * (1 + 1e-10)).withinBound).toBe(false);
        expect(judgedLoss(c, ref.loss * (1 + 1e-10)).outcome).not.toBe('correct');
        expect(judgedLoss(c, 0).outcome).not.toBe('correct');
      });
    }
  }
  it('prints the tightness', () => {
    console.log(`cce loss on saturated rows:\n  ${ratios.join('\n  ')}`);
  });
});

describe('lnSoftmax and lseMinusS, end to end', () => {
  it('lnSoftmax: -ln Z_t of a Z rounded to 1 (gap 40, one-hot on the largest logit) gives 0: inaccurate, named', () => {
    const c = row(0, 40, [1, 0]);
    const j = judgedLoss(c, 0);
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).toBe('lnSoftmax');
  });
  it('lnSoftmax: the float32 loss from a float32-rounded Z (gap 12: Z_t = 1 - 6e-6, one ulp of float32 is 6e-8)', () => {
    const c = row(0, 12, [1, 0]);
    const Z = Math.fround(1 / (1 + Math.fround(Math.exp(-12))));
    const loss = Math.fround(-Math.fround(Math.log(Z)));
    const j = judgedLoss(c, loss, 'float32');
    expect(j.withinBound).toBe(false);
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).toBe('lnSoftmax');
  });
  it('lseMinusS: lse rounded at m = 2^20 + 30 before S_t is taken off gives 0 where the truth is 9.4e-14; lnSoftmax does not (its Z keeps 3 digits)', () => {
    const m = 2 ** 20 + 30;
    const c = row(2 ** 20, 30, [1, 0]);
    const S = new Float64Array([m, 2 ** 20]);
    const sum = 1 + Math.exp(-30);
    const lse = m + Math.log(sum);
    expect(lse - S[0]!).toBe(0);
    const j = judgedLoss(c, lse - S[0]!);
    expect(j.withinBound).toBe(false);
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).toBe('lseMinusS');
    // -ln Z_t from the rounded Z: 9.4e-14 to 3 digits, inaccurate as lnSoftmax; a value far from both is wrong
    const lnZ = -Math.log(1 / sum);
    const k = judgedLoss(c, lnZ);
    expect(k.outcome === 'correct' || k.cancellation === 'lnSoftmax').toBe(true);
    // beyond what lseMinusS's grid of ulp(m) = 2.3e-10 and its roundings give: wrong
    expect(judgedLoss(c, 2e-9).outcome).toBe('wrong');
  });
  it('three logits, soft targets on a saturated row: 0 is not correct, the reference is', () => {
    const c = row(0, 40, [0.5, 0.5, 0], true);
    const ref = referenceGradients(c.network, c.batch);
    expect(judgedLoss(c, ref.loss).outcome).toBe('correct');
    expect(judgedLoss(c, ref.loss * (1 + 1e-10)).outcome).toBe('wrong');
  });
});
