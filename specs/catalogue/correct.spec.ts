import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CORRECT_CLAIMS } from '../../src/catalogue/correct.js';
import { MISTAKES } from '../../src/catalogue/mistakes.js';
import { checkClaim, claimCases } from '../../src/claims/check.js';
import { checkOracleCase, oracleCase } from '../../src/claims/evaluate.js';
import { resolveClaim, type ResolvedClaim } from '../../src/claims/resolve.js';
import type { Claim } from '../../src/claims/types.js';

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 200);
const SHORT = Math.max(20, Math.round(RUNS / 10));

/**
 * Checks claims that share their networks (depths, reduction, bias) on the same `runs` cases,
 * running the oracle once per case; returns the fewest digits of each claim.
 */
function checkTogether(claims: readonly Claim[], runs: number, seed: number, cases: 'claim' | 'generic' = 'claim'): number[] {
  const resolved = claims.map((c) => resolveClaim(c));
  const first = resolved[0]!;
  const worst = resolved.map(() => Number.POSITIVE_INFINITY);
  for (const c of fc.sample(claimCases(first, { cases }), { seed, numRuns: runs })) {
    const oc = oracleCase(first, c);
    resolved.forEach((r: ResolvedClaim, k) => {
      const check = checkOracleCase(r, oc);
      if (check.worst) worst[k] = Math.min(worst[k]!, check.worst.digits);
    });
  }
  return worst;
}

// the seed's formulas (checked on RUNS cases); the other spellings of the same entries on SHORT cases
const seedOutput = [CORRECT_CLAIMS[0]!, CORRECT_CLAIMS[1]!];
const seedHidden = [CORRECT_CLAIMS[6]!];
const seed = new Set<Claim>([...seedOutput, ...seedHidden]);

describe('no correct formula is flagged', () => {
  it(`accepts the seed's output-layer formulas, its three factors' product among them, on ${RUNS} cases to 20 digits`, () => {
    expect(seedOutput.map((c) => c.formula)).toContain('(Z - t) / (Z * (1 - Z)) * Z * (1 - Z) * Y');
    for (const digits of checkTogether(seedOutput, RUNS, 7)) expect(digits).toBeGreaterThanOrEqual(20);
  });

  it(`accepts the seed's hidden-layer form sum_i (Z_i - t_i) W_ji * Y_j (1 - Y_j) * X_k on ${RUNS} cases to 20 digits`, () => {
    for (const digits of checkTogether(seedHidden, RUNS, 8)) expect(digits).toBeGreaterThanOrEqual(20);
  });

  it(`accepts them on ${SHORT} cases of the verifier's generic generator too (tiny values, zeros)`, () => {
    for (const digits of [...checkTogether(seedOutput, SHORT, 9, 'generic'), ...checkTogether(seedHidden, SHORT, 10, 'generic')]) expect(digits).toBeGreaterThanOrEqual(20);
  });

  const others = CORRECT_CLAIMS.filter((c) => !seed.has(c));
  it.each(others.map((c) => [`${c.formula} (layer ${c.layer ?? 'output'}, target ${c.target ?? 'W'}, ${c.reduction ?? 'sum'}, ${c.arithmetic ?? 'decimal'})`, c] as const))(`accepts %s on ${SHORT} cases`, (_name, claim) => {
    const result = checkClaim(claim, { runs: SHORT, seed: 11 });
    expect(result.verdict).toBe('true');
  });

  it('accepts the right formula of every mistake of the catalogue', () => {
    for (const m of MISTAKES) expect(checkClaim({ ...m.claim, formula: m.right }, { runs: 10, seed: 12 }).verdict, m.id).toBe('true');
  });

  it('accepts a claim written as a function of Decimals', () => {
    const result = checkClaim({ formula: (q) => q.Z.minus(q.t).times(q.Y), label: '(Z - t) Y as a function' }, { runs: SHORT, seed: 13 });
    expect(result).toMatchObject({ verdict: 'true', claim: { text: '(Z - t) Y as a function' } });
    const hidden = checkClaim({ formula: (q) => q.sum_i((u) => u.delta_i.times(u.W_ji)).times(q.Y_j).times(q.Yc_j).times(q.X), layer: 'hidden' }, { runs: SHORT, seed: 14 });
    expect(hidden.verdict).toBe('true');
  });
});
