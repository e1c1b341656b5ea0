/** Case generation: fast-check arbitraries for networks and batches, by magnitude class. */
export {
  MAGNITUDE_CLASSES,
  STRESS_CLASSES,
  ALL_MAGNITUDE_CLASSES,
  CLASS_PREFERS,
  DEFAULT_GENERATE_OPTIONS,
  resolveGenerateOptions,
  isVersion1Options,
  defaultClassesFor,
  familyPlan,
  type FamilyPlan,
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
export { describeCase, describeFamily } from './describe.js';
export {
  SATURATING_RANGE,
  SATURATING_INPUT_RANGE,
  SATURATED_TANH_RANGE,
  LOGIT_GAP_RANGE,
  DEAD_UNIT_BIAS,
  TINY_RANGE_FLOAT64,
  TINY_RANGE_FLOAT32,
} from './values.js';
