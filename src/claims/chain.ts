/**
 * The derivation's chain of factors for one entry and sample, to compare a claim's factors with:
 *
 *   output layer  dE/dW_ji = [1/(B n_L)] * dE/dZ * dZ/dS * dS/dW = [1/(B n_L)] * (Z - t)/(Z(1 - Z)) * Z(1 - Z) * Y
 *   hidden layer  dE/dV_kj = [1/(B n_L)] * dE/dY_j * dY_j/dS_j * dS_j/dV_kj
 *                          = [1/(B n_L)] * sum_i (Z_i - t_i) W_ji * Y_j (1 - Y_j) * X_k
 *
 * (the reduction's factor only with "mean"; a bias has dS/db = 1, so its chain ends one earlier).
 *
 * Version 2: dZ/dS (dY_j/dS_j) is the layer's activation's derivative (`1 - Z^2` for tanh,
 * `step(S)` for relu, `alpha + (1 - alpha) step(S)` for leaky_relu; linear's 1 is no factor),
 * its value the module's exact slope; mse's dE/dZ is `2 (Z - t)`; a softmax output with
 * cross-entropy has no per-unit dZ/dS (its Jacobian couples the row): its chain is the fused
 * dE/dS = Z - t (the mean's divisor is B) and dS/dW.
 */
import type { ActivationName } from '../network/types.js';
import type { Decimal } from '../oracle/decimal.js';
import type { ResolvedClaim } from './resolve.js';
import type { SampleScope } from './scope.js';

/** One factor of the chain. */
export interface ChainPiece {
  readonly id: 'r' | 'dEdZ' | 'dZdS' | 'dSdW' | 'dEdY' | 'dYdS' | 'dSdV' | 'dEdS';
  /** The variables it differentiates: d<from>/d<to>. */
  readonly from: string;
  readonly to: string;
  /** The derivation's formula for it. */
  readonly formula: string;
  readonly value: Decimal;
  /** The formula of this piece times the next (dE/dZ * dZ/dS), when it has a shorter one (bce with sigmoid: Z - t). */
  readonly fused?: string;
}

/** The derivative of an elementwise activation in the derivation's names (output Z of input S), or null for linear's 1. */
export function derivativeFormula(activation: ActivationName, Z: string, S: string): string | null {
  switch (activation) {
    case 'sigmoid':
      return `${Z} (1 - ${Z})`;
    case 'tanh':
      return `1 - ${Z}^2`;
    case 'relu':
      return `step(${S})`;
    case 'leaky_relu':
      return `alpha + (1 - alpha) step(${S})`;
    default:
      return null;
  }
}

/** A contiguous run of chain pieces: its name (`dE/dS`), formula and value. */
export interface ChainSegment {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly formula: string;
}

function v(scope: SampleScope, name: string): Decimal {
  const value = scope.values[name];
  if (value === undefined) throw new Error(`claims: the scope has no ${name}`);
  return value;
}

/** Which pieces a chain-factor claim is about. */
const LOCAL: Record<string, readonly ChainPiece['id'][]> = {
  'dE/dZ': ['r', 'dEdZ', 'dEdY'],
  'dZ/dS': ['dZdS', 'dYdS'],
  'dS/dW': ['dSdW', 'dSdV'],
  'dE/dS': ['r', 'dEdZ', 'dZdS', 'dEdY', 'dYdS', 'dEdS'],
};

/** The chain pieces of `r`'s entry for one sample (for a chain-factor claim, only the factor's). */
export function chainPieces(r: ResolvedClaim, scope: SampleScope): ChainPiece[] {
  const all = fullChain(r, scope);
  const keep = LOCAL[r.target];
  return keep ? all.filter((p) => keep.includes(p.id)) : all;
}

function fullChain(r: ResolvedClaim, scope: SampleScope): ChainPiece[] {
  if (!r.family.version1) return familyChain(r, scope);
  const pieces: ChainPiece[] = [];
  const divisor = v(scope, 'B').times(v(scope, 'n_L'));
  const mean = r.reduction === 'mean';
  if (mean) pieces.push({ id: 'r', from: 'E', to: 'E_sum', formula: '1 / (B n_L)', value: r.ctx.one.div(divisor) });
  const top = mean ? 'E_sum' : 'E';
  if (r.kind === 'output') {
    const Z = v(scope, 'Z');
    const Zc = v(scope, 'Zc');
    const t = v(scope, 't');
    const dEdS = r.ctx.one.minus(t).times(Z).minus(t.times(Zc)); // Z - t without cancellation
    pieces.push({ id: 'dEdZ', from: top, to: 'Z', formula: '(Z - t) / (Z (1 - Z))', value: dEdS.div(Z.times(Zc)), fused: '(Z - t)' });
    pieces.push({ id: 'dZdS', from: 'Z', to: 'S', formula: 'Z (1 - Z)', value: Z.times(Zc) });
    if (r.target === 'W' || r.target === 'dS/dW') pieces.push({ id: 'dSdW', from: 'S', to: 'W', formula: 'Y', value: v(scope, 'Y') });
    return pieces;
  }
  let dEdY = r.ctx.zero;
  for (const unit of scope.units) dEdY = dEdY.plus(unit.delta_i!.times(unit.W_ji!));
  if (mean) dEdY = dEdY.times(divisor);
  const sum = r.nextIsOutput ? 'sum_i (Z_i - t_i) W_ji' : 'sum_i delta_i W_ji';
  pieces.push({ id: 'dEdY', from: top, to: 'Y_j', formula: sum, value: dEdY });
  pieces.push({ id: 'dYdS', from: 'Y_j', to: 'S_j', formula: 'Y_j (1 - Y_j)', value: v(scope, 'Y_j').times(v(scope, 'Yc_j')) });
  if (r.target === 'W' || r.target === 'dS/dW') pieces.push({ id: 'dSdV', from: 'S_j', to: 'V_kj', formula: 'X_k', value: v(scope, 'X') });
  return pieces;
}

