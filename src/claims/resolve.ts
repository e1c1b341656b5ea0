/**
 * A claim with its defaults filled in and checked: which layer of which networks it is about,
 * its symbol set, its parsed formula, the arithmetic it is evaluated in.
 */
import type { Reduction } from '../network/types.js';
import { createContext, type OracleContext } from '../oracle/context.js';
import { ClaimError } from './errors.js';
import { claimFamily, type ClaimFamily } from './family.js';
import { claimMath, type ClaimMath } from './math.js';
import { parseFormula, type ParsedFormula } from './parse.js';
import { symbolSet, type SymbolSet } from './symbols.js';
import type { Arithmetic, Claim, ClaimDescription, ClaimFunction, ClaimLayer, ClaimTarget, TargetName } from './types.js';

/** Options of evaluating a claim that are not part of the claim itself. */
export interface EvaluationOptions {
  /** Oracle precision in significant digits (default 50). */
  precision?: number;
  /**
   * Correct digits relative to the entry's magnitude a claim must keep to hold: default 20 in
   * decimal arithmetic, 12 in float64 (a stable float64 formula keeps 14 or more on these small
   * networks; one with a cancellation in saturation keeps 0 to 5).
   */
  minDigits?: number;
}

/** A claim ready to evaluate. */
export interface ResolvedClaim {
  readonly description: ClaimDescription;
  readonly kind: 'output' | 'hidden';
  readonly target: ClaimTarget;
  readonly reduction: Reduction;
  readonly arithmetic: Arithmetic;
  /** Depths of the networks the claim is checked on. */
  readonly depths: readonly number[];
  /** Whether the layer above (hidden claims) is the output layer: then Z_i and t_i exist. */
  readonly nextIsOutput: boolean;
  readonly set: SymbolSet;
  readonly formula: ParsedFormula | ClaimFunction;
  readonly math: ClaimMath;
  readonly ctx: OracleContext;
  readonly minDigits: number;
  /** The networks' family (loss, the claim layer's activation, the output's). */
  readonly family: ClaimFamily;
  /** The claim's layer (0-based) in a network of L layers. */
  layerIndex(L: number): number;
}

const MAX_LAYERS = 6;

function option(message: string): never {
  throw new ClaimError('E_CLAIM_OPTION', `claim: ${message}`);
}

function checkLayers(layer: ClaimLayer, layers: number | undefined): { depths: number[]; position: (L: number) => number } {
  if (layers !== undefined && (!Number.isInteger(layers) || layers < 1 || layers > MAX_LAYERS)) option(`layers must be an integer from 1 to ${MAX_LAYERS}, got ${layers}`);
  if (layer === 'output') return { depths: layers === undefined ? [1, 2] : [layers], position: (L) => L - 1 };
  if (layer === 'hidden') {
    if (layers !== undefined && layers < 2) option(`a hidden layer needs networks of at least 2 layers, got layers ${layers}`);
    return { depths: [layers ?? 2], position: (L) => L - 2 };
  }
  if (!Number.isInteger(layer) || layer < 1 || layer > MAX_LAYERS) option(`layer must be "output", "hidden" or a layer number from 1 to ${MAX_LAYERS}, got ${String(layer)}`);
  const L = layers ?? Math.max(layer, 2);
  if (layer > L) option(`layer ${layer} does not exist in networks of ${L} layers`);
  return { depths: [L], position: () => layer - 1 };
}

const NAMES: Record<'output' | 'hidden', Record<ClaimTarget, string>> = {
  output: { W: 'dE/dW_ji', b: 'dE/db_i', loss: 'E', 'dE/dZ': 'dE/dZ_i', 'dZ/dS': 'dZ_i/dS_i', 'dS/dW': 'dS_i/dW_ji', 'dE/dS': 'dE/dS_i' },
  hidden: { W: 'dE/dV_kj', b: 'dE/db_j', loss: 'E', 'dE/dZ': 'dE/dY_j', 'dZ/dS': 'dY_j/dS_j', 'dS/dW': 'dS_j/dV_kj', 'dE/dS': 'dE/dS_j' },
};

