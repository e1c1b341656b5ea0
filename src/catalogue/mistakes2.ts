/**
 * The catalogue's classic mistakes of the version-2 family (tanh, the rectifiers, linear and
 * softmax layers; cce and mse losses), each a claim about one layer of the family and a hook of
 * the shared version-2 float64 implementation (`implementation2.ts`), whose buggy implementation
 * declares the family the mistake needs (description activations and losses; kink left).
 */
import type { Mistake } from './mistake.js';
import { CORRECT_HOOKS2, residual, type Family, type OutputRow, type SoftmaxRow } from './implementation2.js';

const hidden = 'hidden' as const;

const CCE: Family = { activations: ['sigmoid', 'softmax'], losses: ['cce'] };
const hiddenUnder = (activation: Family['activations'][number]): Family => ({ activations: ['sigmoid', activation], losses: ['bce'] });

/** The hidden-layer backprop of a claim, with the activation's slope written as `slope`. */
const backprop = (slope: string): string => `sum_i((Z_i - t_i) * W_ji) * ${slope} * X_k`;

/** Softmax of a row without subtracting the largest logit: e^S overflows past S = 709.78. */
function unshiftedSoftmax(S: readonly number[]): SoftmaxRow {
  const e = S.map((s) => Math.exp(s));
  const sum = e.reduce((a, x) => a + x, 0);
  return { Z: e.map((x) => x / sum), Zc: e.map((x) => (sum - x) / sum), minusLnZ: S.map((s) => Math.log(sum) - s) };
}

