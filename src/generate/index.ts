/** Case generation: fast-check arbitraries for networks and batches, by magnitude class. */
export {
  MAGNITUDE_CLASSES,
  DEFAULT_GENERATE_OPTIONS,
  resolveGenerateOptions,
  type MagnitudeClass,
  type TargetKind,
  type GenerateOptions,
} from './options.js';
export {
  caseArbitrary,
  caseArbitraryForClass,
  mixedSaturationArbitrary,
  networkArbitrary,
  sampleCases,
  type GeneratedCase,
} from './arbitraries.js';
export { describeCase } from './describe.js';
export {
  SATURATING_RANGE,
  SATURATING_INPUT_RANGE,
  TINY_RANGE_FLOAT64,
  TINY_RANGE_FLOAT32,
} from './values.js';
