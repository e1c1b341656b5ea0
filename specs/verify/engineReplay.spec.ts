import { describe, expect, it } from 'vitest';
import { inProcess, parseCase, referenceImplementation, type Implementation } from '../../src/index.js';
import { IutError } from '../../src/iut/errors.js';
import type { Iut } from '../../src/iut/types.js';
import type { NamedCase } from '../../src/verify/cases.js';
import { verifyGenerated } from '../../src/verify/engine.js';
import type { ResultJson } from '../../src/network/types.js';

/**
 * Stored counterexamples replayed first: every one judged and counted, the first that still fails
 * shrunk (within the shrink budget), the others reported as they are; a stop, a budget or a dead
 * implementation ends the replay with what was judged kept. And every shrink step judged: a
 * candidate worse than the case being shrunk raises the bar.
 */

const textbookFile = '../../fixtures/implementations/textbook.mjs';
const textbook = ((await import(/* @vite-ignore */ textbookFile)) as { default: Implementation }).default;

/** Textbook float64 (inaccurate in saturation), and a wrong loss whenever the batch has 2 samples or more. */
const wrongOnBatches: Implementation = {
  describe: () => ({ name: 'wrong-on-batches', precision: 'float64' }),
  gradients: (network, batch) => {
    const r = textbook.gradients(network, batch) as ResultJson;
    return batch.inputs.length >= 2 ? { ...r, loss: r.loss + 1 } : r;
  },
};

const twoSamples: NamedCase = {
  name: 'stored-a.json',
  case: parseCase({ network: { layers: [{ weights: [[0.3, -0.7], [1.25, 0.5]], bias: [0.1, 0.2] }, { weights: [[1], [-1]], bias: null }], reduction: 'sum' }, batch: { inputs: [[1, 2], [0.5, -1]], targets: [[1], [0]] } }),
};
const saturated: NamedCase = {
  name: 'stored-b.json',
  case: parseCase({ network: { layers: [{ weights: [[164]], bias: null }] }, batch: { inputs: [[0.5]], targets: [[0]] } }),
};

describe('replaying stored counterexamples', () => {
  it('the first that still fails is shrunk; the others are reported as they are; all are counted', async () => {
    const report = await verifyGenerated(inProcess(wrongOnBatches, 'wob'), { runs: 10, replay: [saturated, twoSamples] });
    expect(report).toMatchObject({ verdict: 'wrong', exitCode: 1, casesReplayed: 2, casesRun: 0 });
    const [shrunk, other] = report.failures;
    expect(shrunk).toMatchObject({ outcome: 'wrong', origin: 'given', name: 'stored-a.json', where: 'loss E' });
    expect(shrunk!.shrinkSteps).toBeGreaterThan(0);
    expect(shrunk!.case.batch.inputs).toHaveLength(2);
    expect(shrunk!.case.network.layers).toHaveLength(1);
    expect(other).toMatchObject({ outcome: 'inaccurate', name: 'stored-b.json', shrinkSteps: null });
    expect(report.notes).toContain('replayed 2 stored counterexample(s) first: one still fails, so no new case was generated');
  });

  it('a stored case shrinks within the shrink budget, and says when it ran out', async () => {
    const slow = inProcess({ gradients: async (n, b) => { await new Promise((r) => setTimeout(r, 30)); return wrongOnBatches.gradients(n, b); } }, 'slow');
    const report = await verifyGenerated(slow, { runs: 10, replay: [twoSamples], shrinkBudgetSeconds: 0.2 });
    expect(report.verdict).toBe('wrong');
    expect(report.failures[0]!.shrinkStopped).toMatch(/^the shrink budget of 0.2 s ran out after \d+ steps$/);
    expect(report.notes.join('\n')).toContain('shrinking stopped early: the shrink budget of 0.2 s ran out');
  });

  it('a stop, a time budget or a dead implementation ends the replay, keeping what was judged', async () => {
    const controller = new AbortController();
    let calls = 0;
    const stopping = inProcess({ gradients: (n, b) => { if (++calls === 2) controller.abort('SIGINT'); return referenceImplementation.gradients(n, b); } }, 'stopping');
    const stopped = await verifyGenerated(stopping, { runs: 10, replay: [saturated, saturated, saturated], signal: controller.signal });
    expect(stopped).toMatchObject({ casesReplayed: 1, interrupted: true, casesRun: 0 });

    const slow = inProcess({ gradients: async (n, b) => { await new Promise((r) => setTimeout(r, 150)); return referenceImplementation.gradients(n, b); } }, 'slow');
    const late = await verifyGenerated(slow, { runs: 10, replay: [saturated, saturated, saturated], timeBudgetSeconds: 0.2 });
    expect(late.casesReplayed).toBe(1);
    expect(late.interrupted).toBe(true);
    expect(late.verdict).toBe('correct');

    const dead: Iut = {
      label: 'dead',
      describe: () => Promise.resolve({}),
      gradients: () => Promise.reject(new IutError('E_IUT_CRASH', 'implementation "dead" exited with code 1')),
      close: () => Promise.resolve(),
    };
    const crashed = await verifyGenerated(dead, { runs: 10, replay: [saturated] });
    expect(crashed).toMatchObject({ verdict: 'error', exitCode: 2, casesReplayed: 0, error: { code: 'E_IUT_CRASH' } });
    expect(crashed.error!.case).not.toBeNull();
  });
});

describe('every shrink step is judged', () => {
  it('a shrink candidate worse than the case being shrunk raises the bar: the case reported is as bad as the worst answer', async () => {
    // inaccurate (textbook) always, but wrong on one answer: the second shrink step of the second pass
    let calls = 0;
    let wrongAt = Number.POSITIVE_INFINITY;
    const worsening = inProcess({
      describe: () => ({ precision: 'float64' }),
      gradients: (n, b) => {
        const r = textbook.gradients(n, b) as ResultJson;
        return ++calls === wrongAt ? { ...r, loss: r.loss + 1 } : r;
      },
    }, 'worsening');
    const first = await verifyGenerated(inProcess(textbook, 'textbook'), { runs: 40, seed: 42, determinismChecks: 0 });
    expect(first.verdict).toBe('inaccurate');
    wrongAt = 40 + 1 + 2; // after the 40 generated cases, the second pass's first ask and one shrink step
    const report = await verifyGenerated(worsening, { runs: 40, seed: 42, determinismChecks: 0 });
    expect(report.failures[0]!.outcome).toBe('wrong');
    expect(report.verdict).toBe('wrong');
    expect(report.exitCode).toBe(1);
  });

  it('an interruption while shrinking keeps the smallest case so far and says so', async () => {
    const controller = new AbortController();
    let calls = 0;
    const wrong = inProcess({ gradients: (n, b) => { if (++calls === 8) controller.abort('SIGTERM'); return { ...(referenceImplementation.gradients(n, b) as ResultJson), loss: 7 }; } }, 'wrong');
    const report = await verifyGenerated(wrong, { runs: 20, seed: 42, signal: controller.signal, determinismChecks: 0 });
    expect(report.verdict).toBe('wrong');
    expect(report.interrupted).toBe(true);
    expect(report.failures[0]!.shrinkStopped).toBe('the run was interrupted');
    expect(report.notes.join('\n')).toContain('interrupted (SIGTERM)');
  });
});
