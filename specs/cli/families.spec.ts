/**
 * The command line and protocol version 2's families: --activations and --losses (validated,
 * named in messages and in --help), a --case of a family the implementation did not declare
 * refused with exit 2, and the reports showing the family.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandLine, SELF_CHECK_USAGE, VERIFY_USAGE } from '../../src/cli/args.js';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';

const dirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bo-families-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function message(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

const TANH_MSE = { network: { layers: [{ weights: [[0.5]], bias: null, activation: 'relu' }, { weights: [[2]], activation: 'tanh' }], loss: 'mse' }, batch: { inputs: [[1]], targets: [[0.25]] } };

describe('--activations and --losses', () => {
  it('parse comma-separated protocol names into the protocol order', () => {
    expect(parseCommandLine(['verify', '--activations', 'softmax,relu', '--losses', 'cce'])).toMatchObject({ activations: ['relu', 'softmax'], losses: ['cce'] });
    expect(parseCommandLine(['verify', '--activations', ' tanh , tanh ', '--losses=mse,bce'])).toMatchObject({ activations: ['tanh'], losses: ['bce', 'mse'] });
    expect(parseCommandLine(['self-check', '--losses', 'mse'])).toMatchObject({ command: 'self-check', activations: null, losses: ['mse'] });
  });

  it('reject an unknown or empty name with a message naming the option and the value', () => {
    expect([
      message(['verify', '--activations', 'gelu']),
      message(['verify', '--activations', 'relu,Sigmoid']),
      message(['verify', '--losses', 'bce,,mse']),
      message(['verify', '--losses', '']),
      message(['verify', '--activations']),
      message(['self-check', '--losses', 'hinge']),
    ]).toEqual([
      'verify: --activations must be a comma-separated list of sigmoid, tanh, relu, leaky_relu, linear, softmax, got "gelu"',
      'verify: --activations must be a comma-separated list of sigmoid, tanh, relu, leaky_relu, linear, softmax, got "Sigmoid" in "relu,Sigmoid"',
      'verify: --losses must be a comma-separated list of bce, cce, mse, got an empty name in "bce,,mse"',
      'verify: --losses must be a comma-separated list of bce, cce, mse, got ""',
      'verify: --activations needs a value (backprop-oracle verify --help)',
      'self-check: --losses must be a comma-separated list of bce, cce, mse, got "hinge"',
    ]);
  });

  it('are in --help', () => {
    for (const usage of [VERIFY_USAGE, SELF_CHECK_USAGE]) {
      expect(usage).toMatch(/\n {2}--activations LIST/);
      expect(usage).toMatch(/\n {2}--losses LIST/);
      expect(usage.replace(/\s+/g, ' ')).toContain('sigmoid, tanh, relu, leaky_relu, linear, softmax');
      expect(usage).toContain('bce, cce, mse');
    }
    expect(VERIFY_USAGE).toContain('default: every one the\n                        implementation declares');
  });

  it('restrict what the built-in reference (every family) is sent, and the report says so', async () => {
    const dir = tmp();
    const json = join(dir, 'report.json');
    const io = capture();
    expect(await run(['verify', '--runs', '30', '--activations', 'relu,softmax', '--losses', 'cce', '--json', json, '--corpus', join(dir, 'corpus'), '--quiet'], io)).toBe(0);
    expect(io.stdout).toContain('declares: activations sigmoid, tanh, relu, leaky_relu, linear, softmax; losses bce, cce, mse; kink left');
    expect(io.stdout).toContain('note: generated networks of the activations relu, softmax and the losses cce (what the implementation declares, restricted by the options)');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { implementation: { description: Record<string, unknown> } };
    expect(report.implementation.description).toMatchObject({ activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'softmax'], losses: ['bce', 'cce', 'mse'], kink: 'left' });
  });

  it('leaving nothing valid to generate exits 2 saying why', async () => {
    const io = capture();
    expect(await run(['verify', '--runs', '5', '--activations', 'tanh', '--losses', 'bce', '--corpus', join(tmp(), 'c'), '--quiet'], io)).toBe(2);
    expect(io.stdout).toContain('E_FAMILY: nothing to generate');
    expect(io.stdout).toContain('bce needs a sigmoid output (sigmoid is not allowed)');
    const v1 = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/correct.mjs', '--runs', '5', '--losses', 'mse', '--corpus', join(tmp(), 'c'), '--quiet'], v1)).toBe(2);
    expect(v1.stdout).toContain('nothing to generate: the implementation declares activations sigmoid and losses bce; --losses mse leaves no loss');
    const self = capture();
    expect(await run(['self-check', '--runs', '2', '--activations', 'softmax', '--losses', 'bce', '--quiet'], self)).toBe(2);
    expect(self.stderr).toContain('bce needs a sigmoid output');
  });
});

describe('--case of an undeclared family', () => {
  it('is refused with exit 2, naming the case and what the implementation lacks', async () => {
    const dir = tmp();
    const file = join(dir, 'relu-tanh.json');
    writeFileSync(file, JSON.stringify(TANH_MSE));
    const io = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/correct.mjs', '--case', file, '--corpus', join(dir, 'corpus'), '--quiet'], io)).toBe(2);
    expect(io.stdout).toContain(`E_UNDECLARED: case ${file} uses the activations relu, tanh and the loss mse, which the implementation does not declare`);
    expect(io.stdout).toContain('a version-1 implementation, sigmoid / bce only');
    // never sent, so never saved as a counterexample (replayed, it would stop every later run)
    expect(existsSync(join(dir, 'corpus'))).toBe(false);
    // the built-in reference declares them: the same case is judged
    const ok = capture();
    expect(await run(['verify', '--case', file, '--corpus', join(dir, 'corpus2'), '--quiet'], ok)).toBe(0);
    expect(ok.stdout).toContain('verdict: CORRECT  (1 of 1 cases');
  });
});
