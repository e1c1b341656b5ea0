import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BoundError, judge, worstOutcome, type Judgement, type Precision } from '../../src/compare/judge.js';
import { arithmeticOf, TEXTBOOK_COMPUTATIONS, textbookValues } from '../../src/compare/textbook.js';
import { caseArbitrary, mixedSaturationArbitrary } from '../../src/generate/index.js';
import { loadModule, type Iut } from '../../src/iut/index.js';
import { parseCase } from '../../src/network/index.js';
import type { Case } from '../../src/network/types.js';
import { oracle } from '../../src/oracle/index.js';
import { referenceGradients } from '../../src/reference/index.js';
import { forward } from '../../src/reference/forward.js';
import { verifyGenerated } from '../../src/verify/engine.js';
import { evaluateCase } from '../../src/verify/evaluate.js';
import { verifyCases } from '../../src/verify/cases.js';
import { formatFailure } from '../../src/report/text.js';
import { createContext } from '../../src/oracle/context.js';

/**
 * The inaccurate tier is bounded and explained by a real computation (issue 10, part 1): a value
 * beyond the stable bound is inaccurate only when a named textbook computation, emulated on the
 * case in the declared precision, gives it; every allowance is finite.
 */

function one(S: number, t: number): Case {
  return parseCase({ network: { layers: [{ weights: [[S]] }] }, batch: { inputs: [[1]], targets: [[t]] } });
}

function judgeLoss(c: Case, loss: number, precision: Precision = 'float64'): Judgement {
  const ref = referenceGradients(c.network, c.batch);
  const exact = oracle(c.network, c.batch, { finiteDifferences: false });
  return judge(c.network, c.batch, { ...ref, loss }, exact, precision)[0]!;
}

describe('the loss of a saturated output', () => {
  it('counted twice (80 where the truth is 40) is wrong: no textbook computation gives it', () => {
    const j = judgeLoss(one(40, 0), 80);
    expect(j.outcome).toBe('wrong');
    expect(j.reason).toBe('beyond-bounds');
    expect(j.textbookBound).not.toBeNull();
    expect(Number.isFinite(j.textbookBound!)).toBe(true);
  });

  it("PyTorch's clamp of ln at -100 gives 100 there: inaccurate, named logClamp", () => {
    const j = judgeLoss(one(40, 0), 100);
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).toBe('logClamp');
    expect(j.textbookValue).toBe(100);
    expect(j.textbookBound!).toBeLessThan(1e-10);
  });

  it("TensorFlow's clip of Z to 1 - 1e-7 gives -ln(1 - (1 - 1e-7)) = 16.118...: inaccurate, named logClip", () => {
    const j = judgeLoss(one(40, 0), -Math.log(1 - (1 - 1e-7)));
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).toBe('logClip');
  });

  it('ln(1 - Z) of the rounded Z, unclamped, gives -ln(2^-52) = 36.04 at S = 36.5', () => {
    const S = 36.5;
    // 1 + e^-36.5 rounds up to 1 + 2^-52, and 1 / (1 + 2^-52) to 1 - 2^-52: so 1 - Z = 2^-52
    expect(1 - 1 / (1 + Math.exp(-S))).toBe(2 ** -52);
    const j = judgeLoss(one(S, 0), -Math.log(2 ** -52));
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).toBe('logComplement');
    // and a value between that and the clamp's 100 is given by none of them
    expect(judgeLoss(one(S, 0), 60).outcome).toBe('wrong');
  });

  it('in float32 the same case: the clip gives -ln(1 - fl(1 - 1e-7)) = 15.94, the clamp 100, nothing gives 80', () => {
    const c = one(40, 0);
    const f = Math.fround;
    expect(judgeLoss(c, f(-Math.log(f(1 - f(1 - f(1e-7))))), 'float32').cancellation).toBe('logClip');
    expect(judgeLoss(c, 100, 'float32').cancellation).toBe('logClamp');
    expect(judgeLoss(c, 80, 'float32').outcome).toBe('wrong');
  });

  it('a NaN loss is wrong, never correct', () => {
    const j = judgeLoss(one(2, 0), Number.NaN);
    expect(j.outcome).toBe('wrong');
    expect(j.reason).toBe('non-finite');
  });
});

