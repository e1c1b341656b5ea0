import { mkdtempSync, readFileSync } from 'node:fs';
import { capture } from '../helpers/io.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECAY_USAGE, parseDecayArgs, runDecay } from '../../src/cli/decay.js';
import { UsageError } from '../../src/cli/errors.js';

/** `backprop-oracle decay`: options, messages, exit codes, the table and the files it writes. */

const tmp = (): string => mkdtempSync(join(tmpdir(), 'bo-decay-cli-'));

function message(argv: string[]): string {
  try {
    parseDecayArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  return 'accepted';
}

describe('decay options', () => {
  it('has defaults, and reads every option', () => {
    expect(parseDecayArgs([])).toEqual({ help: false, layers: 10, width: 8, init: { kind: 'xavier' }, samples: 20, batch: 1, seed: 1, steps: 20, rate: 0.5, plot: null, html: null, json: null });
    expect(
      parseDecayArgs(['--layers', '3', '--width=2', '--init', 'scale:0.5', '--samples', '4', '--batch', '2', '--seed=-9', '--steps', '0', '--rate', '0.1', '--plot', 'p.svg', '--html', 'r.html', '--json', 'r.json']),
    ).toEqual({ help: false, layers: 3, width: 2, init: { kind: 'scale', scale: 0.5 }, samples: 4, batch: 2, seed: -9, steps: 0, rate: 0.1, plot: 'p.svg', html: 'r.html', json: 'r.json' });
    expect(parseDecayArgs(['--init', 'he']).init).toEqual({ kind: 'he' });
    expect(parseDecayArgs(['--init', 'uniform']).init).toEqual({ kind: 'uniform' });
    expect(parseDecayArgs(['--help']).help).toBe(true);
  });

  it('rejects bad values with a message naming the option, the value and what is expected', () => {
    expect([
      message(['--layers', 'x']),
      message(['--layers', '0']),
      message(['--layers', '51']),
      message(['--width', '2.5']),
      message(['--samples', '']),
      message(['--batch', '1001']),
      message(['--seed', '4294967296']),
      message(['--steps=-1']),
      message(['--rate', '0']),
      message(['--rate', 'fast']),
      message(['--rate', ' ']),
      message(['--init', 'normal']),
      message(['--init', 'scale:2000']),
      message(['--plot', '']),
      message(['--json', ' ']),
      message(['--html', '']),
      message(['--depth', '3']),
      message(['extra']),
    ]).toMatchInlineSnapshot(`
      [
        "decay: --layers must be an integer from 1 to 50, got "x"",
        "decay: --layers must be an integer from 1 to 50, got "0"",
        "decay: --layers must be an integer from 1 to 50, got "51"",
        "decay: --width must be an integer from 1 to 64, got "2.5"",
        "decay: --samples must be an integer from 1 to 100000, got """,
        "decay: --batch must be an integer from 1 to 1000, got "1001"",
        "decay: --seed must be an integer from -2147483648 to 2147483647, got "4294967296"",
        "decay: --steps must be an integer from 0 to 10000, got "-1"",
        "decay: --rate must be a number with 0 < A <= 100, got "0"",
        "decay: --rate must be a number with 0 < A <= 100, got "fast"",
        "decay: --rate must be a number with 0 < A <= 100, got " "",
        "decay: --init must be uniform, xavier, he or scale:A (uniform in [-A, A], 0 < A <= 1000), got "normal"",
        "decay: --init must be uniform, xavier, he or scale:A (uniform in [-A, A], 0 < A <= 1000), got "scale:2000"",
        "decay: --plot needs a file name",
        "decay: --json needs a file name",
        "decay: --html needs a file name",
        "decay: unknown option --depth (backprop-oracle decay --help lists the options)",
        "decay: unexpected argument "extra": decay takes options only (backprop-oracle decay --help lists them)",
      ]
    `);
  });

  it('documents every option and the init syntax in DECAY_USAGE', () => {
    for (const option of ['--layers L', '--width N', '--init NAME', '--samples K', '--seed S', '--batch B', '--steps T', '--rate A', '--plot FILE', '--html FILE', '--json FILE', 'scale:A', 'xavier', 'uniform', 'he']) {
      expect(DECAY_USAGE).toContain(option);
    }
  });
});

describe('backprop-oracle decay end to end', () => {
  it('prints the table and writes the plot, the HTML and the JSON (exit 0)', () => {
    const dir = tmp();
    const io = capture();
    const code = runDecay(parseDecayArgs(['--layers', '5', '--width', '4', '--samples', '8', '--seed', '3', '--steps', '5', '--plot', join(dir, 'p.svg'), '--html', join(dir, 'r.html'), '--json', join(dir, 'r.json')]), io);
    expect(code).toBe(0);
    expect(io.stderr).toBe('');
    expect(io.stdout).toMatch(/^backprop-oracle decay: 8 networks of 5 sigmoid layers, width 4, xavier init/);
    expect(io.stdout).toContain('none violated');
    expect(io.stdout).toContain('training: 5 gradient-descent steps at rate 0.5');
    expect(readFileSync(join(dir, 'p.svg'), 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('<h1>Vanishing gradient</h1>');
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toMatchObject({ kind: 'backprop-oracle-decay', experiment: { layers: 5, width: 4, samples: 8, seed: 3 }, violations: 0 });
  });

  it('gives the same table for the same seed', () => {
    const argv = ['--layers', '6', '--width', '3', '--init', 'uniform', '--samples', '10', '--seed', '11', '--steps', '0'];
    const [a, b] = [capture(), capture()];
    runDecay(parseDecayArgs(argv), a);
    runDecay(parseDecayArgs(argv), b);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatchInlineSnapshot(`
      "backprop-oracle decay: 10 networks of 6 sigmoid layers, width 3, uniform init (weights uniform in [-1, 1]), batch 1, seed 11

      layer  above  gradient norm  middle half       full range        bound   ratio   ratio range
          6      0  7.4e-1         6.8e-1 .. 8.1e-1  6.2e-1 .. 8.5e-1  7.4e-1  1.0e+0  1.0e+0 .. 1.0e+0
          5      1  1.8e-1         1.1e-1 .. 2.3e-1  8.6e-2 .. 2.8e-1  3.1e-1  5.3e-1  3.8e-1 .. 8.2e-1
          4      2  3.4e-2         2.4e-2 .. 6.3e-2  1.7e-2 .. 1.1e-1  1.4e-1  2.7e-1  1.3e-1 .. 5.3e-1
          3      3  7.7e-3         3.7e-3 .. 1.3e-2  2.8e-3 .. 3.5e-2  5.7e-2  1.4e-1  7.5e-2 .. 3.5e-1
          2      4  1.8e-3         7.5e-4 .. 4.3e-3  4.8e-4 .. 6.2e-3  2.8e-2  8.6e-2  2.8e-2 .. 2.2e-1
          1      5  4.2e-4         1.5e-4 .. 9.1e-4  6.3e-5 .. 1.3e-3  1.4e-2  3.1e-2  7.8e-3 .. 7.4e-2

      gradient norm: ||dE/dW^(l)||_F, median over the networks; middle half: quartiles; bound:
      (1/4)^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b||, median; ratio: gradient norm / bound, per network.
      the median gradient norm changes by a factor 2.2e-1 per layer going down (least-squares fit).
      bound checked: 230 inequalities, none violated.
      "
    `);
  });

  it('prints the help with --help (exit 0)', () => {
    const io = capture();
    expect(runDecay(parseDecayArgs(['--help']), io)).toBe(0);
    expect(io.stdout).toBe(DECAY_USAGE + '\n');
  });

  it('exits 2 naming the option and the file when a report cannot be written, and still prints the table', () => {
    const io = capture();
    const code = runDecay(parseDecayArgs(['--layers', '2', '--samples', '2', '--steps', '0', '--plot', join(tmp(), 'no', 'such', 'dir', 'p.svg'), '--json', join(tmp(), 'r.json')]), io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/^decay: could not write the plot to --plot \S+p\.svg: ENOENT/);
    expect(io.stdout).toContain('backprop-oracle decay: 2 networks of 2 sigmoid layers');
  });
});