/** The hidden-layer spellings of the chain factors. */
const ALIASES: Record<string, ClaimTarget> = { 'dE/dY': 'dE/dZ', 'dY/dS': 'dZ/dS', 'dS/dV': 'dS/dW' };

/** Every target name `resolveClaim` accepts. */
export const TARGETS: readonly TargetName[] = ['W', 'b', 'loss', 'dE/dZ', 'dZ/dS', 'dS/dW', 'dE/dS', 'dE/dY', 'dY/dS', 'dS/dV'];

/** Whether a target is one factor of the chain rule, claimed per sample. */
export function isLocal(target: ClaimTarget): boolean {
  return target !== 'W' && target !== 'b' && target !== 'loss';
}

/**
 * Fills in a claim's defaults, checks its options and parses its formula.
 * @throws ClaimError `E_CLAIM_OPTION` for an impossible layer, target or arithmetic;
 *   `E_CLAIM_SYNTAX` / `E_CLAIM_SYMBOL` for a formula that cannot be evaluated (see `parseFormula`).
 */
export function resolveClaim(claim: Claim, options: EvaluationOptions = {}): ResolvedClaim {
  const layer = claim.layer ?? 'output';
  const target = (ALIASES[claim.target ?? 'W'] ?? claim.target ?? 'W') as ClaimTarget;
  const reduction = claim.reduction ?? 'sum';
  const arithmetic = claim.arithmetic ?? 'decimal';
  if (!TARGETS.includes(target)) option(`target must be one of ${TARGETS.join(', ')}, got ${String(target)}`);
  if (reduction !== 'sum' && reduction !== 'mean') option(`reduction must be sum or mean, got ${String(reduction)}`);
  if (arithmetic !== 'decimal' && arithmetic !== 'float64') option(`arithmetic must be decimal or float64, got ${String(arithmetic)}`);
  if (target === 'loss' && layer !== 'output') option('a claim about the loss E belongs to the output layer (layer "output")');
  if (typeof claim.formula === 'function' && arithmetic === 'float64') option('a function claim is evaluated in decimal; write the formula as an expression for float64 arithmetic');
  const { depths, position } = checkLayers(layer, claim.layers);
  const L = depths[0]!;
  const kind = position(L) === L - 1 ? 'output' : 'hidden';
  const nextIsOutput = position(L) === L - 2;
  const family = claimFamily(claim, kind === 'output' || target === 'loss' ? 'output' : 'hidden');
  if (family.output === 'softmax' && kind === 'output' && (target === 'dE/dZ' || target === 'dZ/dS')) {
    option(`a softmax output couples its row (dZ_k/dS_i is a Jacobian): claim dE/dS, W, b or loss instead of ${target}`);
  }
  const set = symbolSet(kind, target, nextIsOutput, family);
  const ctx = createContext(options.precision ?? 50);
  const math = claimMath(arithmetic, ctx.precision);
  const formula = typeof claim.formula === 'function' ? claim.formula : parseFormula(claim.formula, set, math);
  const text = typeof claim.formula === 'function' ? claim.label ?? claim.formula.toString().replace(/\s+/g, ' ') : claim.formula;
  const named = family.version1 ? {} : { loss: family.loss, activation: family.activation, ...(family.alpha !== undefined ? { alpha: family.alpha } : {}) };
  return {
    description: { text, layer, target, reduction, arithmetic, depths, kind, entryName: NAMES[kind][target], ...named },
    kind,
    target,
    reduction,
    arithmetic,
    depths,
    nextIsOutput,
    set,
    formula,
    math,
    ctx,
    minDigits: options.minDigits ?? (arithmetic === 'decimal' ? 20 : 12),
    family,
    layerIndex: position,
  };
}
