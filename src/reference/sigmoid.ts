/**
 * Scalar float64 kernels of the logistic sigmoid and binary cross-entropy, formed without
 * cancellation: the forms live in the layer modules (`src/layers/sigmoid.ts`, `src/layers/bce.ts`);
 * these names are kept for the code and specs that import them.
 */
import { bceKernels, softplus as layerSoftplus } from '../layers/bce.js';
import { sigmoid as activation } from '../layers/sigmoid.js';

/** Z = sigma(S) = 1 / (1 + e^(-S)). */
export function sigmoid(S: number): number {
  return activation.value(S);
}

/** Zc = 1 - sigma(S) = sigma(-S), without forming 1 - Z. */
export function sigmoidComplement(S: number): number {
  return activation.complement(S);
}

/** sigma'(S) = Z (1 - Z) = sigma(S) sigma(-S), without cancellation. */
export function sigmoidSlope(S: number): number {
  return activation.slope(activation.value(S), activation.complement(S));
}

/** softplus(x) = ln(1 + e^x) = max(x, 0) + log1p(e^(-|x|)), exact to a few ulps for every x. */
export const softplus: (x: number) => number = layerSoftplus;

/** Binary cross-entropy of one output from its logit: t softplus(-S) + (1-t) softplus(S). */
export function crossEntropyFromLogit(S: number, t: number): number {
  return bceKernels.term(S, t);
}
