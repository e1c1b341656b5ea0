import { parseArgs } from 'node:util';
import { parseActivationList, runDecayComparison } from '../decay/comparison.js';
import { runDecayExperiment, type DecayExperiment } from '../decay/experiment.js';
import { customaryInit, HIDDEN_ACTIVATIONS, INIT_SYNTAX, parseInit, type HiddenActivation, type Init } from '../decay/init.js';
import { decayComparisonToJson, decayToJson } from '../decay/json.js';
import { writeFileAtomically as writeAtomically } from '../verify/corpus.js';
import { decayComparisonHtml, decayComparisonSvg, decayHtml, decayPlotSvg, formatDecay, formatDecayComparison } from '../report/decay/index.js';
import { joinNegativeValues, parseErrorMessage } from './args.js';
import { UsageError } from './errors.js';

/** Options of `backprop-oracle decay`: the experiment and where to write its reports. */
export interface DecayArgs extends DecayExperiment {
  /** `--help`: print {@link DECAY_USAGE} and do nothing else. */
  readonly help: boolean;
  readonly plot: string | null;
  readonly html: string | null;
  readonly json: string | null;
  /**
   * `--compare A,B,...`: one run per hidden activation, each with `init` (when `--init` was given)
   * or its customary one (null); absent: one experiment.
   */
  readonly compare?: { readonly activations: readonly HiddenActivation[]; readonly init: Init | null };
}

/** The help text of `backprop-oracle decay`. */
export const DECAY_USAGE = `Usage: backprop-oracle decay [options]

Measures the vanishing gradient: builds K random sigmoid networks of L layers, gives each a random
batch (inputs uniform in [-1, 1], targets 0 or 1), and prints per layer the gradient norm
||dE/dW^(l)||_F (median, quartiles, extremes over the networks), the derived bound
(1/4)^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y_b|| ||delta^(L)_b|| and their ratio; checks the bound on
every layer; and trains each network a few steps to compare how much the first and the last layer move.

Options:
  --layers L      sigmoid layers, 1 to 50 (default 10)
  --activation A  the hidden layers' activation: sigmoid, tanh, relu, leaky_relu (alpha 0.01) or
                  linear (the output stays sigmoid with bce); the bound's factor is max f' (1/4 for
                  the sigmoid, 1 for the others); relu and leaky_relu also report their dead units
                  (S <= 0). Default init: he for relu and leaky_relu, xavier for the others
  --compare LIST  compare activations, e.g. sigmoid,tanh,relu: one run each on the same shapes and
                  seed, each with its customary init unless --init is given; one table, one plot
  --width N       units of every layer, input and output included, 1 to 64 (default 8)
  --init NAME     weight initialisation (default xavier):
                    uniform     weights uniform in [-1, 1]
                    xavier      Glorot uniform, in [-a, a] with a = sqrt(6 / (fan_in + fan_out))
                    he          He uniform, in [-a, a] with a = sqrt(6 / fan_in)
                    scale:A     uniform in [-A, A], for example scale:0.5 (0 < A <= 1000)
  --samples K     random networks, 1 to 100000 (default 20)
  --batch B       samples per batch, 1 to 1000 (default 1)
  --seed S        generator seed, an integer (default 1): the same seed gives the same report
  --steps T       gradient-descent steps of the training measurement, 0 to 10000 (default 20; 0: none)
  --rate A        its learning rate, 0 < A <= 100 (default 0.5)
  --plot FILE     write the plot (SVG): gradient norm per layer on a log scale, with the bound
  --html FILE     write an HTML report: the plot, the table, the check and the training result
  --json FILE     write the figures as JSON
  --help          show this text

Examples:
  backprop-oracle decay
  backprop-oracle decay --layers 20 --init he --plot decay.svg --html decay.html
  backprop-oracle decay --activation relu --init he
  backprop-oracle decay --compare sigmoid,tanh,relu --plot compare.svg --html compare.html

Exit codes: 0 the bound held everywhere, 1 it was violated somewhere, 2 bad options or a report
that could not be written.`;

const DEFAULTS = { layers: 10, width: 8, init: 'xavier', samples: 20, batch: 1, seed: 1, steps: 20, rate: 0.5 } as const;

