/**
 * The catalogue of classic mistakes in deriving backpropagation for sigmoid units and
 * cross-entropy. Each is a claim (the formula a person would write) and a hook of the shared
 * float64 implementation (the code a person would write), so the verifier can kill it twice.
 */
import type { Implementation } from '../iut/types.js';
import { buildImplementation, CORRECT_HOOKS } from './implementation.js';
import { buildImplementation2 } from './implementation2.js';
import type { Mistake } from './mistake.js';
import { FAMILY_MISTAKES } from './mistakes2.js';

export type { CatalogueClaim, Mistake } from './mistake.js';

const hidden = 'hidden' as const;

/** The catalogue, in the order the table prints it. */
export const MISTAKES: readonly Mistake[] = [
  {
    id: 'mse-delta',
    name: 'squared-error delta with cross-entropy',
    explanation: 'dE/dS is Z - t for cross-entropy; multiplying by Z(1 - Z) again is the squared-error delta',
    claim: { formula: '(Z - t) * Z * (1 - Z) * Y' },
    right: '(Z - t) * Y',
    hooks: { outputDelta: (u) => CORRECT_HOOKS.outputDelta(u) * u.Z * u.Zc },
    source: 'Nielsen, Neural Networks and Deep Learning, ch. 3 (the cross-entropy cost cancels sigma\')',
  },
  {
    id: 'sign-flip',
    name: 'sign flip',
    explanation: 'the gradient is (Z - t) Y; (t - Z) Y points uphill and gradient descent climbs the loss',
    claim: { formula: '(t - Z) * Y' },
    right: '(Z - t) * Y',
    hooks: { weightTerm: (q) => (q.output ? -q.Y * q.delta : q.Y * q.delta) },
    source: 'the delta rule\'s update direction (t - o), which already holds the minus sign of descent, taken as the gradient',
  },
  {
    id: 'missing-y',
    name: 'missing Y_j',
    explanation: 'dS_i/dW_ji = Y_j: the weight gradient is the unit\'s error times its input, not the error alone',
    claim: { formula: 'Z - t' },
    right: '(Z - t) * Y',
    hooks: { weightTerm: (q) => (q.output ? q.delta : q.Y * q.delta) },
    source: 'confusing dE/dS_i (the delta) with dE/dW_ji',
  },
  {
    id: 'slope-of-s',
    name: "sigma' applied to S",
    explanation: "sigma'(S) = Z(1 - Z) with Z = sigma(S); S(1 - S) applies the formula to the pre-activation",
    claim: { formula: 'sum_i((Z_i - t_i) * W_ji) * S_j * (1 - S_j) * X_k', layer: hidden },
    right: 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k',
    hooks: { slope: ({ S }) => S * (1 - S) },
    source: "sigma'(x) = sigma(x)(1 - sigma(x)) misread as x(1 - x)",
  },
  {
    id: 'hidden-missing-slope',
    name: 'Z(1 - Z) missing in a hidden layer',
    explanation: 'the error reaching a hidden unit must pass its sigmoid: delta_j = Y_j (1 - Y_j) sum_i W_ji delta_i',
    claim: { formula: 'sum_i((Z_i - t_i) * W_ji) * X_k', layer: hidden },
    right: 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k',
    hooks: { slope: () => 1 },
    source: 'fixtures/implementations/buggy-missing-slope.mjs; the linear-unit delta rule carried over',
  },
  {
    id: 'hidden-transposed',
    name: 'transposed weight index in the hidden backprop',
    explanation: 'the error travels back along W_ji (from unit j to unit i above), not W_ij',
    claim: { formula: 'sum_i((Z_i - t_i) * W_ij) * Y_j * (1 - Y_j) * X_k', layer: hidden },
    right: 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k',
    hooks: { backSum: (W, delta, j) => delta.reduce((g, d, i) => g + W[i % W.length]![j % W[0]!.length]! * d, 0) },
    source: 'W delta instead of W^T delta (fixtures/implementations/buggy-transposed.mjs)',
  },
  {
    id: 'hard-targets',
    name: 'soft targets ignored',
    explanation: 'cross-entropy takes any target t in [0, 1]; rounding it to 0 or 1 changes the gradient (Z - t)',
    claim: { formula: '(Z - round(t)) * Y' },
    right: '(Z - t) * Y',
    hooks: {
      outputDelta: (u) => CORRECT_HOOKS.outputDelta({ ...u, t: Math.round(u.t) }),
      lossTerm: (u) => CORRECT_HOOKS.lossTerm({ ...u, t: Math.round(u.t) }),
    },
    source: 'label smoothing and distillation targets treated as class labels',
  },
  {
    id: 'bias-one-sample',
    name: 'bias gradient from one sample',
    explanation: 'dE/db_i sums delta_i over the batch; `=` instead of `+=` keeps only the last sample',
    claim: { formula: '(Z - t) * (s == B - 1)', target: 'b' },
    right: 'Z - t',
    hooks: { biasGradient: (deltas) => deltas[deltas.length - 1]! },
    source: 'an accumulation loop that assigns',
  },
  {
    id: 'mean-batch-only',
    name: '"mean" divided by the batch only',
    explanation: 'the "mean" loss averages over B n_L terms (samples and outputs); dividing by B alone is n_L times too large',
    claim: { formula: '(Z - t) * Y / B', reduction: 'mean' },
    right: '(Z - t) * Y / (B * n_L)',
    hooks: { divisor: (reduction, B) => (reduction === 'mean' ? B : 1) },
    source: 'fixtures/implementations/buggy-mean.mjs; PyTorch BCELoss(reduction="mean") averages over every element',
  },
  {
    id: 'ln-probability',
    name: 'ln of the probability instead of the logit form',
    explanation: 'the loss from ln Z and ln(1 - Z) of a rounded Z loses digits in saturation and is infinite past |S| = 37; the logit form t softplus(-S) + (1 - t) softplus(S) is exact',
    claim: { formula: '-(t * ln(Z) + (1 - t) * ln(1 - Z))', target: 'loss', arithmetic: 'float64' },
    right: 't * softplus(-S) + (1 - t) * softplus(S)',
    hooks: {
      lossTerm: ({ S, t }) => {
        const Z = 1 / (1 + Math.exp(-S));
        return -(t * Math.log(Z) + (1 - t) * Math.log(1 - Z));
      },
    },
    numerics: true,
    source: 'textbook binary cross-entropy; the reason for BCEWithLogitsLoss and sigmoid_cross_entropy_with_logits',
  },
  {
    id: 'weight-for-input',
    name: 'the weight instead of the input',
    explanation: 'dS_i/dW_ji = Y_j: differentiating Y_j W_ji by W_ji leaves Y_j, not W_ji',
    claim: { formula: '(Z - t) * W' },
    right: '(Z - t) * Y',
    hooks: { weightTerm: (q) => (q.output ? q.W * q.delta : q.Y * q.delta) },
    source: 'differentiating with respect to the wrong factor of the product',
  },
  {
    id: 'bias-forgotten',
    name: 'bias gradient forgotten',
    explanation: 'a bias is a weight on a constant input 1: dE/db_i = sum over the batch of delta_i, not 0',
    claim: { formula: '0', target: 'b' },
    right: 'Z - t',
    hooks: { biasGradient: () => 0 },
    source: 'a backward pass that only fills the weight gradients',
  },
  {
    id: 'hidden-unweighted',
    name: 'hidden error summed without the weights',
    explanation: 'each output error reaches hidden unit j through its weight: sum_i delta_i W_ji, not sum_i delta_i',
    claim: { formula: 'sum_i(Z_i - t_i) * Y_j * (1 - Y_j) * X_k', layer: hidden },
    right: 'sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k',
    hooks: { backSum: (_W, delta) => delta.reduce((g, d) => g + d, 0) },
    source: 'the chain rule through S_i = sum_j Y_j W_ji stopped at S_i',
  },
  {
    id: 'own-output',
    name: "the unit's output instead of its input",
    explanation: "dS_i/dW_ji is the input Y_j coming into the weight, not the unit's own output Z_i",
    claim: { formula: '(Z - t) * Z' },
    right: '(Z - t) * Y',
    hooks: { weightTerm: (q) => (q.output ? q.Z * q.delta : q.Y * q.delta) },
    source: 'layer indices off by one (activations of layer l instead of l - 1)',
  },
  ...FAMILY_MISTAKES,
];

