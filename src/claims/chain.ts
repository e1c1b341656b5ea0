/**
 * The derivation's chain of factors for one entry and sample, to compare a claim's factors with:
 *
 *   output layer  dE/dW_ji = [1/(B n_L)] * dE/dZ * dZ/dS * dS/dW = [1/(B n_L)] * (Z - t)/(Z(1 - Z)) * Z(1 - Z) * Y
 *   hidden layer  dE/dV_kj = [1/(B n_L)] * dE/dY_j * dY_j/dS_j * dS_j/dV_kj
 *                          = [1/(B n_L)] * sum_i (Z_i - t_i) W_ji * Y_j (1 - Y_j) * X_k
 *
 * (the reduction's factor only with "mean"; a bias has dS/db = 1, so its chain ends one earlier).
 */
import type { Decimal } from '../oracle/decimal.js';
import type { ResolvedClaim } from './resolve.js';
import type { SampleScope } from './scope.js';

/** One factor of the chain. */
export interface ChainPiece {
  readonly id: 'r' | 'dEdZ' | 'dZdS' | 'dSdW' | 'dEdY' | 'dYdS' | 'dSdV';
  /** The variables it differentiates: d<from>/d<to>. */
  readonly from: string;
  readonly to: string;
  /** The derivation's formula for it. */
  readonly formula: string;
  readonly value: Decimal;
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
  'dE/dS': ['r', 'dEdZ', 'dZdS', 'dEdY', 'dYdS'],
};

/** The chain pieces of `r`'s entry for one sample (for a chain-factor claim, only the factor's). */
export function chainPieces(r: ResolvedClaim, scope: SampleScope): ChainPiece[] {
  const all = fullChain(r, scope);
  const keep = LOCAL[r.target];
  return keep ? all.filter((p) => keep.includes(p.id)) : all;
}

function fullChain(r: ResolvedClaim, scope: SampleScope): ChainPiece[] {
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
    pieces.push({ id: 'dEdZ', from: top, to: 'Z', formula: '(Z - t) / (Z (1 - Z))', value: dEdS.div(Z.times(Zc)) });
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

/** The formula of a run of pieces; dE/dZ * dZ/dS is written as cross-entropy's Z - t. */
export function segmentFormula(pieces: readonly ChainPiece[]): string {
  const parts: string[] = [];
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k]!;
    if (piece.id === 'dEdZ' && pieces[k + 1]?.id === 'dZdS') {
      parts.push('(Z - t)');
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
