import type { DecayComparison } from './comparison.js';
import type { DecayMeasurement } from './experiment.js';
import { initName } from './init.js';

/** The version of the decay JSON's layout. */
export const DECAY_JSON_VERSION = 1;

/**
 * The measurement as JSON text: `{ "kind": "backprop-oracle-decay", "version", "experiment",
 * "layers", "checked", "violations", "training" }`. Every figure of a layer is a five-number
 * spread of log10 values (min, q1, median, q3, max, count); a log10 of -Infinity (a norm that
 * underflowed to 0 in float64) is written null.
 */
export function decayToJson(m: DecayMeasurement): string {
  return JSON.stringify({ kind: 'backprop-oracle-decay', version: DECAY_JSON_VERSION, ...measurementJson(m) }, null, 2);
}

/** The fields of one measurement (an experiment with `activation` given also names it, and its layers their `dead` fraction). */
function measurementJson(m: DecayMeasurement): object {
  const { init, ...experiment } = m.experiment;
  return { experiment: { ...experiment, init: initName(init) }, layers: m.layers, checked: m.checked, violations: m.violations, training: m.training };
}

/**
 * A comparison as JSON text: `{ "kind": "backprop-oracle-decay-comparison", "version",
 * "activations": [{ "activation", "init", "factorPerLayer", "boundFactorPerLayer", ...one
 * measurement as in {@link decayToJson} }], "checked", "violations" }`; factorPerLayer is the
 * median gradient norm's change per layer going down (a plain factor, < 1 vanishing, > 1 exploding).
 */
export function decayComparisonToJson(c: DecayComparison): string {
  return JSON.stringify(
    {
      kind: 'backprop-oracle-decay-comparison',
      version: DECAY_JSON_VERSION,
      activations: c.runs.map((r) => ({
        activation: r.activation,
        init: initName(r.measurement.experiment.init),
        factorPerLayer: Number.isFinite(r.log10Factor) ? 10 ** r.log10Factor : null,
        boundFactorPerLayer: Number.isFinite(r.log10BoundFactor) ? 10 ** r.log10BoundFactor : null,
        ...measurementJson(r.measurement),
      })),
      checked: c.checked,
      violations: c.violations,
    },
    null,
    2,
  );
}
