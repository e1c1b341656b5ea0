import { describe, expect, it } from 'vitest';
import { MISTAKES } from '../../src/catalogue/mistakes.js';
import { oracleCase } from '../../src/claims/evaluate.js';
import { analyzeFactors, flattenFactors, MAX_FACTORS, productText } from '../../src/claims/factors.js';
import { probeCases } from '../../src/claims/probes.js';
import { resolveClaim } from '../../src/claims/resolve.js';
import type { Claim } from '../../src/claims/types.js';

/** The findings of the factor analysis of a claim, shown on a probe network. */
function findings(claim: Claim): string[] | null {
  const r = resolveClaim(claim);
  const c = probeCases(Math.max(...r.depths), r.reduction, 2, r.family, r.layerIndex)[0]!;
  const analysis = analyzeFactors(r, { oc: oracleCase(r, c), entry: { target: r.target, layer: r.layerIndex(c.network.layers.length), input: 0, unit: 0 }, sample: 0 });
  return analysis && [...analysis.findings];
}

const expected: Record<string, RegExp | null> = {
  'mse-delta': /extra factor Z \* \(1 - Z\).*delta of the squared error/,
  'sign-flip': /the sign is flipped: \(t - Z\) is minus dE\/dS/,
  'missing-y': /the claim lacks dS\/dW = Y/,
  'slope-of-s': /applied to S_j instead of to Y_j/,
  'hidden-missing-slope': /the claim lacks dY_j\/dS_j = Y_j \(1 - Y_j\)/,
  'hidden-transposed': /the weight index is transposed/,
  'hard-targets': /the targets are rounded/,
  'bias-one-sample': /an extra factor \(s == B - 1\)/,
  'mean-batch-only': /1 \/ B \(= 0\.5\) stands where dE\/dE_sum = 1 \/ \(B n_L\) \(= 0\.25\)/,
  'ln-probability': null,
  'weight-for-input': /not the weight W_ji/,
  'bias-forgotten': /0 \(= 0\) stands where dE\/dS = dE\/dZ \* dZ\/dS = \(Z - t\)/,
  'hidden-unweighted': /without the weights W_ji/,
  'own-output': /not the unit's own output Z_i/,
  // the version-2 family's (src/catalogue/mistakes2.ts), analysed on probe networks of the claim's family
  'softmax-diagonal': /Jacobian dZ_k\/dS_i = Z_k \(delta_ki - Z_i\) was replaced by its diagonal Z_i \(1 - Z_i\)/,
  'cce-delta-slope': /the softmax's diagonal Z \(1 - Z\): with cross-entropy dE\/dS = Z - t already includes/,
  'cce-mean-all': /"mean" divides by the batch size B alone/,
  'sigmoid-slope-for-tanh': /Y_j \(1 - Y_j\) is the sigmoid's derivative, used for a tanh layer/,
  'tanh-slope-of-output': /tanh's derivative is evaluated at the output/,
  'relu-kink-right': /every factor of the chain rule is there|at S_j = 0 exactly/,
  'leaky-alpha-ignored': /leaky_relu's alpha is ignored/,
  'leaky-alpha-positive': /alpha is applied on the positive side/,
  'mse-factor-2': /the factor 2 of the squared error's derivative/,
  'mse-cce-delta': /Z - t is cross-entropy's delta/,
  'mse-no-slope': /the claim lacks dZ\/dS = 1 - Z\^2/,
  'softmax-no-shift': null,
  'ln-rounded-softmax': null,
};

describe('which factor of the chain rule a claim gets wrong', () => {
  it.each(MISTAKES.map((m) => [m.id, m] as const))('names the mistake in %s', (id, m) => {
    const found = findings(m.claim);
    const want = expected[id];
    if (want === undefined) return; // a mistake added to the catalogue since: its own spec names it
    if (want === null) expect(found).toBe(null);
    else expect(found!.join('\n')).toMatch(want!);
  });

  it('finds nothing wrong with the seed\'s product, the mean\'s missing 1/(B n_L), an extra constant', () => {
    const none = 'every factor of the chain rule is there, and nothing else (on the probe networks): the difference is in the arithmetic or the sample';
    expect(findings({ formula: '(Z - t) / (Z * (1 - Z)) * Z * (1 - Z) * Y' })).toEqual([none]);
    expect(findings({ formula: 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k', layer: 'hidden', reduction: 'mean' })).toEqual([
      'the claim lacks dE/dE_sum = 1 / (B n_L) (= 0.25)',
    ]);
    expect(findings({ formula: '2 * (Z - t) * Y' })).toEqual(['an extra factor 2 (= 2) that no factor of the chain rule accounts for']);
  });

  it('splits a formula into its factors through *, /, unary minus and parentheses', () => {
    const r = resolveClaim({ formula: '-(Z - t) * (Y * +W) / (Z * (1 - Z))' });
    const factors = flattenFactors((r.formula as { node: Parameters<typeof flattenFactors>[0] }).node);
    expect(factors.map((f) => (f.inverse ? `1/${f.text}` : f.text))).toEqual(['-1', '(Z - t)', 'Y', 'W', '1/Z', '1/(1 - Z)']);
    expect(productText(factors)).toBe('-1 * (Z - t) * Y * W / Z / (1 - Z)');
    expect(productText(factors.filter((f) => f.inverse))).toBe('1 / Z / (1 - Z)');
  });

  it('gives up on function claims and on formulas of too many factors', () => {
    expect(findings({ formula: (q) => q.Y })).toBe(null);
    expect(findings({ formula: Array.from({ length: MAX_FACTORS + 1 }, () => 'Y').join(' * ') })).toBe(null);
  });
});