/** The mistake with this id. */
export function mistakeById(id: string): Mistake | undefined {
  return MISTAKES.find((m) => m.id === id);
}

/** The buggy float64 implementation of a mistake (the correct one of its version with its hooks swapped). */
export function buggyImplementation(m: Mistake): Implementation {
  return m.v2 ? buildImplementation2(`catalogue:${m.id}`, m.v2.family, m.v2.hooks) : buildImplementation(`catalogue:${m.id}`, m.hooks);
}

/** The correct implementation of the mistake's version and family (the control of its pins). */
export function correctImplementation(m: Mistake): Implementation {
  return m.v2 ? buildImplementation2('correct', m.v2.family) : buildImplementation('correct');
}

/** The family a mistake is about, as the table prints it: the claim's layer activation and the loss (version 1: sigmoid, bce). */
export function familyOf(m: Mistake): string {
  if (!m.v2) return 'sigmoid, bce';
  const loss = m.claim.loss ?? 'bce';
  const output = loss === 'bce' ? 'sigmoid' : loss === 'cce' ? 'softmax' : 'linear';
  const hidden = m.claim.layer === 'hidden' || typeof m.claim.layer === 'number';
  const activation = m.claim.activation ?? (hidden ? 'sigmoid' : output);
  return hidden ? `hidden ${activation}, ${output} ${loss}` : `${activation}, ${loss}`;
}
