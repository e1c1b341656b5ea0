/**
 * `backprop-oracle/claims`: claims about a gradient entry checked against the oracle, and the
 * catalogue of backprop mistakes each killed by a claim. This entry loads mathjs (the claims'
 * expression parser); the main entry `backprop-oracle` does not.
 */
export { checkClaim, checkClaimOn, formatClaimResult, claimCounterexampleJson, ClaimError, type Claim, type ClaimResult } from './claims/index.js';
export { MISTAKES, buggyImplementation, killMistake } from './catalogue/index.js';
