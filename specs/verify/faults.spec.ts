import { describe, expect, it } from 'vitest';
import { inProcess, referenceImplementation, type Implementation } from '../../src/index.js';
import { IutError } from '../../src/iut/errors.js';
import type { Iut } from '../../src/iut/types.js';
import { verifyCases, type NamedCase } from '../../src/verify/cases.js';
import { verifyGenerated } from '../../src/verify/engine.js';
import { formatReport } from '../../src/report/text.js';
import { parseCase } from '../../src/network/index.js';
import type { ResultJson } from '../../src/network/types.js';

function variant(change: (r: ResultJson) => unknown): Implementation {
  return {
    describe: () => ({ name: 'variant' }),
    gradients: (network, batch) => change(referenceImplementation.gradients(network, batch) as ResultJson) as ResultJson,
  };
}

const given: NamedCase[] = [
  { name: 'a.json', case: parseCase({ network: { layers: [{ weights: [[0.5, -1]], bias: [0, 0] }] }, batch: { inputs: [[1]], targets: [[1, 0]] } }) },
  { name: 'b.json', case: parseCase({ network: { layers: [{ weights: [[2]], bias: null }], reduction: 'mean' }, batch: { inputs: [[0.25], [1]], targets: [[0.5], [1]] } }) },
];

describe('verify: faults of the implementation', () => {
  it('a thrown error is wrong, reported as the implementation failing, and shrunk', async () => {
    const report = await verifyGenerated(inProcess({ gradients: () => { throw new Error('boom'); } }, 'thrower'), { runs: 10 });
    expect(report.verdict).toBe('wrong');
    const f = report.failures[0]!;
    expect(f).toMatchObject({ kind: 'error', where: 'result' });
    expect(f.message).toContain('boom');
    expect(formatReport(report)).toContain('WRONG at result');
    expect(report.classes[f.origin]!.properties.result.wrong).toBe(1);
  });

  it('a malformed result (wrong shape) is wrong with a message naming the field', async () => {
    const report = await verifyGenerated(inProcess(variant((r) => ({ ...r, gradients: [] })), 'shapeless'), { runs: 5 });
    expect(report.verdict).toBe('wrong');
    expect(report.failures[0]).toMatchObject({ kind: 'shape' });
    expect(report.failures[0]!.message).toMatch(/^malformed result: result\.gradients/);
  });

  it('a non-finite value where the exact one is finite is wrong', async () => {
    const report = await verifyGenerated(inProcess(variant((r) => ({ ...r, loss: Number.NaN })), 'nan'), { runs: 5 });
    expect(report.verdict).toBe('wrong');
    expect(report.failures[0]).toMatchObject({ kind: 'non-finite', where: 'loss E', iut: null });
    expect(formatReport(report)).toContain('implementation     non-finite (NaN or Infinity)');
  });

  it('wrong outputs are caught when an implementation sends them', async () => {
    const report = await verifyGenerated(inProcess(variant((r) => ({ ...r, outputs: r.outputs?.map((row) => row.map((z) => z * 1.001)) })), 'outputs'), { runs: 5 });
    expect(report.verdict).toBe('wrong');
    expect(report.failures[0]!.where).toMatch(/^output Z\[sample=0\]/);
  });

  it('an implementation that never answers ends the run with an error (exit 2) naming the request', async () => {
    const hang = inProcess({ gradients: () => new Promise<ResultJson>(() => {}) }, 'hang', { timeoutMs: 100 });
    const report = await verifyGenerated(hang, { runs: 5 });
    expect(report.verdict).toBe('error');
    expect(report.exitCode).toBe(2);
    expect(report.error).toMatchObject({ code: 'E_IUT_TIMEOUT' });
    expect(report.error!.case).not.toBeNull();
    expect(formatReport(report)).toContain('the verifier could not finish: E_IUT_TIMEOUT');
  });

  it('a description that breaks the protocol ends the run with an error', async () => {
    const broken: Iut = {
      label: 'broken',
      describe: () => Promise.reject(new IutError('E_IUT_PROTOCOL', 'describe answered garbage')),
      gradients: () => Promise.resolve({}),
      close: () => Promise.resolve(),
    };
    const report = await verifyGenerated(broken, { runs: 3 });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, casesRun: 0, error: { code: 'E_IUT_PROTOCOL' } });
    const given2 = await verifyCases(broken, given);
    expect(given2).toMatchObject({ verdict: 'error', exitCode: 2, error: { code: 'E_IUT_PROTOCOL' } });
  });

  it('a nondeterministic implementation is reported', async () => {
    let calls = 0;
    const report = await verifyGenerated(inProcess(variant((r) => ({ ...r, loss: r.loss * (1 + (calls++ % 2) * 2 ** -52) })), 'flaky'), { runs: 5 });
    expect(report.nondeterminism.differing.length).toBeGreaterThan(0);
    expect(report.nondeterminism.differing[0]!.where).toBe('loss E');
    expect(formatReport(report)).toContain('warning: two calls on the same case gave different answers at loss E');
  });
});

describe('verify: given cases', () => {
  it('judges every value of every given case and names the failing file', async () => {
    const report = await verifyCases(inProcess(variant((r) => ({ ...r, loss: r.loss * 2 })), 'double-loss'), given);
    expect(report).toMatchObject({ verdict: 'wrong', casesRun: 2, mode: 'cases' });
    expect(report.failures.map((f) => f.name)).toEqual(['a.json', 'b.json']);
    expect(formatReport(report)).toContain('WRONG at loss E (case a.json)');
  });

  it('a crash mid-run stops the run with an error and keeps what was judged', async () => {
    let calls = 0;
    const crashing: Iut = {
      label: 'crashing',
      describe: () => Promise.resolve({}),
      gradients: async (network, batch) => {
        if (calls++ > 0) throw new IutError('E_IUT_CRASH', 'the process exited with code 1');
        return referenceImplementation.gradients(network, batch);
      },
      close: () => Promise.resolve(),
    };
    const report = await verifyCases(crashing, given);
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, casesRun: 1, error: { code: 'E_IUT_CRASH' } });
    expect(report.classes.given!.correct).toBe(1);
  });

  it('a time budget stops given cases too', async () => {
    const slow = inProcess({ gradients: async (n, b) => { await new Promise((r) => setTimeout(r, 300)); return referenceImplementation.gradients(n, b); } }, 'slow');
    const report = await verifyCases(slow, [...given, ...given, ...given], { timeBudgetSeconds: 0.2 });
    expect(report.casesRun).toBeLessThan(6);
    expect(report.notes.join(' ')).toContain('time budget');
  });
});
