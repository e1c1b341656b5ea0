/**
 * Correct claims: the seed's derivation in several spellings, which the claim checker must never
 * flag (the control group of the catalogue).
 */
import type { Claim } from '../claims/types.js';

/** The seed's formulas, each with where it applies. */
export const CORRECT_CLAIMS: readonly (Claim & { readonly formula: string })[] = [
  { formula: '(Z - t) * Y' },
  { formula: '(Z - t) / (Z * (1 - Z)) * Z * (1 - Z) * Y' }, // dE/dZ * dZ/dS * dS/dW, the seed's three factors
  { formula: '((1 - t) * Z - t * Zc) * Y_j' },
  { formula: '(Z_i - t_i) Y_j' },
  { formula: '(Z - t) * Y / (B * n_L)', reduction: 'mean' },
  { formula: 'Z - t', target: 'b' },
  { formula: 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k', layer: 'hidden' },
  { formula: 'sum_i((Z_i - t_i) W_ji) Y_j (1 - Y_j) X_k', layer: 'hidden' },
  { formula: 'sum_i(delta_i * W_ji) * Y_j * Yc_j * X_k', layer: 'hidden', reduction: 'mean' },
  { formula: 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j)', layer: 'hidden', target: 'b' },
  { formula: 'sum_i(delta_i * W_ji) * Y_j * (1 - Y_j) * X_k', layer: 1, layers: 3 },
  { formula: '-(t * ln(Z) + (1 - t) * ln(1 - Z))', target: 'loss' },
  // the seed's three factors, each on its own, and dE/dS
  { formula: '(Z - t) / (Z * (1 - Z))', target: 'dE/dZ' },
  { formula: 'Z * (1 - Z)', target: 'dZ/dS' },
  { formula: 'Y', target: 'dS/dW' },
  { formula: 'Z - t', target: 'dE/dS' },
  { formula: 'sum_i((Z_i - t_i) * W_ji) / (B * n_L)', target: 'dE/dY', layer: 'hidden', reduction: 'mean' },
  { formula: 'Y_j * (1 - Y_j)', target: 'dY/dS', layer: 'hidden' },
  { formula: 'X_k', target: 'dS/dV', layer: 'hidden' },
  { formula: 'sum_i(delta_i * W_ji) * Y_j * (1 - Y_j)', target: 'dE/dS', layer: 'hidden' },
  { formula: 't * softplus(-S) + (1 - t) * softplus(S)', target: 'loss', arithmetic: 'float64' },
];
