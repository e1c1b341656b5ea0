import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDecayArgs, runDecay } from '../../src/cli/decay.js';
import { UsageError } from '../../src/cli/errors.js';
import {
  customaryInit,
  decayComparisonToJson,
  decayToJson,
  initNetwork,
  parseActivationList,
  parseInit,
  runDecayComparison,
  runDecayExperiment,
  seededRandom,
  type DecayExperiment,
} from '../../src/decay/index.js';
import { forward } from '../../src/reference/forward.js';
import { formatDecay, formatDecayComparison } from '../../src/report/decay/index.js';
import { capture } from '../helpers/io.js';

/** Issue 14: `decay --activation NAME` and `decay --compare A,B,...`: the experiments, their tables and JSON, the options. */

const BASE = { layers: 10, width: 8, samples: 50, batch: 1, seed: 1, steps: 20, rate: 0.5 } as const;
const SMALL: DecayExperiment = { layers: 4, width: 3, init: parseInit('he'), samples: 6, batch: 2, seed: 7, steps: 2, rate: 0.5, activation: 'relu' };

function message(argv: string[]): string {
  try {
    parseDecayArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  return 'accepted';
}

describe('decay --activation', () => {
  it('builds hidden layers of the activation with a sigmoid output; sigmoid (or none) gives the version-1 network draw for draw', () => {
    const relu = initNetwork(seededRandom(1), [3, 4, 4, 2], parseInit('he'), 'relu');
    expect(relu.layers.map((l) => l.activation)).toEqual(['relu', 'relu', undefined]);
    const leaky = initNetwork(seededRandom(1), [3, 4, 2], parseInit('he'), 'leaky_relu', 0.2);
    expect(leaky.layers.map((l) => [l.activation, l.alpha])).toEqual([['leaky_relu', 0.2], [undefined, undefined]]);
    expect(initNetwork(seededRandom(1), [3, 4, 2], parseInit('xavier'), 'sigmoid')).toEqual(initNetwork(seededRandom(1), [3, 4, 2], parseInit('xavier')));
    expect(relu.layers.map((l) => l.W)).toEqual(initNetwork(seededRandom(1), [3, 4, 4, 2], parseInit('he')).layers.map((l) => l.W));
    expect(['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'].map((a) => customaryInit(a as 'relu').kind)).toEqual(['xavier', 'xavier', 'he', 'he', 'xavier']);
  });

  it('counts the dead units (S <= 0 for the sample) of relu layers: about half at He initialisation, and the count is the forward pass\'s', () => {
    const m = runDecayExperiment({ ...BASE, init: parseInit('he'), activation: 'relu', steps: 0 });
    const dead = m.layers.slice(0, -1).map((s) => s.dead!);
    expect(m.layers[9]!.dead).toBeUndefined();
    for (const d of dead) expect(d).toBeGreaterThan(0.4), expect(d).toBeLessThan(0.6);
    // recount layer 1 of the first network by hand
    const one = runDecayExperiment({ ...BASE, samples: 1, init: parseInit('he'), activation: 'relu', steps: 0 });
    const random = seededRandom(1);
    const network = initNetwork(random, new Array(11).fill(8), parseInit('he'), 'relu');
    const X = Float64Array.from({ length: 8 }, () => 2 * random() - 1);
    const T = Float64Array.from({ length: 8 }, () => (random() < 0.5 ? 0 : 1));
    const S = forward(network, { size: 1, nIn: 8, nOut: 8, X, T }).S[0]!;
    expect(one.layers[0]!.dead).toBe(S.filter((s) => s <= 0).length / 8);
    expect(runDecayExperiment({ ...BASE, samples: 2, init: parseInit('xavier'), activation: 'tanh', steps: 0 }).layers.every((s) => s.dead === undefined)).toBe(true);
  });

  it('prints the table with a dead-units column, the bound with max f\' = 1, and the check; JSON names the activation and the dead fractions', () => {
    const text = formatDecay(runDecayExperiment(SMALL));
    expect(text.split('\n')[0]).toBe('backprop-oracle decay: 6 networks of 4 layers (3 relu, sigmoid output), width 3, he init (He uniform: weights in [-a, a], a = sqrt(6/fan_in) = 1.41), batch 2, seed 7');
    expect(text.split('\n')[2]).toMatch(/ratio range\s+dead units$/);
    expect(text.split('\n')[3]).toMatch(/\s-$/); // the output layer has no dead units
    expect(text).toContain("with max f' = 1 (relu), median");
    expect(text).toMatch(/bound checked: \d+ inequalities, none violated\./);
    const json = JSON.parse(decayToJson(runDecayExperiment(SMALL))) as { experiment: { activation: string; init: string }; layers: { dead?: number }[] };
    expect(json.experiment).toMatchObject({ activation: 'relu', init: 'he' });
    expect(json.layers.map((l) => l.dead === undefined)).toEqual([false, false, false, true]);
  });

  it('reads --activation, with its customary init unless --init is given, and rejects an unknown one', () => {
    expect(parseDecayArgs(['--activation', 'relu'])).toMatchObject({ activation: 'relu', init: { kind: 'he' } });
    expect(parseDecayArgs(['--activation', 'tanh'])).toMatchObject({ activation: 'tanh', init: { kind: 'xavier' } });
    expect(parseDecayArgs(['--activation', 'leaky_relu', '--init', 'scale:2'])).toMatchObject({ activation: 'leaky_relu', init: { kind: 'scale', scale: 2 } });
    expect(parseDecayArgs([])).not.toHaveProperty('activation');
    expect([message(['--activation', 'softmax']), message(['--activation', 'relu', '--compare', 'tanh'])]).toEqual([
      'decay: --activation must be one of sigmoid, tanh, relu, leaky_relu, linear, got "softmax"',
      'decay: give --activation or --compare, not both',
    ]);
  });
});

describe('decay --compare', () => {
  const c = runDecayComparison({ ...BASE, activations: ['sigmoid', 'tanh', 'relu'], init: null });

  it('runs each activation with its customary init on the same shapes and seed: the sigmoid vanishes (0.22 per layer), tanh/Xavier and ReLU/He do not', () => {
    expect(c.runs.map((r) => [r.activation, r.measurement.experiment.init.kind])).toEqual([['sigmoid', 'xavier'], ['tanh', 'xavier'], ['relu', 'he']]);
    const factors = c.runs.map((r) => Number((10 ** r.log10Factor).toPrecision(2)));
    expect(factors).toEqual([0.22, 0.99, 1]);
    expect(c.runs.map((r) => Number((10 ** r.log10BoundFactor).toPrecision(2)))).toEqual([0.71, 3.2, 4.6]);
    expect(c.violations).toBe(0);
    // the sigmoid run is the version-1 experiment itself
    expect(formatDecay(c.runs[0]!.measurement).split('\n').slice(1)).toEqual(formatDecay(runDecayExperiment({ ...BASE, init: parseInit('xavier') })).split('\n').slice(1));
  });

  it('prints one table with a column per activation and a line per activation with its factor beside the bound\'s', () => {
    const lines = formatDecayComparison(c).split('\n');
    expect(lines[2]!.split(/\s+/)).toEqual(['layer', 'above', 'sigmoid/xavier', 'tanh/xavier', 'relu/he']);
    expect(lines[3]!.trim().split(/\s+/)).toEqual(['10', '0', '2.1e+0', '5.8e-1', '5.3e-1']);
    expect(lines[12]!.trim().split(/\s+/)).toEqual(['1', '9', '2.8e-6', '5.4e-1', '5.8e-1']);
    expect(lines.find((l) => l.startsWith('sigmoid/xavier'))).toMatch(/factor per layer 2\.2e-1 \(vanishing\), bound's 7\.1e-1; training: first layer moves 1\.3e-5 times as much as the last/);
    expect(lines.find((l) => l.startsWith('relu/he'))).toMatch(/factor per layer 1\.0e\+0 \(steady\)/);
    expect(lines.at(-1)).toBe(`bound checked: ${c.checked} inequalities, none violated.`);
  });

  it('draws a scale:A run that explodes as such: relu at scale:3 grows above 10^4', () => {
    const e = runDecayComparison({ ...BASE, samples: 10, steps: 0, activations: ['sigmoid', 'relu'], init: parseInit('scale:3') });
    expect(e.runs.map((r) => r.measurement.experiment.init)).toEqual([{ kind: 'scale', scale: 3 }, { kind: 'scale', scale: 3 }]);
    expect(e.runs[1]!.measurement.layers[0]!.gradient.median).toBeGreaterThan(4);
    expect(formatDecayComparison(e)).toMatch(/relu\/scale:3\s+factor per layer [\d.e+-]+ \(exploding\)/);
  });

  it('writes JSON with every activation\'s factor per layer, init and figures', () => {
    const json = JSON.parse(decayComparisonToJson(c)) as { kind: string; activations: { activation: string; init: string; factorPerLayer: number; layers: unknown[] }[]; violations: number };
    expect(json.kind).toBe('backprop-oracle-decay-comparison');
    expect(json.activations.map((a) => [a.activation, a.init, Number(a.factorPerLayer.toPrecision(2)), a.layers.length])).toEqual([['sigmoid', 'xavier', 0.22, 10], ['tanh', 'xavier', 0.99, 10], ['relu', 'he', 1, 10]]);
    expect(json.violations).toBe(0);
  });

  it('reads --compare (a comma-separated list, --init for all) and rejects unknown or repeated names', () => {
    expect(parseActivationList(' sigmoid, Tanh ,relu')).toEqual(['sigmoid', 'tanh', 'relu']);
    expect(parseDecayArgs(['--compare', 'sigmoid,relu'])).toMatchObject({ compare: { activations: ['sigmoid', 'relu'], init: null } });
    expect(parseDecayArgs(['--compare', 'relu', '--init', 'xavier'])).toMatchObject({ compare: { activations: ['relu'], init: { kind: 'xavier' } } });
    expect([message(['--compare', 'sigmoid,gelu']), message(['--compare', 'relu,relu'])]).toEqual([
      'decay: --compare: unknown activation "gelu": expected a comma-separated list of sigmoid, tanh, relu, leaky_relu, linear, got "sigmoid,gelu"',
      'decay: --compare: activation "relu" is listed twice, got "relu,relu"',
    ]);
  });

  it('writes the table, the SVG, the HTML and the JSON from the command line, exit code 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-decay-compare-'));
    const io = capture();
    const files = { plot: join(dir, 'c.svg'), html: join(dir, 'c.html'), json: join(dir, 'c.json') };
    const code = runDecay(parseDecayArgs(['--compare', 'sigmoid,relu', '--layers', '3', '--width', '2', '--samples', '2', '--steps', '0', '--plot', files.plot, '--html', files.html, '--json', files.json]), io);
    expect(code).toBe(0);
    expect(io.stdout).toContain('backprop-oracle decay --compare: 2 networks per activation of 3 layers');
    expect(io.stdout).toContain(`wrote the plot ${files.plot}, the HTML report ${files.html}, the JSON report ${files.json}`);
    expect(readFileSync(files.plot, 'utf8')).toMatch(/^<\?xml[^]*<svg[^]*data-activation="relu"[^]*<\/svg>\n$/);
    expect(readFileSync(files.html, 'utf8')).toContain('<h1>Vanishing and exploding gradients, by activation</h1>');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).activations).toHaveLength(2);
  });
});
