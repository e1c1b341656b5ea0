import { afterEach, describe, expect, it } from 'vitest';
import { loadModule, startCommand, type Iut } from '../../src/iut/index.js';
import { verifyGenerated, type VerifyOptions } from '../../src/verify/engine.js';
import type { VerifyReport } from '../../src/verify/report.js';

const dir = 'fixtures/implementations';
const open: Iut[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((iut) => iut.close()));
});

async function verifyModule(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const iut = await loadModule(`${dir}/${file}`);
  open.push(iut);
  return verifyGenerated(iut, { runs: 100, seed: 42, ...options });
}

/** The parts of a report that must not change between runs (no timings). */
function stable(report: VerifyReport): unknown {
  return { verdict: report.verdict, casesRun: report.casesRun, classes: report.classes, failures: report.failures.map((f) => ({ ...f, message: f.message })) };
}

describe('verify: correct implementations pass', () => {
  it('the correct JavaScript implementation, in process, is correct on every case', async () => {
    const report = await verifyModule('correct.mjs', { runs: 200 });
    expect(report.verdict).toBe('correct');
    expect(report.exitCode).toBe(0);
    expect(report.casesRun).toBe(200);
    expect(report.failures).toEqual([]);
    expect(Object.keys(report.classes).sort()).toEqual(['saturating', 'tiny', 'typical', 'zeros']);
    expect(report.nondeterminism.checked).toBe(5);
  });

  it('the correct TypeScript implementation (named export) is correct', async () => {
    const report = await verifyModule('correct.ts', { runs: 40 });
    expect(report.verdict).toBe('correct');
  });

  it('the correct Python implementation over JSON Lines is correct', async () => {
    const iut = await startCommand('python3 fixtures/implementations/correct.py');
    open.push(iut);
    const report = await verifyGenerated(iut, { runs: 100, seed: 42 });
    expect(report.verdict).toBe('correct');
    expect(report.implementation.description.name).toBe('python-reference');
  });

  it('a correct float32 implementation is judged by float32 bounds and passes', async () => {
    const report = await verifyModule('correct-float32.mjs', { runs: 200 });
    expect(report.implementation.precision).toBe('float32');
    expect(report.verdict).toBe('correct');
  });

  it('the textbook algorithm (PyTorch-style float64, TensorFlow.js-style float32) is inaccurate, never wrong, and exits 0', async () => {
    for (const file of ['textbook.mjs', 'textbook-float32.mjs']) {
      const report = await verifyModule(file, { runs: 200 });
      expect(report.verdict, file).toBe('inaccurate');
      expect(report.exitCode, file).toBe(0);
      expect(report.failures[0]!.outcome).toBe('inaccurate');
      expect(report.failures[0]!.cancellation).not.toBeNull();
      expect(report.classes.saturating!.inaccurate).toBeGreaterThan(0);
    }
  });

  it('--strict fails an inaccurate implementation (exit 1)', async () => {
    const report = await verifyModule('textbook.mjs', { strict: true });
    expect(report.verdict).toBe('inaccurate');
    expect(report.exitCode).toBe(1);
  });
});

