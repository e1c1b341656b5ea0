import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModule, type Iut } from '../../src/iut/index.js';
import { reportToJson, reportToJunit } from '../../src/report/formats.js';
import { formatReport } from '../../src/report/text.js';
import { verifyGenerated, type VerifyOptions } from '../../src/verify/engine.js';
import type { VerifyReport } from '../../src/verify/report.js';

/**
 * Every answer is judged, and the verdict is the worst of everything the report holds: the
 * classes, every failure (shrunk or not), every repeated answer, the error. The exit code, the
 * JSON and the JUnit XML say the same.
 */

const open: Iut[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((iut) => iut.close()));
});

async function verifyModule(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const iut = await loadModule(file);
  open.push(iut);
  return verifyGenerated(iut, { runs: 100, seed: 42, ...options });
}

const RANK = { correct: 0, inaccurate: 1, wrong: 2 } as const;
const STATE = 'answered the same case differently: state kept between calls (gradients accumulated and not reset?)';

/** The verdict, exit code, JSON and JUnit agree with each other and with the worst thing reported. */
function expectConsistent(report: VerifyReport): void {
  const worst = Math.max(
    0,
    ...report.failures.map((f) => RANK[f.outcome]),
    ...Object.values(report.classes).map((s) => (s.wrong > 0 ? 2 : s.inaccurate > 0 ? 1 : 0)),
  );
  if (report.verdict !== 'error') expect(RANK[report.verdict], 'verdict below a failure it reports').toBe(worst);
  const expectedExit = report.verdict === 'error' ? 2 : report.verdict === 'wrong' || (report.strict && report.verdict === 'inaccurate') ? 1 : 0;
  expect(report.exitCode).toBe(expectedExit);
  const json = JSON.parse(reportToJson(report)) as { verdict: string; exitCode: number };
  expect(json).toMatchObject({ verdict: report.verdict, exitCode: report.exitCode });
  const xml = reportToJunit(report);
  expect(xml).toContain(`<property name="verdict" value="${report.verdict}"/>`);
  expect(xml).toContain(`<property name="exitCode" value="${report.exitCode}"/>`);
  const failed = Number(/<testsuites [^>]*failures="(\d+)"/.exec(xml)![1]);
  if (report.exitCode === 1) expect(failed, 'a failing run has a failing JUnit test case').toBeGreaterThan(0);
  if (report.exitCode === 0) expect(failed, 'a passing run has no failing JUnit test case').toBe(0);
}

describe('every answer is judged', () => {
  it('correct on its first answer and off by 1e-6 on a repeat: wrong (exit 1), with both answers', async () => {
    const report = await verifyModule('fixtures/hostile/repeat-off.mjs', { runs: 50 });
    expect(report.verdict).toBe('wrong');
    expect(report.exitCode).toBe(1);
    const f = report.failures[0]!;
    expect(f.outcome).toBe('wrong');
    expect(f.kind).toBe('repeat');
    expect(f.message).toContain(STATE);
    expect(f.repeat).not.toBeNull();
    expect(f.repeat!.first).not.toBe(f.repeat!.second);
    expect(formatReport(report)).toContain(STATE);
    expectConsistent(report);
  });

  it('gradient buffers accumulated across calls (never reset): wrong, never inaccurate with a wrong counterexample', async () => {
    for (const runs of [20, 100]) {
      const report = await verifyModule('fixtures/implementations/buggy-accumulates.mjs', { runs });
      expect(report.verdict, `runs ${runs}`).toBe('wrong');
      expect(report.exitCode).toBe(1);
      expect(report.failures[0]!.message).toContain(STATE);
      // the counterexample shows the difference: the same small case, two different answers
      const f = report.failures[0]!;
      expect(f.case.network.layers).toHaveLength(1);
      expect(f.repeat!.first).not.toBe(f.repeat!.second);
      expectConsistent(report);
    }
  });

  it('within the bound, two different answers stay a warning (parallel sums may differ)', async () => {
    let calls = 0;
    const inner = await loadModule('fixtures/implementations/correct.mjs');
    open.push(inner);
    const flaky: Iut = {
      label: 'flaky',
      describe: () => inner.describe(),
      gradients: async (n, b) => {
        const r = (await inner.gradients(n, b)) as { loss: number };
        return { ...r, loss: r.loss * (1 + (calls++ % 2) * 2 ** -52) };
      },
      close: () => Promise.resolve(),
    };
    const report = await verifyGenerated(flaky, { runs: 20, seed: 42 });
    expect(report.verdict).toBe('correct');
    expect(report.exitCode).toBe(0);
    expect(report.nondeterminism.differing.length).toBeGreaterThan(0);
    expect(report.nondeterminism.differing.every((d) => !d.beyondBound)).toBe(true);
    expect(formatReport(report)).toContain('warning: two calls on the same case gave different answers at loss E');
    expectConsistent(report);
  });

  it('the fixtures whose verdict is known keep a consistent report', async () => {
    for (const file of ['correct.mjs', 'buggy-missing-slope.mjs', 'textbook.mjs']) {
      expectConsistent(await verifyModule(`fixtures/implementations/${file}`, { runs: 60 }));
    }
  });
});

describe('the verdict is the worst of everything reported', () => {
  it('for any mix of classes, failures and strictness (property)', async () => {
    const { finalVerdict } = await import('../../src/verify/engine.js');
    const outcome = fc.constantFrom('correct', 'inaccurate', 'wrong' as const);
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 4 }), fc.array(fc.constantFrom('inaccurate', 'wrong' as const), { maxLength: 3 }), fc.boolean(), fc.boolean(), (classOutcomes, failureOutcomes, strict, error) => {
        const classes = Object.fromEntries(classOutcomes.map((o, k) => [['typical', 'zeros', 'tiny', 'saturating'][k]!, { cases: 1, correct: o === 'correct' ? 1 : 0, inaccurate: o === 'inaccurate' ? 1 : 0, wrong: o === 'wrong' ? 1 : 0 }]));
        const { verdict, exitCode } = finalVerdict({ classes, failures: failureOutcomes.map((outcome) => ({ outcome })), error: error ? { code: 'E_X' } : null, strict });
        const worst = Math.max(0, ...classOutcomes.map((o) => RANK[o]), ...failureOutcomes.map((o) => RANK[o]));
        if (error) return verdict === 'error' && exitCode === 2;
        return (RANK as Record<string, number>)[verdict] === worst && exitCode === (worst === 2 || (strict && worst === 1) ? 1 : 0);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