/** The version-2 mistakes, in the order the table prints them (after the version-1 ones). */
export const FAMILY_MISTAKES: readonly Mistake[] = [
  {
    id: 'softmax-diagonal',
    name: "the softmax Jacobian's diagonal only",
    explanation: 'dZ_k/dS_i = Z_k (delta_ki - Z_i) is a full matrix; keeping its diagonal Z_i (1 - Z_i) drops the other units\' -Z_k Z_i and gives -t_i (1 - Z_i) instead of the fused Z_i - t_i',
    claim: { formula: '-t * (1 - Z) * Y', loss: 'cce' },
    right: '(Z - t) * Y',
    hooks: {},
    v2: { family: CCE, hooks: { outputDelta: (r) => r.t.map((t, i) => -t * r.Zc![i]!) } },
    source: "the elementwise chain rule dE/dZ_i * f'(S_i) carried over to softmax, whose outputs share one denominator",
  },
  {
    id: 'cce-delta-slope',
    name: 'the fused softmax/cce delta multiplied again by Z(1 - Z)',
    explanation: "with cross-entropy on softmax dE/dS = Z - t already holds the softmax's Jacobian; multiplying by Z(1 - Z) applies it twice",
    claim: { formula: '(Z - t) * Z * (1 - Z) * Y', loss: 'cce' },
    right: '(Z - t) * Y',
    hooks: {},
    v2: { family: CCE, hooks: { outputDelta: (r) => CORRECT_HOOKS2.outputDelta(r).map((d, i) => d * r.Z[i]! * r.Zc![i]!) } },
    source: 'the sigmoid-output habit delta = dE/dZ * Z(1 - Z) kept after switching to a fused softmax cross-entropy',
  },
  {
    id: 'cce-mean-all',
    name: 'cce "mean" divided by B n_L',
    explanation: 'categorical cross-entropy\'s "mean" averages over the B rows (one term per sample), not over the B n_L units: dividing by n_L too makes the gradient n_L times too small',
    claim: { formula: '(Z - t) * Y / (B * n_L)', loss: 'cce', reduction: 'mean' },
    right: '(Z - t) * Y / B',
    hooks: {},
    v2: { family: CCE, hooks: { divisor: (_loss, reduction, B, nL) => (reduction === 'mean' ? B * nL : 1) } },
    source: 'the bce/mse elementwise mean carried over; PyTorch CrossEntropyLoss(reduction="mean") divides by the batch',
  },
  {
    id: 'sigmoid-slope-for-tanh',
    name: "the sigmoid's derivative used for a tanh layer",
    explanation: "tanh'(S) = 1 - Y^2; Y(1 - Y) is the sigmoid's slope, and is negative for Y < 0",
    claim: { formula: backprop('Y_j * (1 - Y_j)'), layer: hidden, activation: 'tanh' },
    right: backprop('(1 - Y_j^2)'),
    hooks: {},
    v2: { family: hiddenUnder('tanh'), hooks: { slope: (u) => (u.activation === 'tanh' ? u.Z * (1 - u.Z) : CORRECT_HOOKS2.slope(u)) } },
    source: 'a sigmoid network\'s backward pass reused after swapping the activation',
  },
  {
    id: 'tanh-slope-of-output',
    name: "tanh's derivative evaluated at the output",
    explanation: "tanh'(S) = 1 - tanh(S)^2 = 1 - Y^2; 1 - tanh(Y)^2 applies tanh a second time (the derivative's argument is S, or its value is written through Y)",
    claim: { formula: backprop('(1 - tanh(Y_j)^2)'), layer: hidden, activation: 'tanh' },
    right: backprop('(1 - Y_j^2)'),
    hooks: {},
    v2: { family: hiddenUnder('tanh'), hooks: { slope: (u) => (u.activation === 'tanh' ? 1 - Math.tanh(u.Z) ** 2 : CORRECT_HOOKS2.slope(u)) } },
    source: "dtanh(x) = 1 - tanh(x)^2 called with the layer's stored activations instead of its pre-activations",
  },
  {
    id: 'relu-kink-right',
    name: "relu'(0) = 1 undeclared",
    explanation: "an implementation that does not declare its kink side computes relu'(0) = 0 (the left piece, the protocol's default); S >= 0 ? 1 : 0 takes the right piece at an exact S = 0",
    claim: { formula: backprop('(1 - step(-S_j))'), layer: hidden, activation: 'relu' },
    right: backprop('step(S_j)'),
    hooks: {},
    v2: { family: hiddenUnder('relu'), hooks: { slope: (u) => (u.activation === 'relu' ? (u.S >= 0 ? 1 : 0) : CORRECT_HOOKS2.slope(u)) } },
    source: '`S >= 0` written for `S > 0` (a subgradient choice the description must declare: kink "right")',
  },
  {
    id: 'leaky-alpha-ignored',
    name: "leaky_relu's alpha ignored",
    explanation: "leaky_relu'(S) = 1 for S > 0, alpha otherwise; the relu slope step(S) drops the negative side's alpha",
    claim: { formula: backprop('step(S_j)'), layer: hidden, activation: 'leaky_relu' },
    right: backprop('(step(S_j) + alpha * (1 - step(S_j)))'),
    hooks: {},
    v2: { family: hiddenUnder('leaky_relu'), hooks: { slope: (u) => (u.activation === 'leaky_relu' ? (u.S > 0 ? 1 : 0) : CORRECT_HOOKS2.slope(u)) } },
    source: 'a relu backward pass reused for leaky_relu',
  },
  {
    id: 'leaky-alpha-positive',
    name: "leaky_relu's alpha on the positive side",
    explanation: "leaky_relu'(S) is 1 for S > 0 and alpha for S <= 0; alpha on the positive side swaps the pieces",
    claim: { formula: backprop('(alpha * step(S_j) + 1 - step(S_j))'), layer: hidden, activation: 'leaky_relu' },
    right: backprop('(step(S_j) + alpha * (1 - step(S_j)))'),
    hooks: {},
    v2: { family: hiddenUnder('leaky_relu'), hooks: { slope: (u) => (u.activation === 'leaky_relu' ? (u.S > 0 ? u.alpha : 1) : CORRECT_HOOKS2.slope(u)) } },
    source: 'the branches of `S > 0 ? 1 : alpha` swapped',
  },
  {
    id: 'mse-factor-2',
    name: "the squared error's factor 2 dropped",
    explanation: 'd(Z - t)^2/dZ = 2 (Z - t); (Z - t) alone is the gradient of half the squared error, which is not the loss the protocol defines',
    claim: { formula: '(Z - t) * Y', loss: 'mse', activation: 'linear' },
    right: '2 * (Z - t) * Y',
    hooks: {},
    v2: { family: { activations: ['linear'], losses: ['mse'] }, hooks: { outputDelta: (r) => r.t.map((_, i) => residual(r, i) * r.slope![i]!) } },
    source: 'the textbook loss 1/2 (Z - t)^2, whose 1/2 cancels the 2, differentiated for a loss without it',
  },
  {
    id: 'mse-cce-delta',
    name: 'the cross-entropy delta Z - t with a squared-error loss',
    explanation: "dE/dS = Z - t holds for cross-entropy on its matching output; the squared error's is 2 (Z - t) f'(S), here 2 (Z - t) Z (1 - Z) (the converse of mse-delta)",
    claim: { formula: '(Z - t) * Y', loss: 'mse', activation: 'sigmoid' },
    right: '2 * (Z - t) * Z * (1 - Z) * Y',
    hooks: {},
    v2: { family: { activations: ['sigmoid'], losses: ['mse'] }, hooks: { outputDelta: (r) => r.t.map((_, i) => residual(r, i)) } },
    source: 'the output delta of a cross-entropy network kept after switching the loss to squared error',
  },
  {
    id: 'mse-no-slope',
    name: "the squared-error delta without the output activation's derivative",
    explanation: "dE/dS = dE/dZ dZ/dS = 2 (Z - t) f'(S); 2 (Z - t) alone is right only for a linear output (for tanh the factor is 1 - Z^2)",
    claim: { formula: '2 * (Z - t) * Y', loss: 'mse', activation: 'tanh' },
    right: '2 * (Z - t) * (1 - Z^2) * Y',
    hooks: {},
    v2: { family: { activations: ['tanh'], losses: ['mse'] }, hooks: { outputDelta: (r) => r.t.map((_, i) => 2 * residual(r, i)) } },
    source: 'a linear-regression gradient reused with a squashing output',
  },
  {
    id: 'softmax-no-shift',
    name: 'softmax without the max shift',
    explanation: 'e^S overflows past S = 709.78 (Z = inf / inf), and ln(sum_k e^S_k) - S cancels for a dominated row; subtracting the largest logit first is exact and keeps every term at most 1',
    claim: { formula: 't * (ln(sum_k(exp(S_k))) - S)', loss: 'cce', target: 'loss', arithmetic: 'float64' },
    right: 't * (Z > 0.5 ? -log1p(-Zc) : -ln(Z))',
    hooks: {},
    v2: { family: CCE, hooks: { softmax: unshiftedSoftmax } },
    numerics: true,
    source: 'the textbook softmax e^S_i / sum_k e^S_k; the reason for log_softmax and logsumexp',
  },
  {
    id: 'ln-rounded-softmax',
    name: 'cce loss as ln of a rounded softmax output',
    explanation: "-t ln(Z) of a rounded Z is 0 once Z rounds to 1 (a true loss of e^-40 lost entirely) and infinite once it rounds to 0; -ln Z_i = ln(sum_k e^(S_k - m)) - (S_i - m) through log-softmax is exact",
    // two layers: the hidden sigmoids' 0.5 give the output a simple saturating S (as ln-probability's pin)
    claim: { formula: '-t * ln(Z)', loss: 'cce', target: 'loss', arithmetic: 'float64', layers: 2 },
    right: 't * (Z > 0.5 ? -log1p(-Zc) : -ln(Z))',
    hooks: {},
    v2: { family: CCE, hooks: { lossRow: (r: OutputRow) => r.t.reduce((E, t, i) => E + (t !== 0 ? -t * Math.log(r.Z[i]!) : 0), 0) } },
    numerics: true,
    source: 'nn.NLLLoss on softmax outputs instead of CrossEntropyLoss on logits (or log(softmax(x)))',
  },
];
