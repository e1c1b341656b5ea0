/**
 * The symbols a claim may use, per kind of entry. All are per sample (the tool sums the claim
 * over the batch); indices follow the derivation: an output-layer entry is `dE/dW_ji` (input j,
 * unit i), a hidden-layer entry `dE/dV_kj` (input k, hidden unit j), and `sum_i` runs over the
 * units i of the layer above.
 */
import type { ClaimFamily } from './family.js';
import type { ClaimTarget } from './types.js';

/** One symbol (with its aliases) and what it stands for. */
export interface SymbolInfo {
  readonly names: readonly string[];
  readonly meaning: string;
}

/** The symbols of one kind of claim. */
export interface SymbolSet {
  /** Symbols usable anywhere in the formula. */
  readonly outer: readonly SymbolInfo[];
  /** Symbols usable only inside `sum_i(...)` (hidden-layer claims). */
  readonly inner: readonly SymbolInfo[];
  /** Function names usable in the formula. */
  readonly functions: readonly SymbolInfo[];
  /** Symbols usable only inside `sum_k(...)` (cce output claims: the units k of the softmax row). */
  readonly rowInner?: readonly SymbolInfo[];
}

const common: SymbolInfo[] = [
  { names: ['B'], meaning: 'batch size' },
  { names: ['n_L'], meaning: 'number of output units of the network' },
  { names: ['s'], meaning: 'index of the sample, 0 to B - 1' },
];

const outputW: SymbolInfo[] = [
  { names: ['Y', 'Y_j'], meaning: "input j of the layer (the network's input in a 1-layer network)" },
  { names: ['W', 'W_ji'], meaning: 'the weight itself, from input j to unit i' },
];

const outputUnit: SymbolInfo[] = [
  { names: ['S', 'S_i'], meaning: 'pre-activation of unit i: sum_j Y_j W_ji + b_i' },
  { names: ['Z', 'Z_i'], meaning: 'output of unit i: sigma(S_i)' },
  { names: ['Zc', 'Zc_i'], meaning: '1 - Z_i, held separately (exact also in saturation)' },
  { names: ['t', 't_i'], meaning: 'target of unit i' },
];

const outputBias: SymbolInfo = { names: ['b', 'b_i'], meaning: 'bias of unit i (0 when the layer has none)' };

const hiddenV: SymbolInfo[] = [
  { names: ['X', 'X_k'], meaning: 'input k of the layer' },
  { names: ['V', 'V_kj'], meaning: 'the weight itself, from input k to hidden unit j' },
];

const hiddenUnit: SymbolInfo[] = [
  { names: ['S_j'], meaning: 'pre-activation of hidden unit j: sum_k X_k V_kj + b_j' },
  { names: ['Y_j'], meaning: 'output of hidden unit j: sigma(S_j)' },
  { names: ['Yc_j'], meaning: '1 - Y_j, held separately' },
  { names: ['b_j'], meaning: 'bias of hidden unit j (0 when the layer has none)' },
];

const nextOutput: SymbolInfo[] = [
  { names: ['Z_i'], meaning: 'output of unit i of the output layer above' },
  { names: ['Zc_i'], meaning: '1 - Z_i, held separately' },
  { names: ['S_i'], meaning: 'pre-activation of output unit i' },
  { names: ['t_i'], meaning: 'target of output unit i' },
];

const nextAny: SymbolInfo[] = [
  { names: ['W_ji'], meaning: 'weight of the layer above, from hidden unit j to its unit i' },
  { names: ['W_ij'], meaning: 'the same matrix read transposed, W[i mod n_j][j mod n_i] (a classic mistake)' },
  { names: ['delta_i'], meaning: 'dE/dS_i of unit i of the layer above (finite difference; Z_i - t_i for "sum" when it is the output layer)' },
];

const functions: SymbolInfo[] = [
  { names: ['sigma'], meaning: 'sigma(x) = 1 / (1 + e^-x)' },
  { names: ['softplus'], meaning: 'softplus(x) = ln(1 + e^x)' },
  { names: ['exp'], meaning: 'e^x' },
  { names: ['ln', 'log'], meaning: 'natural logarithm' },
  { names: ['log1p'], meaning: 'ln(1 + x)' },
  { names: ['sqrt', 'abs', 'round', 'min', 'max'], meaning: 'as usual (round: to the nearest integer)' },
];

const sumI: SymbolInfo = { names: ['sum_i'], meaning: 'sum_i(term): the sum of term over the units i of the layer above' };

/** How a symbol's meaning names an activation applied to x. */
function applied(activation: string, x: string): string {
  return activation === 'sigmoid' ? `sigma(${x})` : `${activation}(${x})`;
}

const familyFunctions: SymbolInfo[] = [
  { names: ['step'], meaning: "step(x) = 1 for x > 0, else 0 (ReLU's derivative, its left piece at 0)" },
  { names: ['tanh'], meaning: 'tanh(x)' },
];

