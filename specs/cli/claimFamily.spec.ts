/**
 * `claim` on the version-2 family (issue 13): the examples exactly as the issue and docs/claims.md
 * write them, through the command line: exit 0 true, 1 false with the worked counterexample (small:
 * at most 2 layers, 3 units, batch 2, 2 significant digits) and the factor that differs, 2 unusable.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseSize } from '../../src/claims/size.js';
import { parseClaimArgs, runClaim } from '../../src/cli/claim.js';
import type { CaseJson } from '../../src/network/types.js';
import { capture } from '../helpers/io.js';

const RUNS = process.env.BACKPROP_ORACLE_RUNS ?? '100';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'bo-claim-family-'));

/** Runs `claim ARGS` with a fresh corpus and a JSON report: the exit code, stdout, stderr, and the counterexample's case. */
function claim(...args: string[]): { code: number; out: string; err: string; case: CaseJson | null } {
  const io = capture();
  const dir = tmp();
  const json = join(dir, 'verdict.json');
  const code = runClaim(parseClaimArgs(['--corpus', join(dir, 'corpus'), '--runs', RUNS, '--json', json, ...args]), io);
  let found: CaseJson | null = null;
  if (code !== 2) found = (JSON.parse(readFileSync(json, 'utf8')) as { case?: CaseJson }).case ?? null;
  return { code, out: io.stdout, err: io.stderr, case: found };
}

/** The counterexample is a worked example a person checks by hand. */
function small(c: CaseJson | null): void {
  expect(c).not.toBe(null);
  const size = caseSize(c!);
  expect(size.layers).toBeLessThanOrEqual(2);
  expect(size.maxUnits).toBeLessThanOrEqual(3);
  expect(size.batch).toBeLessThanOrEqual(2);
  expect(size.maxDigits).toBeLessThanOrEqual(2);
}

