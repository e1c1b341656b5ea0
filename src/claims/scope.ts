/**
 * The values of a claim's symbols for one entry and one sample, from the oracle's forward pass
 * and finite differences (exact to the oracle's precision).
 */
import type { Batch, Network } from '../network/types.js';
import type { Decimal } from '../oracle/decimal.js';
import { modulesOf } from '../layers/index.js';
import { toDecimal } from '../oracle/exact.js';
import { decimalExact } from '../oracle/exactArithmetic.js';
import { oracleInputsOf } from '../oracle/forward.js';
import type { OracleResult } from '../oracle/oracle.js';
import type { ResolvedClaim } from './resolve.js';
import type { EntryRef } from './types.js';

/** One sample's symbol values, and per unit i of the layer above the values inside `sum_i`. */
export interface SampleScope {
  readonly values: Record<string, Decimal>;
  readonly units: Record<string, Decimal>[];
  /** Per unit k of the softmax row, the values inside `sum_k` (cce output claims). */
  readonly row?: Record<string, Decimal>[];
  /** The derivative of the claim unit's elementwise activation at its S (the module's exact slope; version-2 claims only). */
  slope?: Decimal;
}

/** A case with the oracle's results for it. */
export interface OracleCase {
  readonly network: Network;
  readonly batch: Batch;
  readonly oracle: OracleResult;
}

function at(values: readonly Decimal[] | undefined, index: number): Decimal {
  const value = values?.[index];
  if (value === undefined) throw new Error(`claims: no value at index ${index}`);
  return value;
}

/** Adds `names` (aliases) for one value. */
function put(into: Record<string, Decimal>, names: readonly string[], value: Decimal): void {
  for (const name of names) into[name] = value;
}

/**
 * 1 - Z of layer l's unit at index k: the oracle's Zc where it is that (sigmoid, softmax), else
 * formed (tanh keeps 1 - Z^2 there, a rectifier min(S, 0)).
 */
function complementOf(r: ResolvedClaim, oc: OracleCase, l: number, k: number): Decimal {
  const activation = oc.network.layers[l]!.activation ?? 'sigmoid';
  const { forward } = oc.oracle;
  return activation === 'sigmoid' || activation === 'softmax' ? at(forward.Zc[l], k) : r.ctx.one.minus(at(forward.Z[l], k));
}

/** The symbols of an output-layer entry (or one loss term: unit `entry.unit`). */
function outputScope(r: ResolvedClaim, oc: OracleCase, entry: EntryRef, s: number): SampleScope {
  const { forward, params } = oc.oracle;
  const l = entry.layer;
  const { nIn, nOut } = oc.network.layers[l]!;
  const k = s * nOut + entry.unit;
  const values: Record<string, Decimal> = {};
  if (entry.target === 'W' || entry.target === 'dS/dW') {
    put(values, ['Y', 'Y_j'], at(oracleInputsOf(forward, l), s * nIn + entry.input));
    put(values, ['W', 'W_ji'], at(params.W[l], entry.input * nOut + entry.unit));
  }
  put(values, ['S', 'S_i'], at(forward.S[l], k));
  put(values, ['Z', 'Z_i'], at(forward.Z[l], k));
  put(values, ['Zc', 'Zc_i'], complementOf(r, oc, l, k));
  put(values, ['t', 't_i'], at(forward.T, k));
  if (entry.target !== 'loss') put(values, ['b', 'b_i'], params.b[l]?.[entry.unit] ?? r.ctx.zero);
  if (r.set.rowInner === undefined) return { values, units: [] };
  const row = Array.from({ length: nOut }, (_, u) => {
    const q = s * nOut + u;
    return { Z_k: at(forward.Z[l], q), Zc_k: at(forward.Zc[l], q), S_k: at(forward.S[l], q), t_k: at(forward.T, q) };
  });
  return { values, units: [], row };
}

/** The symbols of a hidden-layer entry dE/dV_kj, and of every unit i of the layer above. */
function hiddenScope(r: ResolvedClaim, oc: OracleCase, entry: EntryRef, s: number): SampleScope {
  const { forward, params, fd } = oc.oracle;
  const l = entry.layer;
  const { nIn, nOut } = oc.network.layers[l]!;
  const nNext = oc.network.layers[l + 1]!.nOut;
  const j = entry.unit;
  const k = s * nOut + j;
  const values: Record<string, Decimal> = {};
  if (entry.target === 'W' || entry.target === 'dS/dW') {
    put(values, ['X', 'X_k'], at(oracleInputsOf(forward, l), s * nIn + entry.input));
    put(values, ['V', 'V_kj'], at(params.W[l], entry.input * nOut + j));
  }
  values.S_j = at(forward.S[l], k);
  values.Y_j = at(forward.Z[l], k);
  values.Yc_j = complementOf(r, oc, l, k);
  values.b_j = params.b[l]?.[j] ?? r.ctx.zero;
  const above = params.W[l + 1];
  const units = Array.from({ length: nNext }, (_, i) => {
    const unit: Record<string, Decimal> = {
      W_ji: at(above, j * nNext + i),
      // the transposed index, wrapped like fixtures/implementations/buggy-transposed.mjs
      W_ij: at(above, (i % nOut) * nNext + (j % nNext)),
      delta_i: at(fd?.preActivation[l + 1], s * nNext + i),
    };
    if (r.nextIsOutput) {
      const q = s * nNext + i;
      unit.Z_i = at(forward.Z[l + 1], q);
      unit.Zc_i = complementOf(r, oc, l + 1, q);
      unit.S_i = at(forward.S[l + 1], q);
      unit.t_i = at(forward.T, q);
    }
    return unit;
  });
  return { values, units };
}

/** The values of every symbol of `r` for `entry` in sample `s` (B, n_L and s included). */
export function sampleScope(r: ResolvedClaim, oc: OracleCase, entry: EntryRef, s: number): SampleScope {
  const scope = r.kind === 'output' || entry.target === 'loss' ? outputScope(r, oc, entry, s) : hiddenScope(r, oc, entry, s);
  const D = r.ctx.D;
  scope.values.B = new D(oc.batch.size);
  scope.values.n_L = new D(oc.network.layers[oc.network.layers.length - 1]!.nOut);
  scope.values.s = new D(s);
  if (r.family.alpha !== undefined && r.target !== 'loss') scope.values.alpha = toDecimal(r.ctx, r.family.alpha);
  const activation = modulesOf(oc.network).activation(entry.layer);
  if (!r.family.version1 && activation.shape === 'elementwise') {
    const S = at(oc.oracle.forward.S[entry.layer], s * oc.network.layers[entry.layer]!.nOut + entry.unit);
    scope.slope = activation.exact.unit(decimalExact(r.ctx), S).slope;
  }
  return scope;
}
