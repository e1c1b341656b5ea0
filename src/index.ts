/**
 * backprop-oracle's public API. Everything exported here is supported; nothing else is public.
 * Claims and the mistake catalogue (which load the expression parser, mathjs) are the subpath
 * export `backprop-oracle/claims` (src/claims.ts), so this entry loads no expression parser.
 */
export { verify, type Target, type VerifyApiOptions } from './verify/api.js';
export { verifyGenerated, verifyCases, type VerifyOptions, type Progress } from './verify/index.js';
export type { VerifyReport, FailureReport, ClassStats, CaseOrigin, Property } from './verify/report.js';
export { selfCheck, type SelfCheckOptions, type SelfCheckReport } from './verify/selfCheck.js';
export type { Implementation, Iut } from './iut/types.js';
export { IutError, loadModule, startCommand, inProcess } from './iut/index.js';
export { RestartingIut } from './iut/restarting.js';
export { referenceImplementation } from './iut/builtin.js';
export { formatReport } from './report/text.js';
export { reportToJson, reportToJunit, githubAnnotations } from './report/formats.js';
export { saveCounterexamples } from './report/counterexamples.js';
export type { Outcome, Precision, EntryLocation } from './types.js';
export type { CancellationName, Judgement } from './compare/judge.js';
export { judge, CANCELLATION_TEXT } from './compare/judge.js';
export { referenceBound, errorBound } from './compare/bound.js';
export { referenceGradients, forward, backward, loss, train, step, type TrainOptions, type TrainResult } from './reference/index.js';
export { CaseOracle, OracleValue, type OracleResult } from './oracle/api.js';
export { oracle, createContext } from './oracle/index.js';
/** The plain decimal.js oracle's finite differences: the independent cross-check of the oracle (see docs/architecture.md). */
export { finiteDifferences as crossCheckFiniteDifferences, parameterFiniteDifferences as crossCheckParameterFiniteDifferences } from './oracle/index.js';
export { caseArbitrary, sampleCases, describeCase, MAGNITUDE_CLASSES, STRESS_CLASSES, ALL_MAGNITUDE_CLASSES, type MagnitudeClass, type GenerateOptions, type GeneratedCase } from './generate/index.js';
export { parseNetwork, parseBatch, parseCase, parseGradients, InputError, networkToJson, batchToJson, caseToJson, gradientsToJson } from './network/index.js';
export type { NetworkJson, BatchJson, ResultJson, Description, CaseJson, Network, Batch, Case, Gradients, ActivationName, LossName, KinkSide } from './network/types.js';
export { ACTIVATION_NAMES, LOSS_NAMES } from './network/types.js';
export { runDecayExperiment, referenceDecay, oracleDecay } from './decay/index.js';
export { decayPlotSvg } from './report/decay/index.js';
export { verifyDirectional } from './verify/directional.js';
export { certify } from './verify/certify.js';