describe('claim --loss cce (a softmax output)', () => {
  it('"(Z - t) * Y" is true: the same output gradient as sigmoid with cross-entropy', () => {
    const r = claim('--loss', 'cce', '(Z - t) * Y');
    expect(r.code).toBe(0);
    expect(r.out).toContain('softmax layer, loss cce');
    expect(r.out).toMatch(/verdict: TRUE {2}\(\d+ cases/);
  });

  it('"-t * (1 - Z) * Y" is false: the Jacobian replaced by its diagonal Z(1 - Z)', () => {
    const r = claim('--loss', 'cce', '--', '-t * (1 - Z) * Y');
    expect(r.code).toBe(1);
    expect(r.out).toContain('verdict: FALSE');
    expect(r.out).toContain('layer 1 (softmax): W = ');
    expect(r.out).toMatch(/dE\/dS = Z - t +=.*MISSING from the claim/);
    expect(r.out).toContain("=> the softmax's Jacobian dZ_k/dS_i = Z_k (delta_ki - Z_i) was replaced by its diagonal Z_i (1 - Z_i)");
    expect(r.case!.network.loss).toBe('cce');
    small(r.case);
    for (const row of r.case!.batch.targets) expect(row.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('the fused delta times the diagonal again is false, and names the extra Z(1 - Z)', () => {
    const r = claim('--loss', 'cce', '(Z - t) * Z * (1 - Z) * Y');
    expect(r.code).toBe(1);
    expect(r.out).toContain("the softmax's diagonal Z (1 - Z): with cross-entropy dE/dS = Z - t already includes the softmax's Jacobian");
    small(r.case);
  });

  it('sum_k over the softmax row: the loss as -sum_k t_k ln Z_k per unit is true, and the symbols list says so', () => {
    expect(claim('--loss', 'cce', '--target', 'loss', '--', '-t * ln(Z)').code).toBe(0);
    expect(claim('--loss', 'cce', '--target', 'dE/dS', 'Z * sum_k(t_k) - t').code).toBe(0);
    const bad = claim('--loss', 'cce', 'Z_k * Y');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Z_k exists only inside sum_k(...)');
    expect(bad.err).toContain('inside sum_k(...) also:');
  });
});

describe('claim --loss mse', () => {
  it('"2 * (Z - t) * Y" is true for a linear output', () => {
    expect(claim('--loss', 'mse', '--activation', 'linear', '2 * (Z - t) * Y').code).toBe(0);
  });

  it('"(Z - t) * Y" is false, naming the missing factor 2', () => {
    const r = claim('--loss', 'mse', '--activation', 'linear', '(Z - t) * Y');
    expect(r.code).toBe(1);
    expect(r.out).toContain("=> the factor 2 of the squared error's derivative d(Z - t)^2/dZ = 2 (Z - t) is missing");
    small(r.case);
  });

  it('the loss is (Z - t)^2 per output; the default output is linear', () => {
    expect(claim('--loss', 'mse', '--target', 'loss', '(Z - t)^2').code).toBe(0);
    expect(claim('--loss', 'mse', '--activation', 'tanh', '2 * (Z - t) * (1 - Z^2) * Y').code).toBe(0);
  });
});

describe('claim --layer hidden --activation', () => {
  it('tanh: "(1 - Y_j^2)" is true', () => {
    expect(claim('--layer', 'hidden', '--activation', 'tanh', 'sum_i((Z_i - t_i) * W_ji) * (1 - Y_j^2) * X_k').code).toBe(0);
  });

  it("tanh: Y_j * (1 - Y_j) is false, naming the sigmoid's derivative used for tanh", () => {
    const r = claim('--layer', 'hidden', '--activation', 'tanh', 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k');
    expect(r.code).toBe(1);
    expect(r.out).toContain('layer 1 (tanh): W = ');
    expect(r.out).toMatch(/dY_j\/dS_j = 1 - Y_j\^2 +=.*MISSING from the claim/);
    expect(r.out).toContain("=> Y_j (1 - Y_j) is the sigmoid's derivative, used for a tanh layer");
    small(r.case);
  });

  it('relu: with step(S_j) true, without it false (the claim lacks the step)', () => {
    expect(claim('--layer', 'hidden', '--activation', 'relu', 'sum_i((Z_i - t_i) * W_ji) * step(S_j) * X_k').code).toBe(0);
    const r = claim('--layer', 'hidden', '--activation', 'relu', 'sum_i((Z_i - t_i) * W_ji) * X_k');
    expect(r.code).toBe(1);
    expect(r.out).toContain('=> the claim lacks dY_j/dS_j = step(S_j)');
    small(r.case);
  });

  it('leaky_relu with alpha: true with alpha on the left piece, false with alpha ignored', () => {
    expect(claim('--layer', 'hidden', '--activation', 'leaky_relu', '--alpha', '0.25', 'sum_i((Z_i - t_i) * W_ji) * (alpha + (1 - alpha) * step(S_j)) * X_k').code).toBe(0);
    const r = claim('--layer', 'hidden', '--activation', 'leaky_relu', 'sum_i((Z_i - t_i) * W_ji) * step(S_j) * X_k');
    expect(r.code).toBe(1);
    expect(r.out).toContain("=> leaky_relu's alpha is ignored");
  });
});

describe('claim: unusable families exit 2', () => {
  it('names the option and why', () => {
    const cases: [string[], string][] = [
      [['--loss', 'cce', '--activation', 'sigmoid', 'Y'], 'loss cce takes a softmax output'],
      [['--loss', 'bce', '--activation', 'tanh', 'Y'], 'loss bce takes a sigmoid output'],
      [['--loss', 'mse', '--activation', 'softmax', 'Y'], 'loss mse takes any output activation but softmax'],
      [['--layer', 'hidden', '--activation', 'softmax', 'Y_j'], "softmax is the last layer's activation only"],
      [['--activation', 'sigmoid', '--alpha', '0.1', 'Y'], 'alpha belongs to a leaky_relu layer'],
      [['--loss', 'cce', '--target', 'dZ/dS', 'Z'], 'a softmax output couples its row'],
      [['--loss', 'mse', '--cases', 'generic', 'Y'], '--cases generic generates version-1 networks only'],
      [['--layer', 'hidden', '--activation', 'tanh', 'sum_i(Z_k)'], 'unknown symbol "Z_k"'],
    ];
    for (const [args, message] of cases) {
      const r = claim(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toContain(message);
    }
    expect(() => parseClaimArgs(['--loss', 'hinge', 'Y'])).toThrow('claim: --loss must be bce, cce, mse, got "hinge"');
    expect(() => parseClaimArgs(['--alpha', '1', 'Y'])).toThrow('claim: --alpha must be a number with 0 <= alpha < 1, got "1"');
  });

  it('a version-1 claim names no family: the same header and corpus key as before', () => {
    const r = claim('--runs', '5', '(Z - t) * Y');
    expect(r.out).toContain('(output layer of 1 or 2-layer networks, reduction sum, decimal arithmetic)');
    expect(parseClaimArgs(['Y'])).not.toHaveProperty('loss');
  });
});
