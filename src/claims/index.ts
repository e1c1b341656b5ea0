/**
 * Claims: a formula for one gradient entry, checked against the oracle's finite differences on
 * generated networks, and when false, a shrunk counterexample as a worked example.
 */
export type {
  Claim,
  ClaimFunction,
  ClaimLayer,
  ClaimTarget,
  TargetName,
  LocalTarget,
  Arithmetic,
  ClaimQuantities,
  OutputQuantities,
  HiddenQuantities,
  NextQuantities,
  RowQuantities,
  ClaimResult,
  ClaimDescription,
  ClaimCounterexample,
  FactorAnalysis,
  FactorMatch,
  EntryRef,
  SampleDetail,
} from './types.js';
export { ClaimError, type ClaimErrorCode } from './errors.js';
export { claimFamily, DEFAULT_OUTPUT, type ClaimFamily } from './family.js';
export { checkClaim, checkClaimOn, claimCases, type CheckClaimOptions } from './check.js';
export { resolveClaim, TARGETS, type ResolvedClaim, type EvaluationOptions } from './resolve.js';
export { symbolSet, formatSymbols, type SymbolSet, type SymbolInfo } from './symbols.js';
export { claimCaseArbitrary, type ClaimArbitraryOptions } from './arbitrary.js';
export { formatClaimResult, claimCounterexampleJson, claimFromDescription, formatCase } from './format.js';
export { caseSize, formatSize, significantDigits, type CaseSize } from './size.js';
export { analyzeFactors, flattenFactors } from './factors.js';
