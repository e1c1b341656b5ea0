import { customaryInit, HIDDEN_ACTIVATIONS, initName, type HiddenActivation, type Init } from './init.js';
import { runDecayExperiment, type DecayExperiment, type DecayMeasurement } from './experiment.js';
import { log10FactorPerLayer } from './spread.js';

/** What `backprop-oracle decay --compare` measures: one experiment per activation, on the same shapes and seed. */
export interface DecayComparisonOptions extends Omit<DecayExperiment, 'activation' | 'init'> {
  /** The hidden activations compared, in the order given (at least one, no repeats). */
  readonly activations: readonly HiddenActivation[];
  /** One initialisation for all; null: each activation's customary one (`customaryInit`). */
  readonly init: Init | null;
}

/** One activation's run of a comparison. */
export interface ComparedActivation {
  readonly activation: HiddenActivation;
  readonly measurement: DecayMeasurement;
  /** log10 of the factor by which the median gradient norm changes per layer going down (least-squares fit; < 0 vanishing, > 0 exploding). */
  readonly log10Factor: number;
  /** The same for the median bound. */
  readonly log10BoundFactor: number;
}

/** The result of a comparison. */
export interface DecayComparison {
  readonly options: DecayComparisonOptions;
  readonly runs: readonly ComparedActivation[];
  /** Inequalities checked over every run, and how many failed. */
  readonly checked: number;
  readonly violations: number;
}

/**
 * Reads a comma-separated list of hidden activations (`sigmoid,tanh,relu`).
 * @throws RangeError naming the accepted names, or a repeat.
 */
export function parseActivationList(text: string): HiddenActivation[] {
  const names = text.split(',').map((n) => n.trim().toLowerCase());
  for (const name of names) {
    if (!HIDDEN_ACTIVATIONS.includes(name as HiddenActivation)) throw new RangeError(`unknown activation "${name}": expected a comma-separated list of ${HIDDEN_ACTIVATIONS.join(', ')}`);
  }
  const repeated = names.find((n, k) => names.indexOf(n) !== k);
  if (repeated) throw new RangeError(`activation "${repeated}" is listed twice`);
  return names as HiddenActivation[];
}

/**
 * Runs one decay experiment per activation with the same layers, width, networks, batch, seed and
 * training, each with `options.init` or its customary initialisation. With the same seed every run
 * draws the same uniform numbers, scaled by its initialisation's limit: the same networks' shapes
 * and, up to that scale, the same weights and batches.
 */
export function runDecayComparison(options: DecayComparisonOptions): DecayComparison {
  if (options.activations.length === 0) throw new RangeError('a comparison needs at least one activation');
  const { activations, init, ...base } = options;
  const runs = activations.map((activation) => {
    const measurement = runDecayExperiment({ ...base, activation, init: init ?? customaryInit(activation) });
    return {
      activation,
      measurement,
      log10Factor: log10FactorPerLayer(measurement.layers.map((s) => s.gradient.median)),
      log10BoundFactor: log10FactorPerLayer(measurement.layers.map((s) => s.bound.median)),
    };
  });
  return {
    options,
    runs,
    checked: runs.reduce((sum, r) => sum + r.measurement.checked, 0),
    violations: runs.reduce((sum, r) => sum + r.measurement.violations, 0),
  };
}

/** The comparison as one line per activation's name and initialisation, e.g. `relu/he`. */
export function runLabel(run: ComparedActivation): string {
  return `${run.activation}/${initName(run.measurement.experiment.init)}`;
}
