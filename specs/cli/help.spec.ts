import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';

const COMMANDS = ['verify', 'replay', 'claim', 'catalogue', 'decay', 'self-check'] as const;

const message = (argv: string[]): string => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('--help of every command', () => {
  it.each(COMMANDS)('%s --help (and -h, and help COMMAND) exits 0 with its usage, its options and an example', async (command) => {
    const outputs: string[] = [];
    for (const argv of [[command, '--help'], [command, '-h'], ['help', command], [command, '--runs', '3', '--help']]) {
      const io = capture();
      expect(await run(argv, io), argv.join(' ')).toBe(0);
      expect(io.stderr).toBe('');
      outputs.push(io.stdout);
    }
    expect(new Set(outputs).size).toBe(1);
    const help = outputs[0]!;
    expect(help).toMatch(new RegExp(`^Usage: backprop-oracle ${command}`));
    expect(help).toMatch(/\n {2}--\w/);
    expect(help).toMatch(new RegExp(`\\n {2}backprop-oracle ${command}`));
    expect(help).toContain('Exit codes');
    expect(help).not.toContain('shared/spec');
  });

  it('verify --help lists every option verify accepts, among them --digits, --mode and --directions', async () => {
    const io = capture();
    await run(['verify', '--help'], io);
    for (const option of ['impl', 'cmd', 'runs', 'seed', 'path', 'max-layers', 'precision', 'strict', 'time-budget', 'shrink-budget', 'max-crashes', 'timeout', 'json', 'junit', 'corpus', 'save-counterexamples', 'shard', 'case', 'digits', 'mode', 'directions', 'quiet', 'help']) {
      expect(io.stdout, option).toContain(`--${option}`);
    }
    expect(io.stdout).toContain('30 to 200');
    expect(io.stdout).toContain('docs/protocol.md');
  });

  it('the main help names every command with its main options; no arguments print it on standard error and exit 2', async () => {
    const help = capture();
    expect(await run(['help'], help)).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command}`);
    for (const option of ['--layer L', '--claim-runs N', '--only ID', '--plot FILE']) expect(help.stdout).toContain(option);
    expect(help.stdout).toContain('backprop-oracle <command> --help');
    const none = capture();
    expect(await run([], none)).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(help.stdout);
  });

  it('a bad option points at the help of its own command', async () => {
    for (const command of COMMANDS) {
      const io = capture();
      const argv = command === 'replay' ? [command, 'x.json', '--bogus'] : [command, '--bogus'];
      expect(await run(argv, io), command).toBe(2);
      const own = command === 'replay' ? 'verify' : command;
      expect(io.stderr, command).toContain(`unknown option --bogus (backprop-oracle ${own} --help lists the options)`);
      expect(io.stderr, command).toContain(`Run "backprop-oracle ${command} --help" for the options.`);
    }
  });
});

describe('messages for common slips', () => {
  it('a negative number is judged by the option, not called ambiguous', () => {
    expect([
      message(['verify', '--timeout', '-5']),
      message(['verify', '--runs', '-1']),
      message(['verify', '--time-budget', '-1.5']),
      message(['self-check', '--runs', '-3']),
      message(['verify', '--json', '--quiet']),
      message(['verify', '--json']),
    ]).toEqual([
      'verify: --timeout must be an integer from 1 to 3600000, got -5',
      'verify: --runs must be an integer from 1 to 10000000, got -1',
      'verify: --time-budget must be a positive number of seconds, got "-1.5"',
      'self-check: --runs must be an integer from 1 to 10000000, got -3',
      'verify: --json needs a value, and "--quiet" looks like an option (a value that starts with "-" is written --json=--quiet)',
      'verify: --json needs a value (backprop-oracle verify --help)',
    ]);
    expect(parseCommandLine(['verify', '--seed', '-7'])).toMatchObject({ seed: -7 });
  });

  it('an unquoted --cmd is told to quote the whole command', () => {
    expect(message(['verify', '--cmd', 'python3', 'f.py'])).toBe('verify: unexpected argument "f.py": --cmd takes the whole command as one argument: quote it, as in --cmd "python3 f.py"');
    expect(message(['verify', '--runs', '5', '--cmd', 'python3', '-u', 'f.py'])).toContain('unknown option -u');
    expect(message(['verify', 'extra'])).toBe('verify: unexpected argument "extra": verify takes options only (backprop-oracle verify --help lists them)');
  });

  it('the negative values of claim, catalogue and decay are judged by their options too', async () => {
    for (const [argv, expected] of [
      [['claim', '--runs', '-2', 'Y'], 'claim: --runs must be an integer from 1 to 1000000, got "-2"'],
      [['catalogue', '--runs', '-2'], 'catalogue: --runs must be a positive integer, got "-2"'],
      [['decay', '--layers', '-2'], 'decay: --layers must be an integer from 1 to 50, got "-2"'],
      [['claim', '--bogus', 'Y'], 'claim: unknown option --bogus (backprop-oracle claim --help lists the options)'],
      [['claim', '-x'], 'claim: unknown option -x (backprop-oracle claim --help lists the options); a formula that starts with "-" goes after "--": backprop-oracle claim -- "-x"'],
    ] as const) {
      const io = capture();
      expect(await run([...argv], io)).toBe(2);
      expect(io.stderr.split('\n')[0]).toBe(expected);
    }
  });

  it('verify, self-check and decay say which report files they wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-help-'));
    const verify = capture();
    expect(await run(['verify', '--runs', '3', '--quiet', '--json', join(dir, 'r.json'), '--junit', join(dir, 'r.xml')], verify)).toBe(0);
    expect(verify.stdout.trimEnd().split('\n').at(-1)).toBe(`wrote the JSON report ${join(dir, 'r.json')}, the JUnit report ${join(dir, 'r.xml')}`);
    const check = capture();
    expect(await run(['self-check', '--runs', '2', '--quiet', '--json', join(dir, 's.json')], check)).toBe(0);
    expect(check.stdout.trimEnd().split('\n').at(-1)).toBe(`wrote the JSON report ${join(dir, 's.json')}`);
    const decay = capture();
    expect(await run(['decay', '--layers', '2', '--samples', '1', '--steps', '0', '--plot', join(dir, 'd.svg'), '--json', join(dir, 'd.json')], decay)).toBe(0);
    expect(decay.stdout.trimEnd().split('\n').at(-1)).toBe(`wrote the plot ${join(dir, 'd.svg')}, the JSON report ${join(dir, 'd.json')}`);
    const none = capture();
    expect(await run(['verify', '--runs', '2', '--quiet'], none)).toBe(0);
    expect(none.stdout).not.toContain('wrote');
  });
});
