import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { run, type Io } from '../../src/cli/run.js';

function capture(isTTY = false): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

describe('backprop-oracle command line', () => {
  it('parses verify options with their defaults', () => {
    expect(parseCommandLine(['verify'])).toEqual({ command: 'verify', runs: 200, seed: 42, maxLayers: 6, precision: 50, json: null, quiet: false });
    expect(parseCommandLine(['verify', '--runs', '5', '--seed=-3', '--max-layers', '2', '--precision', '60', '--json', 'r.json', '--quiet'])).toEqual({
      command: 'verify', runs: 5, seed: -3, maxLayers: 2, precision: 60, json: 'r.json', quiet: true,
    });
    expect(parseCommandLine([])).toEqual({ command: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ command: 'version' });
  });

  it('rejects malformed and out-of-range options with a message naming the option and the value', () => {
    expect(() => parseCommandLine(['verify', '--runs', 'ten'])).toThrowErrorMatchingInlineSnapshot(`[UsageError: verify: --runs must be an integer from 1 to 10000000, got "ten"]`);
    expect(() => parseCommandLine(['verify', '--runs', '0'])).toThrowErrorMatchingInlineSnapshot(`[UsageError: verify: --runs must be an integer from 1 to 10000000, got 0]`);
    expect(() => parseCommandLine(['verify', '--precision', '10'])).toThrowErrorMatchingInlineSnapshot(`[UsageError: verify: --precision must be an integer from 30 to 200, got 10]`);
    expect(() => parseCommandLine(['verify', '--max-layers', '2.5'])).toThrowErrorMatchingInlineSnapshot(`[UsageError: verify: --max-layers must be an integer from 1 to 12, got "2.5"]`);
    expect(() => parseCommandLine(['verify', '--json', ' '])).toThrowErrorMatchingInlineSnapshot(`[UsageError: verify: --json needs a file name]`);
    expect(() => parseCommandLine(['verify', '--bogus'])).toThrow(/verify: Unknown option '--bogus'/);
    expect(() => parseCommandLine(['frobnicate'])).toThrowErrorMatchingInlineSnapshot(`[UsageError: unknown command "frobnicate"; commands: verify, help]`);
  });

  it('exits 2 with the message and the usage on bad arguments', () => {
    const io = capture();
    expect(run(['verify', '--runs', 'x'], io)).toBe(2);
    expect(io.stderr).toContain('verify: --runs must be an integer');
    expect(io.stderr).toContain('Usage: backprop-oracle');
  });

  it('prints help and version', () => {
    const io = capture();
    expect(run(['help'], io)).toBe(0);
    expect(io.stdout).toContain('Exit codes: 0 correct, 1 wrong, 2');
    expect(run(['--version'], io, '1.2.3')).toBe(0);
    expect(io.stdout).toContain('1.2.3');
  });

  it('verify on the built-in reference says CORRECT, exits 0, writes the JSON report, and is reproducible by seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-cli-'));
    const io = capture();
    const code = run(['verify', '--runs', '12', '--seed', '5', '--max-layers', '3', '--json', join(dir, 'r.json')], io);
    expect(code).toBe(0);
    expect(io.stdout).toContain('verdict: CORRECT  (12 generated cases');
    expect(io.stderr).toContain('12/12 cases, 0 failure(s)');
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { verdict: string; runs: number; seed: number; failures: unknown[]; classes: Record<string, { cases: number }> };
    expect(report).toMatchObject({ verdict: 'correct', runs: 12, seed: 5, failures: [] });
    expect(Object.values(report.classes).reduce((n, c) => n + c.cases, 0)).toBe(12);
    const again = capture(true);
    expect(run(['verify', '--runs', '12', '--seed', '5', '--max-layers', '3'], again)).toBe(0);
    const table = (s: string) => s.split('\n').filter((l) => /^(typical|zeros|tiny|saturating) /.test(l));
    expect(table(again.stdout)).toEqual(table(io.stdout));
    expect(again.stderr).toContain('\r12/12 cases');
  });

  it('reports an unwritable JSON path as a failure to do its job (exit 2)', () => {
    const io = capture();
    expect(run(['verify', '--runs', '1', '--quiet', '--json', '/nonexistent-dir/r.json'], io)).toBe(2);
    expect(io.stderr).toContain('/nonexistent-dir/r.json');
  });
});