describe('a gradient entry behind a saturated hidden unit', () => {
  // S_1 = 40 saturates the hidden unit: its slope sigma'(40) = 4.2e-18, the textbook Z (1 - Z) = 0
  const c = parseCase({ network: { layers: [{ weights: [[40]] }, { weights: [[1]] }] }, batch: { inputs: [[1]], targets: [[0]] } });
  const ref = referenceGradients(c.network, c.batch);
  const exact = oracle(c.network, c.batch, { finiteDifferences: false });
  const withFirst = (w: number): Judgement => {
    const W = Float64Array.of(w);
    return judge(c.network, c.batch, { ...ref, layers: [{ W, b: null }, ref.layers[1]!] }, exact, 'float64')[1]!;
  };

  it('is inaccurate at 0, the value the textbook slope gives', () => {
    const j = withFirst(0);
    expect(j.outcome).toBe('inaccurate');
    expect(j.cancellation).toBe('slope');
  });

  it('is wrong at twice its true value: no textbook computation lands there, however large an allowance was', () => {
    expect(ref.layers[0]!.W[0]!).toBeGreaterThan(0);
    const j = withFirst(2 * ref.layers[0]!.W[0]!);
    expect(j.outcome).toBe('wrong');
  });
});

describe('every allowance is finite', () => {
  it('on generated cases of every class, in both precisions, every computation gives finite centres and radii where it applies', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArbitrary({ maxLayers: 4 }), fc.constantFrom<Precision>('float64', 'float32'), (c, precision) => {
        const pass = forward(c.network, c.batch);
        const count = 1 + c.network.layers.reduce((n, l) => n + l.nIn * l.nOut + (l.b ? l.nOut : 0), 0) + pass.Z[pass.Z.length - 1]!.length;
        for (const computation of TEXTBOOK_COMPUTATIONS) {
          const v = textbookValues(c.network, c.batch, pass, arithmeticOf(precision), computation, count, true);
          for (let k = 0; k < count; k++) {
            if (!v.applies[k]) continue;
            checked += 1;
            expect(Number.isFinite(v.c[k]!) && Number.isFinite(v.r[k]!) && v.r[k]! >= 0).toBe(true);
          }
          for (const E of v.loss) expect(Number.isFinite(E.c[0]!) && Number.isFinite(E.r[0]!)).toBe(true);
        }
      }),
      { seed: 10, numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it('a case whose bound overflows is an error naming the quantity, never a pass', () => {
    // S = 1e308 - 1e308 = 0 exactly, but the magnitude sum |Y W| = 2e308 overflows
    const c = parseCase({ network: { layers: [{ weights: [[1e308], [1e308]] }] }, batch: { inputs: [[1, -1]], targets: [[1]] } });
    const ref = referenceGradients(c.network, c.batch);
    const exact = oracle(c.network, c.batch, { finiteDifferences: false });
    expect(() => judge(c.network, c.batch, ref, exact, 'float64')).toThrow(BoundError);
    expect(() => judge(c.network, c.batch, ref, exact, 'float64')).toThrow(/error bound of loss E cannot be computed on this case/);
  });

  it('names it on a network of 200 000 weights too (the largest |W| of the message is found without spreading the layer)', () => {
    const nIn = 500;
    const nOut = 400;
    const weights = Array.from({ length: nIn }, (_, j) => Array.from({ length: nOut }, (_, i) => (i === 0 && j < 2 ? 1e308 : 0.001)));
    const inputs = [Array.from({ length: nIn }, (_, j) => (j === 0 ? 1 : j === 1 ? -1 : 0))];
    const c = parseCase({ network: { layers: [{ weights }] }, batch: { inputs, targets: [Array.from({ length: nOut }, () => 0)] } });
    const ref = referenceGradients(c.network, c.batch);
    const exact = oracle(c.network, c.batch, { finiteDifferences: false });
    expect(() => judge(c.network, c.batch, ref, exact, 'float64')).toThrow(/cannot be computed on this case: .*largest \|W\| 1\.000e\+308/);
  });
});

describe('the measured run: a loss counted twice when |S| > 40, on 300 generated cases', () => {
  const open: Iut[] = [];
  afterAll(async () => {
    await Promise.all(open.map((iut) => iut.close()));
  });

  it('every generated case where the doubling changes the loss is judged wrong (none inaccurate)', async () => {
    const iut = await loadModule('fixtures/implementations/buggy-saturated-loss.mjs');
    open.push(iut);
    const ctx = createContext(50);
    const cases = fc.sample(caseArbitrary({}), { seed: 42, numRuns: 300 });
    let doubled = 0;
    for (const c of cases) {
      const ev = await evaluateCase(iut, c, 'float64', ctx);
      const E = referenceGradients(c.network, c.batch).loss;
      if (!ev.result || Math.abs(ev.result.loss - E) <= 1) continue;
      doubled += 1;
      const lossJudgement = ev.judgements.find((j) => j.where.kind === 'loss')!;
      expect(lossJudgement.outcome).toBe('wrong');
    }
    expect(doubled).toBeGreaterThan(20);
  });

  it('is WRONG, exit 1, where it was INACCURATE, exit 0', async () => {
    const iut = await loadModule('fixtures/implementations/buggy-saturated-loss.mjs');
    open.push(iut);
    const report = await verifyGenerated(iut, { runs: 300, seed: 42 });
    expect(report.verdict).toBe('wrong');
    expect(report.exitCode).toBe(1);
    expect(report.failures[0]!.outcome).toBe('wrong');
    expect(report.failures[0]!.where).toBe('loss E');
  });

  it('while the PyTorch-style and TensorFlow.js-style textbook implementations stay inaccurate, never wrong', async () => {
    for (const file of ['textbook.mjs', 'textbook-float32.mjs']) {
      const iut = await loadModule(`fixtures/implementations/${file}`);
      open.push(iut);
      const report = await verifyGenerated(iut, { runs: 300, seed: 7 });
      expect(report.verdict, file).toBe('inaccurate');
      expect(Object.values(report.classes).reduce((n, s) => n + s.wrong, 0), file).toBe(0);
    }
  });
});

describe("PyTorch's BCEWithLogitsLoss form (1 - t) S - log sigma(S)", () => {
  it('cancels on a well-classified output (S = -5.1, t = 0): inaccurate, named logits; far off is still wrong', () => {
    const c = one(-5.1, 0);
    const S = -5.1;
    const logits = (1 - 0) * S - (Math.min(S, 0) - Math.log1p(Math.exp(-Math.abs(S))));
    const j = judgeLoss(c, logits);
    if (j.outcome !== 'correct') expect(j.cancellation).toBe('logits');
    // the form's own cancellation, beyond what the stable bound allows: 5 ulps of 5.1 off the term
    const off = judgeLoss(c, logits + 5 * 2 ** -50);
    expect(off.outcome).toBe('inaccurate');
    expect(off.cancellation).toBe('logits');
    expect(judgeLoss(c, logits * (1 + 1e-9)).outcome).toBe('wrong');
  });

  it('an implementation with that loss form is inaccurate, never wrong, on generated and mixed saturated/typical cases', async () => {
    const iut = await loadModule('fixtures/implementations/textbook-logits.mjs');
    const ctx = createContext(50);
    const cases = [...fc.sample(caseArbitrary({}), { seed: 3, numRuns: 300 }), ...fc.sample(mixedSaturationArbitrary({}), { seed: 3, numRuns: 100 })];
    for (const c of cases) expect((await evaluateCase(iut, c, 'float64', ctx)).outcome).not.toBe('wrong');
    await iut.close();
  });
});

describe('the failure report of a value beyond the stable bound', () => {
  it('says what the explaining or nearest textbook computation gives there', async () => {
    const cases = [{ name: 'saturated', case: one(40.5, 0) }];
    const wrong = await verifyCases(await loadModule('fixtures/implementations/buggy-saturated-loss.mjs'), cases, {});
    expect(wrong.failures[0]!.outcome).toBe('wrong');
    expect(wrong.failures[0]!.textbook).toEqual({ computation: 'logClamp', value: 100, allowed: expect.any(Number) });
    expect(formatFailure(wrong, wrong.failures[0]!, 'verify')).toMatch(/nearest textbook {3}100 within .*clamped at -100.*: not this value/);
    const inaccurate = await verifyCases(await loadModule('fixtures/implementations/textbook.mjs'), cases, {});
    expect(inaccurate.failures[0]!.outcome).toBe('inaccurate');
    expect(inaccurate.failures[0]!.textbook).toMatchObject({ computation: 'logClamp', value: 100 });
    expect(formatFailure(inaccurate, inaccurate.failures[0]!, 'verify')).toMatch(/textbook gives {5}100 within /);
  });

  it('names no "nearest" computation where every one gives the stable value (nothing saturated)', async () => {
    const wrong = await verifyCases(await loadModule('fixtures/implementations/buggy-wrong-sign.mjs'), [{ name: 'typical', case: one(0.5, 0) }], {});
    expect(wrong.failures[0]!.outcome).toBe('wrong');
    expect(wrong.failures[0]!.textbook).toBeNull();
    expect(wrong.failures[0]!.message).toContain('no textbook computation gives it');
  });
});

describe('judging the reference itself', () => {
  it('is correct on generated cases of every class (the stable tier is unchanged)', () => {
    fc.assert(
      fc.property(caseArbitrary({ maxLayers: 5 }), (c) => {
        const exact = oracle(c.network, c.batch, { finiteDifferences: false });
        const ref = referenceGradients(c.network, c.batch);
        expect(worstOutcome(judge(c.network, c.batch, ref, exact, 'float64'))).toBe('correct');
      }),
      { seed: 11, numRuns: 150 },
    );
  });
});
