import { describe, expect, it } from 'vitest';
import { verify, referenceImplementation, type Implementation } from '../../src/index.js';
import { backpropOracleMatchers } from '../../src/vitest.js';

async function fixture(file: string): Promise<Implementation> {
  return ((await import(/* @vite-ignore */ `../../fixtures/implementations/${file}`)) as { default: Implementation }).default;
}
const correct = await fixture('correct.mjs');
const wrongSign = await fixture('buggy-wrong-sign.mjs');

expect.extend(backpropOracleMatchers);

describe('the library API', () => {
  it('verify() takes an implementation object, a module path or a command, and returns the report as data', async () => {
    const fromObject = await verify(correct, { runs: 20, label: 'mine' });
    expect(fromObject).toMatchObject({ verdict: 'correct', exitCode: 0, casesRun: 20, implementation: { label: 'mine' } });
    const fromModule = await verify({ module: 'fixtures/implementations/buggy-scaled.mjs' }, { runs: 20 });
    expect(fromModule.verdict).toBe('wrong');
    const fromCommand = await verify({ command: 'python3 fixtures/implementations/correct.py' }, { runs: 10 });
    expect(fromCommand.verdict).toBe('correct');
    const reference = await verify(referenceImplementation, { runs: 10 });
    expect(reference.verdict).toBe('correct');
  });

  it('verify() judges given cases too', async () => {
    const { parseCase } = await import('../../src/index.js');
    const c = parseCase({ network: { layers: [{ weights: [[1, -1]], bias: null }] }, batch: { inputs: [[0.5]], targets: [[1, 0]] } });
    const report = await verify(wrongSign, { cases: [{ name: 'mine.json', case: c }] });
    expect(report.verdict).toBe('wrong');
    expect(report.failures[0]!.name).toBe('mine.json');
  });

  it('the vitest matcher passes a correct implementation', async () => {
    await expect(correct).toPassBackpropOracle({ runs: 20 });
  });

  it('the vitest matcher fails a buggy one, with the minimal counterexample in the message', async () => {
    let message = '';
    try {
      await expect(wrongSign).toPassBackpropOracle({ runs: 20 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('expected the implementation to pass backprop-oracle');
    expect(message).toContain('minimal counterexample:');
    expect(message).toContain('WRONG at layer 1, dE/dW[j=0][i=0]');
    await expect(wrongSign).not.toPassBackpropOracle({ runs: 5 });
  });
});
