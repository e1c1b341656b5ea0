import type { Gradients, Network } from '../network/types.js';
import type { Decimal } from '../oracle/decimal.js';
import type { OracleResult } from '../oracle/oracle.js';
import type { ReferenceBound } from './bound.js';
import { measure, type ErrorMeasure } from './measures.js';

/** Which quantity an entry is: the loss, `dE/dW[j][i]`, `dE/db[i]` of a layer, or an output Z. */
export type EntryLocation =
  | { readonly kind: 'loss' }
  | { readonly kind: 'weight'; readonly layer: number; readonly j: number; readonly i: number }
  | { readonly kind: 'bias'; readonly layer: number; readonly i: number }
  | { readonly kind: 'output'; readonly sample: number; readonly i: number };

/** One quantity compared with the oracle. */
export interface EntryComparison extends ErrorMeasure {
  readonly where: EntryLocation;
  readonly value: number;
  readonly exact: Decimal;
  /** The allowed error; NaN when no bound applies. */
  readonly bound: number;
  readonly withinBound: boolean;
}

/** The same entry as text, with layers counted from 1 as people do: `layer 2, dE/dW[j=1][i=0]`. */
export function formatLocation(where: EntryLocation): string {
  switch (where.kind) {
    case 'loss':
      return 'loss E';
    case 'weight':
      return `layer ${where.layer + 1}, dE/dW[j=${where.j}][i=${where.i}]`;
    case 'bias':
      return `layer ${where.layer + 1}, dE/db[i=${where.i}]`;
    case 'output':
      return `output Z[sample=${where.sample}][i=${where.i}]`;
  }
}

/**
 * Every loss value and gradient entry of `values` (and its outputs, if given) measured against the
 * oracle's analytic values, relative to each entry's magnitude, and checked against `bound`.
 */
export function compareWithOracle(network: Network, values: Gradients & { outputs?: Float64Array }, bound: ReferenceBound, exact: OracleResult): EntryComparison[] {
  const out: EntryComparison[] = [];
  const push = (where: EntryLocation, value: number, x: Decimal, scale: number, allowed: number): void => {
    const m = measure(value, x, scale);
    out.push({ ...m, where, value, exact: x, bound: allowed, withinBound: m.error <= allowed });
  };
  const E = exact.forward.loss;
  push({ kind: 'loss' }, values.loss, E, E.toNumber(), bound.loss);
  values.layers.forEach((g, layer) => {
    const n = network.layers[layer]!.nOut;
    const oracleLayer = exact.backward.layers[layer]!;
    const magnitudes = exact.backward.magnitudes[layer]!;
    const bounds = bound.layers[layer]!;
    g.W.forEach((value, k) => push({ kind: 'weight', layer, j: Math.floor(k / n), i: k % n }, value, oracleLayer.W[k]!, magnitudes.W[k]!.toNumber(), bounds.W[k]!));
    if (g.b && oracleLayer.b && magnitudes.b && bounds.b) {
      const [ob, mb, eb] = [oracleLayer.b, magnitudes.b, bounds.b];
      g.b.forEach((value, i) => push({ kind: 'bias', layer, i }, value, ob[i]!, mb[i]!.toNumber(), eb[i]!));
    }
  });
  if (values.outputs) {
    const ZL = exact.forward.Z[exact.forward.Z.length - 1]!;
    const n = network.layers[network.layers.length - 1]!.nOut;
    values.outputs.forEach((value, k) => push({ kind: 'output', sample: Math.floor(k / n), i: k % n }, value, ZL[k]!, ZL[k]!.toNumber(), bound.outputs[k]!));
  }
  return out;
}