function integer(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`decay: --${option} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

function rate(raw: string | undefined): number {
  if (raw === undefined) return DEFAULTS.rate;
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!(value > 0 && value <= 100)) throw new UsageError(`decay: --rate must be a number with 0 < A <= 100, got "${raw}"`);
  return value;
}

function fileName(option: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (raw.trim() === '') throw new UsageError(`decay: --${option} needs a file name`);
  return raw;
}

/**
 * Parses the options of `backprop-oracle decay` (the words after `decay`); defaults: 10 layers of
 * width 8, xavier, 20 networks, batch 1, seed 1, 20 training steps at rate 0.5, no files.
 * @throws UsageError naming the option, the value and what is expected.
 */
export function parseDecayArgs(argv: string[]): DecayArgs {
  const str = { type: 'string' } as const;
  let values: Record<string, string | boolean | undefined>;
  const options = { layers: str, activation: str, compare: str, width: str, init: str, samples: str, batch: str, seed: str, steps: str, rate: str, plot: str, html: str, json: str, help: { type: 'boolean' } } as const;
  const args = joinNegativeValues(argv, options);
  try {
    values = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(parseErrorMessage('decay', error as Error, args));
  }
  const s = (k: string): string | undefined => values[k] as string | undefined;
  let init: Init;
  let activation: HiddenActivation | undefined;
  let compare: DecayArgs['compare'];
  if (s('activation') !== undefined && s('compare') !== undefined) throw new UsageError('decay: give --activation or --compare, not both');
  if (s('activation') !== undefined) {
    const name = s('activation')!.trim().toLowerCase();
    if (!HIDDEN_ACTIVATIONS.includes(name as HiddenActivation)) throw new UsageError(`decay: --activation must be one of ${HIDDEN_ACTIVATIONS.join(', ')}, got "${s('activation')}"`);
    activation = name as HiddenActivation;
  }
  if (s('compare') !== undefined) {
    try {
      compare = { activations: parseActivationList(s('compare')!), init: null };
    } catch (error) {
      throw new UsageError(`decay: --compare: ${(error as Error).message}, got "${s('compare')}"`);
    }
  }
  try {
    init = parseInit(s('init') ?? (activation ? (customaryInit(activation).kind as string) : DEFAULTS.init));
  } catch {
    throw new UsageError(`decay: --init must be ${INIT_SYNTAX}, got "${s('init')}"`);
  }
  if (compare && s('init') !== undefined) compare = { ...compare, init };
  return {
    ...(activation ? { activation } : {}),
    ...(compare ? { compare } : {}),
    help: values.help === true,
    layers: integer('layers', s('layers'), DEFAULTS.layers, 1, 50),
    width: integer('width', s('width'), DEFAULTS.width, 1, 64),
    init,
    samples: integer('samples', s('samples'), DEFAULTS.samples, 1, 100_000),
    batch: integer('batch', s('batch'), DEFAULTS.batch, 1, 1000),
    seed: integer('seed', s('seed'), DEFAULTS.seed, -(2 ** 31), 2 ** 31 - 1),
    steps: integer('steps', s('steps'), DEFAULTS.steps, 0, 10_000),
    rate: rate(s('rate')),
    plot: fileName('plot', s('plot')),
    html: fileName('html', s('html')),
    json: fileName('json', s('json')),
  };
}

/**
 * Runs `backprop-oracle decay`: the experiment, its table on `io.out`, and the plot, HTML and
 * JSON reports asked for. Returns the exit code: 0 when the bound held everywhere, 1 when it was
 * violated, 2 when a report could not be written (the message on `io.err` names the option and file).
 */
export function runDecay(args: DecayArgs, io: { out(t: string): void; err(t: string): void }): number {
  if (args.help) {
    io.out(DECAY_USAGE + '\n');
    return 0;
  }
  const { help: _help, plot, html, json, compare, ...experiment } = args;
  if (compare) {
    const { init: _init, ...base } = experiment;
    const c = runDecayComparison({ ...base, activations: compare.activations, init: compare.init });
    return report(io, { plot, html, json }, [() => decayComparisonSvg(c), () => decayComparisonHtml(c), () => decayComparisonToJson(c) + '\n'], formatDecayComparison(c), c.violations);
  }
  const m = runDecayExperiment(experiment);
  return report(io, { plot, html, json }, [() => decayPlotSvg(m), () => decayHtml(m), () => decayToJson(m) + '\n'], formatDecay(m), m.violations);
}

/** Writes the reports asked for, prints the text and the files written; the exit code (0 bound held, 1 violated, 2 a file not written). */
function report(io: { out(t: string): void; err(t: string): void }, files: { plot: string | null; html: string | null; json: string | null }, [svg, page, data]: (() => string)[], text: string, violations: number): number {
  const { plot, html, json } = files;
  let written = true;
  const wrote: string[] = [];
  const write = (what: string, option: string, file: string | null, text: () => string): void => {
    if (file === null) return;
    try {
      writeAtomically(file, text());
      wrote.push(`the ${what} ${file}`);
    } catch (error) {
      written = false;
      io.err(`decay: could not write the ${what} to --${option} ${file}: ${(error as Error).message}\n`);
    }
  };
  write('plot', 'plot', plot, svg!);
  write('HTML report', 'html', html, page!);
  write('JSON report', 'json', json, data!);
  io.out(text + '\n');
  if (wrote.length > 0) io.out(`wrote ${wrote.join(', ')}\n`);
  if (!written) return 2;
  return violations === 0 ? 0 : 1;
}