const sumK: SymbolInfo = { names: ['sum_k'], meaning: 'sum_k(term): the sum of term over the units k of the softmax row' };

const rowUnit: SymbolInfo[] = [
  { names: ['Z_k'], meaning: 'output k of the softmax row: e^S_k / sum_m e^S_m' },
  { names: ['Zc_k'], meaning: '1 - Z_k, held separately' },
  { names: ['S_k'], meaning: 'pre-activation of output unit k' },
  { names: ['t_k'], meaning: 'target of output unit k (a target row sums to 1)' },
];

/** The version-2 symbol set: version 1's with the family's activation named and its own symbols added. */
function familySet(kind: 'output' | 'hidden', target: ClaimTarget, nextIsOutput: boolean, family: ClaimFamily): SymbolSet {
  const base = symbolSet(kind, target, nextIsOutput);
  const held = (a: string): string => (a === 'sigmoid' || a === 'softmax' ? '1 - Z_i, held separately (exact also in saturation)' : '1 - Z_i');
  const rename = (info: SymbolInfo): SymbolInfo => {
    const name = info.names[0]!;
    const out = family.output;
    if (name === 'Z' || (name === 'Z_i' && kind === 'output')) return { ...info, meaning: out === 'softmax' ? 'output of unit i: softmax of the row, e^S_i / sum_k e^S_k' : `output of unit i: ${applied(out, 'S_i')}` };
    if (name === 'Zc') return { ...info, meaning: held(out) };
    if (name === 'Y_j' && kind === 'hidden') return { ...info, meaning: `output of hidden unit j: ${applied(family.activation, 'S_j')}` };
    if (name === 'Yc_j') return { ...info, meaning: family.activation === 'sigmoid' ? info.meaning : '1 - Y_j' };
    if (name === 'Zc_i' && kind === 'hidden') return { ...info, meaning: held(out) };
    if (name === 'delta_i' && family.loss === 'mse' && nextIsOutput) return { ...info, meaning: "dE/dS_i of unit i of the layer above (finite difference; 2 (Z_i - t_i) f'(S_i) for \"sum\" when it is the output layer)" };
    return info;
  };
  const alpha: SymbolInfo[] = family.activation === 'leaky_relu' && target !== 'loss' ? [{ names: ['alpha'], meaning: `leaky_relu's slope for S <= 0 (${family.alpha})` }] : [];
  const row = kind === 'output' && family.output === 'softmax';
  const outer = base.outer.map(rename);
  const at = outer.findIndex((info) => info.names[0] === 'B');
  outer.splice(at, 0, ...alpha);
  return {
    outer,
    inner: base.inner.map(rename),
    functions: [...base.functions, ...familyFunctions, ...(row ? [sumK] : [])],
    ...(row ? { rowInner: rowUnit } : {}),
  };
}

/**
 * The symbols of a claim about `target` in an output or hidden layer; `nextIsOutput` says whether
 * the layer above a hidden layer is the output layer (only then do Z_i, t_i exist in `sum_i`).
 * A `family` other than version 1's names its activation in the meanings and adds `step`, `tanh`,
 * `alpha` (leaky_relu) and, for a softmax output, `sum_k(...)` with `Z_k`, `Zc_k`, `S_k`, `t_k`.
 */
export function symbolSet(kind: 'output' | 'hidden', target: ClaimTarget, nextIsOutput = true, family?: ClaimFamily): SymbolSet {
  if (family !== undefined && !family.version1) return familySet(kind, target, nextIsOutput, family);
  if (target === 'loss') return { outer: [...outputUnit, ...common], inner: [], functions };
  const withInput = target === 'W' || target === 'dS/dW';
  if (kind === 'output') {
    const weight = withInput ? outputW : [];
    return { outer: [...weight, ...outputUnit, outputBias, ...common], inner: [], functions };
  }
  const weight = withInput ? hiddenV : [];
  return {
    outer: [...weight, ...hiddenUnit, ...common],
    inner: [...(nextIsOutput ? nextOutput : []), ...nextAny],
    functions: [...functions, sumI],
  };
}

/** Every name in a list of symbol infos. */
export function namesOf(infos: readonly SymbolInfo[]): string[] {
  return infos.flatMap((info) => info.names);
}

/** The symbol set as an indented table for messages. */
export function formatSymbols(set: SymbolSet): string {
  const row = (info: SymbolInfo): string => `    ${info.names.join(', ').padEnd(22)} ${info.meaning}`;
  const lines = ['  symbols:', ...set.outer.map(row)];
  if (set.inner.length > 0) lines.push('  inside sum_i(...) also:', ...set.inner.map(row));
  if (set.rowInner && set.rowInner.length > 0) lines.push('  inside sum_k(...) also:', ...set.rowInner.map(row));
  lines.push('  functions:', ...set.functions.map(row));
  lines.push('  operators: + - * / ^, parentheses, comparisons (== != < <= > >=, 1 when true), c ? a : b;');
  lines.push('  Z(1 - Z) is read as Z * (1 - Z)');
  return lines.join('\n');
}