/** The chain of a version-2 claim (see the module comment). */
function familyChain(r: ResolvedClaim, scope: SampleScope): ChainPiece[] {
  const { family } = r;
  const pieces: ChainPiece[] = [];
  const cce = family.loss === 'cce';
  const divisor = cce ? v(scope, 'B') : v(scope, 'B').times(v(scope, 'n_L'));
  const mean = r.reduction === 'mean';
  if (mean) pieces.push({ id: 'r', from: 'E', to: 'E_sum', formula: cce ? '1 / B' : '1 / (B n_L)', value: r.ctx.one.div(divisor) });
  const top = mean ? 'E_sum' : 'E';
  const withInput = r.target === 'W' || r.target === 'dS/dW';
  const slope = (): Decimal => {
    if (scope.slope === undefined) throw new Error('claims: the scope has no slope');
    return scope.slope;
  };
  if (r.kind === 'output') {
    const Z = v(scope, 'Z');
    const t = v(scope, 't');
    if (family.output === 'softmax') {
      pieces.push({ id: 'dEdS', from: top, to: 'S', formula: 'Z - t', value: Z.minus(t) });
    } else if (family.loss === 'mse') {
      pieces.push({ id: 'dEdZ', from: top, to: 'Z', formula: '2 (Z - t)', value: Z.minus(t).times(2) });
      const f = derivativeFormula(family.output, 'Z', 'S');
      if (f !== null) pieces.push({ id: 'dZdS', from: 'Z', to: 'S', formula: f, value: slope() });
    }
    if (withInput) pieces.push({ id: 'dSdW', from: 'S', to: 'W', formula: 'Y', value: v(scope, 'Y') });
    return pieces;
  }
  let dEdY = r.ctx.zero;
  for (const unit of scope.units) dEdY = dEdY.plus(unit.delta_i!.times(unit.W_ji!));
  if (mean) dEdY = dEdY.times(divisor);
  let term = 'delta_i';
  if (r.nextIsOutput) {
    const f = family.loss === 'mse' ? derivativeFormula(family.output, 'Z_i', 'S_i') : null;
    term = family.loss === 'mse' ? `2 (Z_i - t_i)${f === null ? '' : ` ${f}`}` : '(Z_i - t_i)';
  }
  pieces.push({ id: 'dEdY', from: top, to: 'Y_j', formula: `sum_i ${term} W_ji`, value: dEdY });
  const f = derivativeFormula(family.activation, 'Y_j', 'S_j');
  if (f !== null) pieces.push({ id: 'dYdS', from: 'Y_j', to: 'S_j', formula: f, value: family.activation === 'sigmoid' ? v(scope, 'Y_j').times(v(scope, 'Yc_j')) : slope() });
  if (withInput) pieces.push({ id: 'dSdV', from: 'S_j', to: 'V_kj', formula: 'X_k', value: v(scope, 'X') });
  return pieces;
}

/** The formula of a run of pieces; dE/dZ * dZ/dS is written as cross-entropy's Z - t (bce with sigmoid). */
export function segmentFormula(pieces: readonly ChainPiece[]): string {
  const parts: string[] = [];
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k]!;
    if (piece.fused !== undefined && pieces[k + 1]?.id === 'dZdS') {
      parts.push(piece.fused);
      k += 1;
    } else parts.push(piece.formula);
  }
  return parts.join(' * ');
}

/** Every contiguous run of the chain, with its name and formula. */
export function chainSegments(pieces: readonly ChainPiece[]): ChainSegment[] {
  const segments: ChainSegment[] = [];
  for (let start = 0; start < pieces.length; start++) {
    for (let end = start; end < pieces.length; end++) {
      const run = pieces.slice(start, end + 1);
      const name = `d${run[0]!.from}/d${run[run.length - 1]!.to}`;
      segments.push({ start, end, name: run.length > 1 ? `${name} = ${run.map((p) => `d${p.from}/d${p.to}`).join(' * ')}` : name, formula: segmentFormula(run) });
    }
  }
  return segments;
}
