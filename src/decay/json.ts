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
  const { init, ...experiment } = m.experiment;
  return JSON.stringify(
    {
      kind: 'backprop-oracle-decay',
      version: DECAY_JSON_VERSION,
      experiment: { ...experiment, init: initName(init) },
      layers: m.layers,
      checked: m.checked,
      violations: m.violations,
      training: m.training,
    },
    null,
    2,
  );
}
