import { describe, expect, it } from 'vitest';
import { checkClaim, checkClaimOn } from '../../src/claims/check.js';
import { ClaimError } from '../../src/claims/errors.js';
import { claimCounterexampleJson, claimFromDescription, formatClaimResult } from '../../src/claims/format.js';
import type { Claim, ClaimResult } from '../../src/claims/types.js';
import { parseCase } from '../../src/network/validate.js';

/** The report with its timing removed, for snapshots. */
const text = (r: ClaimResult): string => formatClaimResult({ ...r, durationMs: 0 });

function claimError(claim: Claim): ClaimError {
  try {
    checkClaim(claim, { runs: 5 });
  } catch (e) {
    if (e instanceof ClaimError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('checking a claim', () => {
  it('passes a true claim and says how many cases, entries and digits', () => {
    const r = checkClaim({ formula: '(Z - t) * Y' }, { runs: 20, seed: 1 });
    expect(r).toMatchObject({ verdict: 'true', cases: 20, minDigits: 20, seed: 1 });
    if (r.verdict !== 'true') return;
    expect(r.entries).toBeGreaterThanOrEqual(20);
    expect(r.worstDigits).toBeGreaterThan(40);
    expect(text(r)).toMatch(/^claim: dE\/dW_ji = \(Z - t\) \* Y {3}\(output layer of 1 or 2-layer networks, reduction sum, decimal arithmetic\)\nverdict: TRUE {2}\(20 cases, \d+ entries, each to 4\d\.\d digits or more of 20 required; seed 1, 0\.0 s\)$/);
  });

  it('gives a false claim a shrunk worked example with the factor that differs', () => {
    const r = checkClaim({ formula: '(Z - t) * Z * (1 - Z) * Y' }, { runs: 20 });
    expect(r.verdict).toBe('false');
    expect(text(r).replace(/--path [\d:]+/, '--path P')).toMatchInlineSnapshot(`
      "claim: dE/dW_ji = (Z - t) * Z * (1 - Z) * Y   (output layer of 1 or 2-layer networks, reduction sum, decimal arithmetic)
      verdict: FALSE  (fails on case 1, seed 42; shrunk in 65 steps, 0.0 s)

      network (1 layer 1-1, batch 1, 2 digits, reduction sum); W[j][i] is the weight from input j to unit i:
        layer 1: W = [[0]]   b = none
        inputs X = [[0.25]]   targets t = [[0]]
      at layer 1 (output), dE/dW[j=0][i=0]:
        sample 0: Y = 0.25   W = 0   S = 0   Z = 0.5   Zc = 0.5   t = 0   b = 0
          claim (Z - t) * Z * (1 - Z) * Y = 0.03125
        claimed            0.03125
        true               0.125   (finite difference of the loss)
        correct digits     0.1 of 20 required (relative to the magnitude 0.125)
      which factor differs (factors compared on probe networks; values on sample 0):
        dE/dS = dE/dZ * dZ/dS = (Z - t)  = 0.5             claim: (Z - t)
        dS/dW = Y                        = 0.25            claim: Y
        extra in the claim: Z (= 0.5), (1 - Z) (= 0.5)
        => an extra factor Z * (1 - Z) (= 0.25), which is dZ/dS = Z (1 - Z) again: the claim already has it: for cross-entropy dE/dS is already Z - t, and (Z - t) Z (1 - Z) is the delta of the squared error
      replay: --seed 42 --path P"
    `);
  });

  it('shows the next layer\'s units for a hidden-layer claim, and replays by path', () => {
    const r = checkClaim({ formula: 'sum_i((Z_i - t_i) * W_ij) * Y_j * (1 - Y_j) * X_k', layer: 'hidden' }, { runs: 20 });
    if (r.verdict !== 'false') throw new Error('expected false');
    const c = r.counterexample;
    expect(c.where).toBe('layer 1 (hidden), dE/dV[k=0][j=0]');
    expect(c.samples[0]!.next.length).toBeGreaterThanOrEqual(2);
    expect(c.factors!.findings).toContain('the weight index is transposed: W_ij instead of W_ji');
    const again = checkClaim({ formula: 'sum_i((Z_i - t_i) * W_ij) * Y_j * (1 - Y_j) * X_k', layer: 'hidden' }, { runs: 20, path: c.path! });
    expect(again.verdict === 'false' && again.counterexample.network).toEqual(c.network);
    const json = claimCounterexampleJson(r);
    expect(claimFromDescription(json.claim)).toEqual({ formula: json.claim.text, layer: 'hidden', target: 'W', reduction: 'sum', arithmetic: 'decimal', layers: 2 });
    expect(checkClaimOn(claimFromDescription(json.claim), parseCase(json)).holds).toBe(false);
    expect(claimFromDescription({ ...json.claim, layer: 'output', depths: [1, 2] })).not.toHaveProperty('layers');
  });

  it('tells a numerics mistake from a calculus one: float64 wrong, decimal right', () => {
    const r = checkClaim({ formula: '-(t * ln(Z) + (1 - t) * ln(1 - Z))', target: 'loss', arithmetic: 'float64' }, { runs: 20 });
    if (r.verdict !== 'false') throw new Error('expected false');
    expect(r.counterexample).toMatchObject({ decimalHolds: true, factors: null });
    expect(r.counterexample.where).toBe(`layer ${r.counterexample.network.layers.length} (output), the loss E`);
    expect(text(r)).toContain('(right: the formula is exact, its float64 evaluation is not (a numerics mistake))');
    expect(text(r)).toContain('sample 0: i = 0   S = ');
    const both = checkClaim({ formula: '2 * (t * softplus(-S) + (1 - t) * softplus(S))', target: 'loss', arithmetic: 'float64' }, { runs: 10 });
    expect(both.verdict === 'false' && both.counterexample.decimalHolds).toBe(false);
    expect(text(both)).toContain('(wrong as well)');
  });

  it('says so when a claim is not a finite number', () => {
    const r = checkClaim({ formula: 'ln(-1) * Y + 1 / (Z - Z)' }, { runs: 5 });
    if (r.verdict !== 'false') throw new Error('expected false');
    expect(r.counterexample.claimed).toBe('not a finite number');
    expect(r.counterexample.digits).toBe(Number.NEGATIVE_INFINITY);
    expect(text(r)).toContain('correct digits     none of 20 required');
    expect(r.counterexample.samples[0]!.claimed).toMatch(/not a finite number/);
    const f64 = checkClaim({ formula: '1 / (Z - Z)', arithmetic: 'float64' }, { runs: 5 });
    expect(f64.verdict === 'false' && f64.counterexample.claimed).toBe('not a finite number');
  });

  it('sums comparisons as 1 and 0 in either arithmetic', () => {
    expect(checkClaim({ formula: '(Z - t) * (s == B - 1)', target: 'b' }, { runs: 30 }).verdict).toBe('false');
    const r = checkClaim({ formula: 's == 0', target: 'b', arithmetic: 'float64' }, { runs: 30 });
    expect(r.verdict).toBe('false');
    expect(checkClaim({ formula: '(Z - t) * (s >= 0)', target: 'b', arithmetic: 'float64' }, { runs: 10 }).verdict).toBe('true');
  });

  it('evaluates sigma, softplus, ln, log1p and exp in both arithmetics', () => {
    expect(checkClaim({ formula: '(sigma(S) - t) * exp(log1p(0)) * Y' }, { runs: 10 }).verdict).toBe('true');
    expect(checkClaim({ formula: 't * softplus(-S) + (1 - t) * softplus(S)', target: 'loss' }, { runs: 10 }).verdict).toBe('true');
    expect(checkClaim({ formula: '(sigma(S) - t) * Y', arithmetic: 'float64' }, { runs: 10 }).verdict).toBe('false'); // 1 - Z rounds in saturation
    expect(checkClaim({ formula: '-(t * ln(sigma(S)) + (1 - t) * log1p(-sigma(S)))', target: 'loss' }, { runs: 10 }).verdict).toBe('true');
  });

  it('checks the chain rule factor by factor, per sample, against differences of the function each differentiates', () => {
    const slope = checkClaim({ formula: 'S * (1 - S)', target: 'dZ/dS' }, { runs: 10 });
    if (slope.verdict !== 'false') throw new Error('expected false');
    expect(slope.counterexample.where).toBe('layer 1 (output), dZ/dS[i=0] of sample 0');
    expect(text(slope)).toContain('(finite difference of sigma)');
    expect(slope.counterexample.factors!.findings).toContain("sigma'(S) = Z (1 - Z) is applied to S instead of to Z = sigma(S)");
    const input = checkClaim({ formula: 'W', target: 'dS/dW' }, { runs: 10 });
    expect(input.verdict === 'false' && input.counterexample.where).toMatch(/^layer \d \(output\), dS\/dW\[j=0\]\[i=0\] of sample 0$/);
    expect(text(input)).toContain('(exact: S is linear in the weight)');
    const hidden = checkClaim({ formula: 'sum_i(Z_i - t_i)', target: 'dE/dY', layer: 'hidden' }, { runs: 10 });
    expect(hidden.verdict === 'false' && hidden.counterexample.where).toBe('layer 1 (hidden), dE/dY[j=0] of sample 0');
    const weight = checkClaim({ formula: 'V', target: 'dS/dV', layer: 'hidden' }, { runs: 10 });
    expect(weight.verdict === 'false' && weight.counterexample.where).toBe('layer 1 (hidden), dS/dV[k=0][j=0] of sample 0');
    expect(checkClaim({ formula: 'Z - t', target: 'dE/dZ', reduction: 'mean' }, { runs: 10 }).verdict).toBe('false');
  });

  it('checks claims about a layer that is not right below the output, through delta_i', () => {
    expect(checkClaim({ formula: 'sum_i(delta_i * W_ji) * Y_j * (1 - Y_j) * X_k', layer: 1, layers: 3 }, { runs: 10 }).verdict).toBe('true');
    expect(claimError({ formula: 'sum_i((Z_i - t_i) * W_ji) * X_k', layer: 1, layers: 3 }).message).toContain('unknown symbol "Z_i"');
    const r = checkClaim({ formula: 'sum_i(delta_i * W_ji) * X_k', layer: 1, layers: 3 }, { runs: 20 });
    expect(r.verdict === 'false' && r.counterexample.factors!.findings[0]).toBe('the claim lacks dY_j/dS_j = Y_j (1 - Y_j) (= 0.25)');
  });

  it('checks a function claim, and stops one that reads a symbol its layer lacks', () => {
    const wrong = checkClaim({ formula: (q) => q.Z.minus(q.t) }, { runs: 10 });
    expect(wrong.verdict === 'false' && wrong.counterexample.factors).toBe(null);
    expect(wrong.claim.text).toContain('q.Z.minus(q.t)');
    expect(claimError({ formula: (q) => q.X }).message).toContain('the function reads X, which a output-layer claim about dE/dW_ji does not have');
    expect(claimError({ formula: (q) => q.sum_i(() => 1) }).code).toBe('E_CLAIM_SYMBOL');
    expect(claimError({ formula: (q) => q.sum_i((u) => (u as unknown as Record<string, number>).Q!), layer: 'hidden' }).message).toContain('which a unit i of the layer above does not have');
    expect(claimError({ formula: () => { throw new TypeError('boom'); } }).message).toBe('claim: the formula cannot be evaluated: boom');
    expect(checkClaim({ formula: (q) => q.sum_i((u) => u.delta_i.times(u.W_ji).toNumber()).times(q.Y_j).times(q.Yc_j), layer: 'hidden', target: 'b' }, { runs: 5 }).verdict).toBe('false');
    expect(checkClaim({ formula: () => Number.NaN }, { runs: 3 }).verdict).toBe('false');
    expect(checkClaim({ formula: () => ({ nothing: true }) as never }, { runs: 3 }).verdict).toBe('false');
  });

  it('can run on the verifier\'s generic cases, and refuses a case of the wrong depth', () => {
    expect(checkClaim({ formula: '(Z - t) * Y' }, { runs: 10, cases: 'generic' }).verdict).toBe('true');
    expect(checkClaim({ formula: '(Z - t) * Y', arithmetic: 'float64' }, { runs: 30, cases: 'generic' }).verdict).toBe('false');
    const threeLayers = { network: { layers: [{ weights: [[1]] }, { weights: [[1]] }, { weights: [[1]] }] }, batch: { inputs: [[1]], targets: [[0]] } };
    expect(() => checkClaimOn({ formula: 'Y' }, parseCase(threeLayers))).toThrow('the case has 3 layers; the claim is about networks of 1 or 2');
    const noBias = { network: { layers: [{ weights: [[1]] }] }, batch: { inputs: [[1]], targets: [[0]] } };
    expect(checkClaimOn({ formula: '0', target: 'b' }, parseCase(noBias))).toMatchObject({ holds: true, worst: null, entries: [] });
  });
});