describe('verify: buggy implementations are wrong, with a minimal counterexample', () => {
  const buggy: [string, RegExp][] = [
    ['buggy-wrong-sign.mjs', /^layer 1, dE\/d[Wb]/],
    ['buggy-missing-slope.mjs', /^layer 1, dE\/d[Wb]/],
    ['buggy-transposed.mjs', /^layer 1, dE\/d[Wb]/],
    ['buggy-scaled.mjs', /^layer 1, dE\/d[Wb]/],
    ['buggy-float32-sum.mjs', /^layer \d, dE\/d[Wb]/],
    ['buggy-float32-1e-3.mjs', /^layer \d, dE\/d[Wb]/],
    ['buggy-mean.mjs', /^(loss E|layer 1)/],
  ];
  for (const [file, where] of buggy) {
    it(`${file} is wrong, shrunk to at most 2 layers of 2 units and batch 1`, async () => {
      const report = await verifyModule(file);
      expect(report.verdict).toBe('wrong');
      expect(report.exitCode).toBe(1);
      const f = report.failures[0]!;
      expect(f.outcome).toBe('wrong');
      expect(f.where).toMatch(where);
      expect(f.case.network.layers.length).toBeLessThanOrEqual(2);
      for (const layer of f.case.network.layers) expect(layer.weights.length * layer.weights[0]!.length).toBeLessThanOrEqual(2);
      expect(f.case.batch.inputs).toHaveLength(1);
      expect(f.replay.seed).toBe(42);
      expect(f.replay.path).toMatch(/^\d+(:\d+)*$/);
      expect(f.oracle).not.toBeNull();
      expect({ where: f.where, case: f.case }).toMatchSnapshot();
    });
  }
});

describe('verify: reproducibility, replay, shards, budgets', () => {
  it('the same seed gives the same cases and the same report', async () => {
    const a = await verifyModule('buggy-missing-slope.mjs');
    const b = await verifyModule('buggy-missing-slope.mjs');
    expect(stable(b)).toEqual(stable(a));
    const c = await verifyModule('correct.mjs', { runs: 30, seed: 7 });
    const d = await verifyModule('correct.mjs', { runs: 30, seed: 7 });
    expect(stable(d)).toEqual(stable(c));
  });

  it('replaying the seed and path of a counterexample reproduces the failure on exactly that case', async () => {
    const first = await verifyModule('buggy-wrong-sign.mjs');
    const f = first.failures[0]!;
    const again = await verifyModule('buggy-wrong-sign.mjs', { seed: f.replay.seed!, path: f.replay.path! });
    expect(again.verdict).toBe('wrong');
    expect(again.failures[0]!.case).toEqual(f.case);
  });

  it('shards split the cases: n shards together run the same cases as one run', async () => {
    const whole = await verifyModule('correct.mjs', { runs: 30, seed: 3 });
    const parts = await Promise.all([1, 2, 3].map((index) => verifyModule('correct.mjs', { runs: 30, seed: 3, shard: { index, count: 3 } })));
    expect(parts.map((p) => p.casesRun)).toEqual([10, 10, 10]);
    for (const cls of ['typical', 'zeros', 'tiny', 'saturating'] as const) {
      expect(parts.reduce((n, p) => n + (p.classes[cls]?.cases ?? 0), 0)).toBe(whole.classes[cls]?.cases ?? 0);
    }
  });

  it('a time budget stops generating new cases and still reports what was run', async () => {
    const report = await verifyModule('correct.mjs', { runs: 100_000, timeBudgetSeconds: 1 });
    expect(report.interrupted).toBe(true);
    expect(report.casesRun).toBeGreaterThan(0);
    expect(report.casesRun).toBeLessThan(100_000);
    expect(report.durationMs).toBeLessThan(5000);
    expect(report.notes.join(' ')).toContain('time budget of 1 s ran out');
  });

  it('the implementation\'s description restricts what is generated (no bias, sum only, one layer)', async () => {
    const iut = await loadModule(`${dir}/correct.mjs`);
    const seen: { layers: number; bias: boolean; reduction: string }[] = [];
    const restricted: Iut = {
      label: 'restricted',
      describe: async () => ({ bias: false, reductions: ['sum'], maxLayers: 1 }),
      gradients: async (network, batch) => {
        seen.push({ layers: network.layers.length, bias: network.layers.some((l) => l.bias != null), reduction: network.reduction ?? 'sum' });
        return iut.gradients(network, batch);
      },
      close: () => iut.close(),
    };
    const report = await verifyGenerated(restricted, { runs: 30, seed: 1 });
    expect(report.verdict).toBe('correct');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.layers === 1 && !s.bias && s.reduction === 'sum')).toBe(true);
  });
});
