import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COUNTEREXAMPLE_DIR, parseCommandLine } from '../../src/cli/args.js';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';
import { validateReportJson } from '../../src/report/formats.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'bo-cli-'));
const impl = (name: string): string => `fixtures/implementations/${name}`;

describe('command-line parsing', () => {
  it('parses verify options with their defaults', () => {
    expect(parseCommandLine(['verify'])).toEqual({
      command: 'verify', impl: null, cmd: null, runs: 200, seed: 42, path: null, maxLayers: 6, precision: null, strict: false,
      timeBudget: null, shrinkBudget: 30, timeout: 5_000, maxCrashes: 100, json: null, junit: null, saveCounterexamples: DEFAULT_COUNTEREXAMPLE_DIR, shard: null, cases: [], digits: 50, quiet: false, mode: 'cases', directions: 4,
      activations: null, losses: null,
    });
    expect(parseCommandLine(['verify', '--cmd', 'python3 x.py', '--runs', '5', '--seed=-3', '--path', '1:2', '--max-layers', '2', '--precision', 'float32', '--strict',
      '--time-budget', '1.5', '--timeout', '300', '--json', 'r.json', '--junit', 'r.xml', '--save-counterexamples', 'ce', '--shard', '2/4', '--case', 'a.json', '--case', 'dir', '--digits', '60', '--quiet'])).toEqual({
      command: 'verify', impl: null, cmd: 'python3 x.py', runs: 5, seed: -3, path: '1:2', maxLayers: 2, precision: 'float32', strict: true,
      timeBudget: 1.5, shrinkBudget: 30, timeout: 300, maxCrashes: 100, json: 'r.json', junit: 'r.xml', saveCounterexamples: 'ce', shard: { index: 2, count: 4 }, cases: ['a.json', 'dir'], digits: 60, quiet: true, mode: 'cases', directions: 4,
      activations: null, losses: null,
    });
    expect(parseCommandLine(['self-check', '--runs', '3'])).toMatchObject({ command: 'self-check', runs: 3, seed: 42, digits: 50 });
    expect(parseCommandLine([])).toEqual({ command: 'usage' });
    expect(parseCommandLine(['--version'])).toEqual({ command: 'version' });
  });

  it('rejects every malformed or out-of-range option with a message naming the option and the value', () => {
    const message = (argv: string[]): string => {
      try {
        parseCommandLine(argv);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect([
      message(['verify', '--runs', 'ten']),
      message(['verify', '--runs', '0']),
      message(['verify', '--digits', '10']),
      message(['verify', '--max-layers', '2.5']),
      message(['verify', '--json', ' ']),
      message(['verify', '--precision', 'float16']),
      message(['verify', '--shard', '3/2']),
      message(['verify', '--shard', 'half']),
      message(['verify', '--time-budget', '-1']),
      message(['verify', '--timeout', 'soon']),
      message(['verify', '--path', 'a:b']),
      message(['verify', '--impl', 'a.js', '--cmd', 'b']),
      message(['verify', '--cmd', '']),
      message(['verify', '--case', '']),
      message(['verify', '--save-counterexamples', '']),
      message(['verify', '--bogus']),
      message(['self-check', '--impl', 'x']),
      message(['frobnicate']),
    ]).toMatchInlineSnapshot(`
      [
        "verify: --runs must be an integer from 1 to 10000000, got "ten"",
        "verify: --runs must be an integer from 1 to 10000000, got 0",
        "verify: --digits must be an integer from 30 to 200, got 10",
        "verify: --max-layers must be an integer from 1 to 12, got "2.5"",
        "verify: --json needs a file name",
        "verify: --precision must be float32 or float64, got "float16"",
        "verify: --shard must be i/n with 1 <= i <= n (for example 2/4), got "3/2"",
        "verify: --shard must be i/n with 1 <= i <= n (for example 2/4), got "half"",
        "verify: --time-budget must be a positive number of seconds, got "-1"",
        "verify: --timeout must be an integer from 1 to 3600000, got "soon"",
        "verify: --path must be a fast-check path such as 12:0:3, got "a:b"",
        "verify: give either --impl or --cmd, not both",
        "verify: --cmd needs a command line",
        "verify: --case needs a file or folder name",
        "verify: --save-counterexamples needs a folder name",
        "verify: unknown option --bogus (backprop-oracle verify --help lists the options)",
        "self-check: unknown option --impl (backprop-oracle self-check --help lists the options)",
        "unknown command "frobnicate"; commands: verify, replay, claim, catalogue, decay, self-check, help",
      ]
    `);
  });
});

describe('backprop-oracle verify end to end', () => {
  it('with neither --impl nor --cmd verifies the built-in reference: CORRECT, exit 0', async () => {
    const io = capture();
    expect(await run(['verify', '--runs', '20', '--max-layers', '3'], io)).toBe(0);
    expect(io.stdout).toContain('backprop-oracle verify: built-in float64 reference (float64)');
    expect(io.stdout).toContain('verdict: CORRECT  (20 of 20 cases, seed 42');
    expect(io.stderr).toContain('20/20 cases, 0 wrong, 0 inaccurate');
  });

  it('a buggy module exits 1 and writes the counterexample, the JSON report and JUnit XML', async () => {
    const dir = tmp();
    const io = capture(false, { GITHUB_ACTIONS: 'true' });
    const code = await run(['verify', '--impl', impl('buggy-wrong-sign.mjs'), '--runs', '50', '--json', join(dir, 'r.json'), '--junit', join(dir, 'r.xml'), '--save-counterexamples', join(dir, 'ce'), '--quiet'], io);
    expect(code).toBe(1);
    expect(io.stdout).toContain('verdict: WRONG');
    expect(io.stdout).toContain('minimal counterexample:\nWRONG at layer 1, dE/dW[j=0][i=0]');
    expect(io.stdout).toMatch(/::error title=backprop-oracle/);
    expect(io.stderr).toBe('');
    const saved = readdirSync(join(dir, 'ce'), { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
    expect(saved).toHaveLength(1);
    expect(io.stdout).toContain(`--case ${join(dir, 'ce', saved[0]!)}`);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as unknown;
    expect(validateReportJson(report)).toEqual([]);
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toMatch(/<testsuites name="backprop-oracle" tests="\d+" failures="1"/);

    // replaying the saved counterexample reproduces the failure
    const again = capture();
    expect(await run(['verify', '--impl', impl('buggy-wrong-sign.mjs'), '--case', join(dir, 'ce', saved[0]!), '--quiet'], again)).toBe(1);
    expect(again.stdout).toContain('verdict: WRONG');
    expect(again.stdout).toContain('WRONG at layer 1, dE/dW[j=0][i=0]');
  });

  it('the Python implementation over --cmd is correct (exit 0)', async () => {
    const io = capture();
    expect(await run(['verify', '--cmd', `python3 ${impl('correct.py')}`, '--runs', '30', '--quiet'], io)).toBe(0);
    expect(io.stdout).toContain('verdict: CORRECT');
  });

  it('--strict turns an inaccurate verdict into exit 1', async () => {
    const lenient = capture();
    expect(await run(['verify', '--impl', impl('textbook.mjs'), '--runs', '60', '--quiet', '--save-counterexamples', join(tmp(), 'ce')], lenient)).toBe(0);
    expect(lenient.stdout).toContain('verdict: INACCURATE');
    expect(lenient.stdout).toContain('inaccurate values, explained by the textbook algorithm');
    const strict = capture();
    expect(await run(['verify', '--impl', impl('textbook.mjs'), '--runs', '60', '--quiet', '--strict', '--save-counterexamples', join(tmp(), 'ce')], strict)).toBe(1);
  });

  it('exits 2 when the implementation cannot be loaded or started, saying which', async () => {
    const missing = capture();
    expect(await run(['verify', '--impl', 'no/such/module.mjs', '--quiet'], missing)).toBe(2);
    expect(missing.stderr).toContain('verify: the implementation could not be started: cannot load implementation "no/such/module.mjs": no such file');
    const absent = capture();
    expect(await run(['verify', '--cmd', 'no-such-command-backprop-oracle', '--quiet'], absent)).toBe(2);
    expect(absent.stderr).toMatch(/could not be started: .*E?.*no-such-command-backprop-oracle/s);
  });

  it('--case verifies a user\'s own case, and a malformed case file exits 2 naming the file and field', async () => {
    const dir = tmp();
    const good = join(dir, 'model.json');
    writeFileSync(good, JSON.stringify({ network: { layers: [{ weights: [[0.1, 0.2], [0.3, 0.4]], bias: [0, 0.1] }] }, batch: { inputs: [[1, 2]], targets: [[0, 1]] } }));
    const io = capture();
    expect(await run(['verify', '--impl', impl('correct.mjs'), '--case', good, '--quiet'], io)).toBe(0);
    expect(io.stdout).toContain('verdict: CORRECT  (1 of 1 cases');
    const f32 = capture();
    expect(await run(['verify', '--impl', impl('correct-float32.mjs'), '--case', dir, '--quiet'], f32)).toBe(0);
    expect(f32.stdout).toContain('rounded to float32 first; the oracle judged the rounded case');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ network: { layers: [{ weights: [[0.1, 0.2], [0.3]] }] }, batch: { inputs: [[1, 2]], targets: [[0, 1]] } }));
    const io2 = capture();
    expect(await run(['verify', '--case', bad], io2)).toBe(2);
    expect(io2.stderr).toContain(`verify: --case ${bad}`);
    expect(io2.stderr).toContain(`verify: --case ${bad}: case.network.layers[0].weights[1] has 1 entry, expected 2 (layer 0 has 2 outputs)`);
    const io3 = capture();
    expect(await run(['verify', '--case', join(dir, 'nothing.json')], io3)).toBe(2);
    expect(io3.stderr).toContain('no such file or folder');
  });

  it('a report that cannot be written is an exit 2, but the summary is still printed', async () => {
    const io = capture();
    expect(await run(['verify', '--runs', '2', '--quiet', '--json', '/nonexistent-dir/r.json'], io)).toBe(2);
    expect(io.stdout).toContain('verdict: CORRECT');
    expect(io.stderr).toContain('could not write the JSON report to --json /nonexistent-dir/r.json');
  });

  it('self-check runs the three-way check; help and version print', async () => {
    const io = capture(true);
    expect(await run(['self-check', '--runs', '6', '--max-layers', '2'], io)).toBe(0);
    expect(io.stdout).toContain('verdict: CORRECT  (6 generated cases');
    expect(io.stderr).toContain('\r');
    const help = capture();
    expect(await run(['help'], help)).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 correct');
    expect(await run(['--version'], help, '1.2.3')).toBe(0);
    expect(help.stdout).toContain('1.2.3');
    const bad = capture();
    expect(await run(['verify', '--runs', 'x'], bad)).toBe(2);
    expect(bad.stderr).toContain('Run "backprop-oracle verify --help" for the options.');
  });
});
