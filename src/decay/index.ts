/**
 * Depth: the vanishing-gradient bound of the derivation, checked layer by layer in float64 and in
 * the oracle's decimal, the networks that attain it, and the `decay` experiment.
 */
export { FLOAT64, decimalArithmetic, RELATIVE_SLACK_64, RELATIVE_SLACK_DECIMAL, type Arithmetic } from './arithmetic.js';
export { analyseDecay, type DecayInput, type LayerDecay } from './analysis.js';
export { referenceDecay, referenceDecayInput, oracleDecay, oracleDecayInput, maxSlopeOf, maxSlopesOf } from './sources.js';
export { decayViolations, underflowAllowance, type DecayViolation, type Inequality, type UnderflowAllowance } from './check.js';
export { slopeAt, slopePrecision, type SlopeAt } from './slope.js';
export { alignedZeroCase, positiveRankOneCase, saturatedChain, type AlignedZeroOptions, type PositiveRankOneOptions } from './tightness.js';
export { seededRandom, uniform } from './random.js';
export { parseInit, initName, initLimit, initNetwork, randomBatch, customaryInit, HIDDEN_ACTIVATIONS, INIT_SYNTAX, MAX_INIT_SCALE, type Init, type HiddenActivation } from './init.js';
export { typicalGain, log10GradientRatioEstimate } from './estimate.js';
export { trainingEffect, type TrainingOptions, type TrainingStep, type TrainingEffect } from './training.js';
export { spread, quantile, median, ratiosByDepth, log10FactorPerLayer, type Spread, type DepthSpread } from './spread.js';
export { runDecayExperiment, type DecayExperiment, type DecayMeasurement, type LayerSummary, type TrainingSummary } from './experiment.js';
export { decayToJson, decayComparisonToJson, DECAY_JSON_VERSION } from './json.js';
export { runDecayComparison, parseActivationList, runLabel, type DecayComparison, type DecayComparisonOptions, type ComparedActivation } from './comparison.js';
