/**
 * Scalar kernels of the logistic sigmoid in float64, formed without cancellation.
 *
 * With f = e^(-|S|) <= 1 (never overflows):
 *   Z  = sigma(S)  = 1/(1+f) for S >= 0, f/(1+f) for S < 0
 *   Zc = sigma(-S) = 1 - Z, computed directly, never as 1 - Z
 * so a saturated unit keeps all the digits of its small side.
 */

/** Z = sigma(S) = 1 / (1 + e^(-S)). */
export function sigmoid(S: number): number {
  const f = Math.exp(-Math.abs(S));
  return S >= 0 ? 1 / (1 + f) : f / (1 + f);
}

/** Zc = 1 - sigma(S) = sigma(-S), without forming 1 - Z. */
export function sigmoidComplement(S: number): number {
  return sigmoid(-S);
}

/** sigma'(S) = Z (1 - Z) = sigma(S) sigma(-S), without cancellation. */
export function sigmoidSlope(S: number): number {
  return sigmoid(S) * sigmoid(-S);
}

/** softplus(x) = ln(1 + e^x) = max(x, 0) + log1p(e^(-|x|)), exact to a few ulps for every x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Binary cross-entropy of one output from its logit:
 * -(t ln Z + (1-t) ln(1-Z)) = t softplus(-S) + (1-t) softplus(S),
 * a sum of two non-negative terms (no cancellation, no ln(0)).
 */
export function crossEntropyFromLogit(S: number, t: number): number {
  return t * softplus(-S) + (1 - t) * softplus(S);
}
