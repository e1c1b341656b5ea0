import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';

/** Issue 10, parts 2-4, from the command line: verdicts a user can trust. */

const tmp = (): string => mkdtempSync(join(tmpdir(), 'bo-verdicts-'));

describe('a run that judged nothing exits 2 saying why', () => {
  it('--runs 2 --shard 3/3', async () => {
    const io = capture();
    expect(await run(['verify', '--runs', '2', '--shard', '3/3', '--quiet', '--corpus', tmp()], io)).toBe(2);
    expect(io.stderr + io.stdout).toContain('shard 3/3 of 2 runs holds no case: use fewer shards or more runs');
    expect(io.stdout).not.toContain('verdict: CORRECT');
  });

  it('--time-budget 0.001', async () => {
    const dir = tmp();
    const io = capture();
    expect(await run(['verify', '--time-budget', '0.001', '--quiet', '--corpus', dir, '--json', join(dir, 'r.json')], io)).toBe(2);
    expect(io.stdout).toContain('the time budget of 0.001 s ran out before the first case');
    expect(io.stdout).not.toContain('verdict: CORRECT');
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toMatchObject({ verdict: 'error', exitCode: 2 });
  });
});

describe('the JSON report agrees with the exit code', () => {
  it('the accumulating implementation: wrong everywhere, never "inaccurate" with exit 0', async () => {
    const dir = tmp();
    const io = capture();
    const code = await run(['verify', '--impl', 'fixtures/implementations/buggy-accumulates.mjs', '--runs', '50', '--quiet', '--corpus', join(dir, 'c'), '--json', join(dir, 'r.json'), '--junit', join(dir, 'r.xml')], io);
    expect(code).toBe(1);
    expect(io.stdout).toContain('verdict: WRONG');
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { verdict: string; exitCode: number; failures: { outcome: string }[] };
    expect(json).toMatchObject({ verdict: 'wrong', exitCode: 1 });
    expect(json.failures[0]!.outcome).toBe('wrong');
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toMatch(/<testsuites name="backprop-oracle" tests="\d+" failures="[1-9]/);
  });
});

describe('--shrink-budget', () => {
  it('parses, with a default of 30 s, and rejects nonsense', () => {
    expect(parseCommandLine(['verify'])).toMatchObject({ shrinkBudget: 30 });
    expect(parseCommandLine(['verify', '--shrink-budget', '2.5'])).toMatchObject({ shrinkBudget: 2.5 });
    expect(() => parseCommandLine(['verify', '--shrink-budget', 'soon'])).toThrow('verify: --shrink-budget must be a positive number of seconds, got "soon"');
  });

  it('the progress display shows the shrinking: steps, the best case so far, the time left', async () => {
    const io = capture(true);
    const code = await run(['verify', '--cmd', 'node fixtures/hostile/slow-command.mjs fixtures/implementations/buggy-missing-slope.mjs 100', '--runs', '5', '--shrink-budget', '1.5', '--corpus', tmp()], io);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/shrinking: \d+ steps, best so far \d+ layers? [\d-]+, batch \d+, \d+(\.\d)? s left/);
    expect(io.stdout).toMatch(/note: shrinking stopped early: the shrink budget of 1.5 s ran out after \d+ steps/);
    expect(io.stdout).toContain('smallest case found so far:');
  });
});

describe('replay FILE', () => {
  it('without --impl or --cmd uses the implementation the file records', async () => {
    const dir = tmp();
    expect(await run(['verify', '--impl', 'fixtures/implementations/buggy-wrong-sign.mjs', '--runs', '20', '--quiet', '--corpus', dir], capture())).toBe(1);
    const file = join(dir, readdirSync(dir, { recursive: true }).map(String).find((f) => f.endsWith('.json'))!);
    const io = capture();
    expect(await run(['replay', file, '--quiet'], io)).toBe(1);
    expect(io.stderr).toContain('replay: the file records the implementation --impl fixtures/implementations/buggy-wrong-sign.mjs; verifying that');
    expect(io.stdout).toContain('backprop-oracle verify: fixtures/implementations/buggy-wrong-sign.mjs');
  });

  it('refuses a file that records no implementation', async () => {
    const file = join(tmp(), 'case.json');
    writeFileSync(file, JSON.stringify({ network: { layers: [{ weights: [[1]], bias: null }] }, batch: { inputs: [[1]], targets: [[0]] } }));
    const io = capture();
    expect(await run(['replay', file, '--quiet'], io)).toBe(2);
    expect(io.stderr).toContain(`replay: ${file} does not record the implementation it failed on: name it with --impl FILE or --cmd "COMMAND"`);
  });
});
