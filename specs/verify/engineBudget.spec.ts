import { describe, expect, it } from 'vitest';
import { inProcess, referenceImplementation } from '../../src/index.js';
import { startCommand, type Iut } from '../../src/iut/index.js';
import { verifyCases } from '../../src/verify/cases.js';
import { verifyGenerated, type Progress } from '../../src/verify/engine.js';
import { parseCase } from '../../src/network/index.js';

/** A run that judged nothing is not a pass; shrinking is bounded in time and visible. */

const reference = (): Iut => inProcess(referenceImplementation, 'reference');

describe('a run that judged nothing is not a pass', () => {
  it('a shard that holds no case: error, exit 2, saying why', async () => {
    const report = await verifyGenerated(reference(), { runs: 2, shard: { index: 3, count: 3 } });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, casesRun: 0 });
    expect(report.error!.message).toBe('shard 3/3 of 2 runs holds no case: use fewer shards or more runs');
  });

  it('a time budget that ran out before the first case: error, exit 2, saying so', async () => {
    const slow = (): Iut => inProcess({ describe: async () => { await new Promise((r) => setTimeout(r, 20)); return {}; }, gradients: (n, b) => referenceImplementation.gradients(n, b) }, 'slow start');
    const report = await verifyGenerated(slow(), { runs: 200, timeBudgetSeconds: 0.001 });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, casesRun: 0 });
    expect(report.error!.message).toBe('the time budget of 0.001 s ran out before the first case');
    const c = parseCase({ network: { layers: [{ weights: [[1]], bias: null }] }, batch: { inputs: [[1]], targets: [[0]] } });
    const given = await verifyCases(slow(), [{ name: 'a.json', case: c }], { timeBudgetSeconds: 0.001 });
    expect(given).toMatchObject({ verdict: 'error', exitCode: 2, casesRun: 0 });
    expect(given.error!.message).toBe('the time budget of 0.001 s ran out before the first case');
  });
});

describe('shrinking is bounded in time and visible', () => {
  const slowBuggy = 'node fixtures/hostile/slow-command.mjs fixtures/implementations/buggy-missing-slope.mjs 100';

  it('a slow implementation whose failure takes long to shrink: stopped at the shrink budget, the smallest case so far reported', async () => {
    const iut = await startCommand(slowBuggy);
    const seen: Progress[] = [];
    const started = performance.now();
    try {
      const report = await verifyGenerated(iut, { runs: 20, seed: 42, shrinkBudgetSeconds: 2, onProgress: (p) => seen.push(p) });
      const seconds = (performance.now() - started) / 1000;
      expect(report.verdict).toBe('wrong');
      expect(report.exitCode).toBe(1);
      const f = report.failures[0]!;
      expect(f.shrinkStopped).toMatch(/^the shrink budget of 2 s ran out after \d+ steps/);
      expect(report.notes.join('\n')).toContain('shrinking stopped early: the shrink budget of 2 s ran out');
      // cases at 0.1 s, then 2 s of shrinking, the confirming re-ask and slack
      expect(seconds).toBeLessThan(2 + 0.1 * (report.casesRun + 2) + 2);
      const shrinking = seen.filter((p) => p.phase === 'shrink');
      expect(shrinking.length).toBeGreaterThan(3);
      expect(shrinking.at(-1)!.shrink!.best).toMatch(/^\d+ layers? \d+(-\d+)+, batch \d+$/);
      expect(shrinking.at(-1)!.shrink!.leftMs).toBeLessThanOrEqual(2000);
    } finally {
      await iut.close();
    }
  });

  it('shrinking ends inside the time budget', async () => {
    const iut = await startCommand(slowBuggy);
    const started = performance.now();
    try {
      const report = await verifyGenerated(iut, { runs: 20, seed: 42, timeBudgetSeconds: 1.5 });
      const seconds = (performance.now() - started) / 1000;
      expect(report.verdict).toBe('wrong');
      expect(report.failures[0]!.shrinkStopped).toMatch(/^the time budget of 1.5 s ran out after \d+ steps/);
      expect(seconds).toBeLessThan(1.5 + 0.1 * 2 + 1);
    } finally {
      await iut.close();
    }
  });
});
