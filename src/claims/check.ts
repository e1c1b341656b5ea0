/**
 * Deciding a claim: evaluate it on generated cases, and when it fails, shrink the failing case
 * with fast-check to the smallest network and batch that still break it.
 */
import fc from 'fast-check';
import { caseArbitrary } from '../generate/arbitraries.js';
import type { Case } from '../network/types.js';
import { claimCaseArbitrary } from './arbitrary.js';
import { buildCounterexample } from './counterexample.js';
import { ClaimError } from './errors.js';
import { checkCase, type CaseCheck } from './evaluate.js';
import { probeCases } from './probes.js';
import { resolveClaim, type EvaluationOptions, type ResolvedClaim } from './resolve.js';
import type { Claim, ClaimResult } from './types.js';

/** Options of {@link checkClaim}. */
export interface CheckClaimOptions extends EvaluationOptions {
  /** Generated cases (default 100). */
  runs?: number;
  /** Seed (default 42): the same seed gives the same cases and the same counterexample. */
  seed?: number;
  /** fast-check replay path of one case (with its seed). */
  path?: string;
  /**
   * `claim` (default): small networks of simple numbers (`arbitrary.ts`); `generic`: the
   * verifier's generator (`src/generate`), kept to measure how well each shrinks.
   */
  cases?: 'claim' | 'generic';
  /** Widest layer generated (default 3). */
  maxWidth?: number;
  /** Largest batch generated (default 3). */
  maxBatch?: number;
}

/** The arbitrary a claim is checked on. */
export function claimCases(r: ResolvedClaim, options: CheckClaimOptions = {}): fc.Arbitrary<Case> {
  const { maxWidth = 3, maxBatch = 3 } = options;
  const bias = r.target === 'b' ? true : 'any';
  if (options.cases === 'generic') {
    if (!r.family.version1) throw new ClaimError('E_CLAIM_OPTION', 'claim: --cases generic generates version-1 networks only; a claim with --loss or --activation takes the claim cases');
    return caseArbitrary({
      minLayers: Math.min(...r.depths),
      maxLayers: Math.max(...r.depths),
      maxWidth,
      maxBatch,
      bias,
      reductions: [r.reduction],
      classes: r.arithmetic === 'float64' ? ['typical', 'zeros', 'tiny', 'saturating'] : ['typical', 'zeros', 'tiny'],
    });
  }
  return claimCaseArbitrary({ depths: r.depths, maxWidth, maxBatch, reduction: r.reduction, bias, saturating: r.arithmetic === 'float64', family: r.family, layerIndex: r.layerIndex });
}

/** Evaluates the claim once on a probe network, so that a formula that cannot be evaluated fails before any case. */
function preflight(r: ResolvedClaim): void {
  try {
    checkCase(r, probeCases(Math.max(...r.depths), r.reduction, 2, r.family, r.layerIndex)[0]!);
  } catch (error) {
    if (error instanceof ClaimError) throw error;
    throw new ClaimError('E_CLAIM_SYNTAX', `claim: the formula cannot be evaluated: ${(error as Error).message}`);
  }
}

/**
 * Checks a claim on `runs` generated cases: every entry of the claim's layer, the claim summed
 * over the batch against the oracle's finite difference, must keep `minDigits` correct digits
 * relative to the entry's magnitude. A true claim reports the cases and the fewest digits; a
 * false one the shrunk counterexample as a worked example (see `formatClaimResult`).
 * @throws ClaimError when the claim cannot be evaluated (syntax, unknown symbol, bad option).
 */
export function checkClaim(claim: Claim, options: CheckClaimOptions = {}): ClaimResult {
  const started = performance.now();
  const { runs = 100, seed = 42 } = options;
  const r = resolveClaim(claim, options);
  preflight(r);
  let shrinking = false;
  let steps = 0;
  let cases = 0;
  let entries = 0;
  let worstDigits = Number.POSITIVE_INFINITY;
  let last: CaseCheck | null = null;
  const property = fc.property(claimCases(r, options), (c) => {
    if (shrinking) steps += 1;
    const check = checkCase(r, c);
    if (!shrinking) {
      cases += 1;
      entries += check.entries.length;
      if (check.worst && check.worst.digits < worstDigits) worstDigits = check.worst.digits;
    }
    if (!check.holds) {
      shrinking = true;
      last = check;
    }
    return check.holds;
  });
  const result = fc.check(property, { seed, numRuns: runs, ...(options.path !== undefined ? { path: options.path } : {}) });
  if (result.failed && last === null) throw result.errorInstance;
  const base = { claim: r.description, cases, minDigits: r.minDigits, seed };
  if (last === null) return { verdict: 'true', ...base, entries, worstDigits, durationMs: performance.now() - started };
  const twin = r.arithmetic === 'decimal' ? r : resolveClaim({ ...claim, arithmetic: 'decimal' }, options);
  const counterexample = buildCounterexample(r, twin, last, steps, result.counterexamplePath ?? null);
  return { verdict: 'false', ...base, counterexample, durationMs: performance.now() - started };
}

/**
 * Checks a claim on one given case (a saved counterexample): the entry that fails worst, or null
 * when the claim holds there.
 * @throws ClaimError when the claim cannot be evaluated or does not fit the case's depth.
 */
export function checkClaimOn(claim: Claim, c: Case, options: EvaluationOptions = {}): CaseCheck {
  const r = resolveClaim(claim, options);
  if (!r.depths.includes(c.network.layers.length)) {
    throw new ClaimError('E_CLAIM_OPTION', `claim: the case has ${c.network.layers.length} layers; the claim is about networks of ${r.depths.join(' or ')}`);
  }
  return checkCase(r, c);
}
