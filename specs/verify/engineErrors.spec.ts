import { describe, expect, it, vi } from 'vitest';

/**
 * An error the oracle (or the judge) throws is the verifier's failure, never the implementation's:
 * the run ends with verdict error and exit 2, the error's own code kept, the message naming the case.
 */
const failOn = { call: Number.POSITIVE_INFINITY, calls: 0 };
vi.mock('../../src/oracle/oracle.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/oracle/oracle.js')>();
  return {
    ...real,
    oracle: (...args: Parameters<typeof real.oracle>) => {
      failOn.calls += 1;
      if (failOn.calls >= failOn.call) throw Object.assign(new Error('the network is beyond what the oracle can hold'), { code: 'E_ORACLE_LIMIT' });
      return real.oracle(...args);
    },
  };
});

const { inProcess, referenceImplementation, parseCase } = await import('../../src/index.js');
const { verifyGenerated } = await import('../../src/verify/engine.js');
const { verifyCases } = await import('../../src/verify/cases.js');

describe('errors of the oracle end the run with their own code', () => {
  it('while generating: verdict error, exit 2, code E_ORACLE_LIMIT, the case named', async () => {
    failOn.calls = 0;
    failOn.call = 4;
    const report = await verifyGenerated(inProcess(referenceImplementation, 'reference'), { runs: 20, seed: 42, determinismChecks: 0 });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, error: { code: 'E_ORACLE_LIMIT' } });
    expect(report.error!.message).toMatch(/^could not judge case 4 \((typical|zeros|tiny|saturating)\): the network is beyond what the oracle can hold$/);
    expect(report.error!.case).not.toBeNull();
    expect(report.casesRun).toBe(3);
  });

  it('while shrinking: the same', async () => {
    failOn.calls = 0;
    failOn.call = Number.POSITIVE_INFINITY;
    const wrong = inProcess({ gradients: (n, b) => ({ ...(referenceImplementation.gradients(n, b) as object), loss: 7 }) as never }, 'wrong loss');
    const first = await verifyGenerated(wrong, { runs: 20, seed: 42 });
    expect(first.verdict).toBe('wrong');
    failOn.calls = 0;
    failOn.call = 3;
    const report = await verifyGenerated(wrong, { runs: 20, seed: 42, determinismChecks: 0 });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, error: { code: 'E_ORACLE_LIMIT' } });
    expect(report.error!.message).toMatch(/^could not judge case 1 \(\w+\) while shrinking it \(step 2\): /);
  });

  it('on a stored case replayed first: the file named', async () => {
    failOn.calls = 0;
    failOn.call = 1;
    const c = parseCase({ network: { layers: [{ weights: [[1]], bias: null }] }, batch: { inputs: [[1]], targets: [[0]] } });
    const report = await verifyGenerated(inProcess(referenceImplementation, 'reference'), { runs: 5, replay: [{ name: 'stored.json', case: c }] });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, error: { code: 'E_ORACLE_LIMIT' } });
    expect(report.error!.message).toBe('could not judge the stored case stored.json: the network is beyond what the oracle can hold');
  });

  it('on a given case: the file named', async () => {
    failOn.calls = 0;
    failOn.call = 1;
    const c = parseCase({ network: { layers: [{ weights: [[1]], bias: null }] }, batch: { inputs: [[1]], targets: [[0]] } });
    const report = await verifyCases(inProcess(referenceImplementation, 'reference'), [{ name: 'model.json', case: c }]);
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, error: { code: 'E_ORACLE_LIMIT' } });
    expect(report.error!.message).toBe('could not judge case model.json: the network is beyond what the oracle can hold');
  });
});

describe('a stored case whose bound cannot be computed', () => {
  it('stops the replay with E_BOUND naming the stored case, and the note does not say "all pass now"', async () => {
    failOn.call = Number.POSITIVE_INFINITY;
    // S = 1e308 - 1e308 = 0 exactly, but the magnitude sum |Y W| = 2e308 overflows
    const c = parseCase({ network: { layers: [{ weights: [[1e308], [1e308]] }] }, batch: { inputs: [[1, -1]], targets: [[1]] } });
    const report = await verifyGenerated(inProcess(referenceImplementation, 'reference'), { runs: 5, seed: 42, replay: [{ name: 'stored.json', case: c }] });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, error: { code: 'E_BOUND' } });
    expect(report.error!.message).toMatch(/^could not judge the stored case stored\.json: the error bound of loss E cannot be computed/);
    expect(report.notes.join('\n')).toContain('the replay stopped at an error');
    expect(report.notes.join('\n')).not.toContain('all pass now');
  });
});
