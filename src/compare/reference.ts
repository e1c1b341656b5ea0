import type { Batch, Network } from '../network/types.js';
import type { OracleResult } from '../oracle/api.js';
import { backward } from '../reference/backward.js';
import { forward } from '../reference/forward.js';
import { loss } from '../reference/loss.js';
import { referenceBound } from './bound.js';
import { compareWithOracle, type EntryComparison } from './entries.js';

/** The reference's answer for a case, with its error bound, compared entry by entry with the oracle. */
export interface ReferenceCheck {
  readonly entries: EntryComparison[];
  /** Entries whose error exceeds their bound (none, for a correct reference). */
  readonly violations: EntryComparison[];
  /** The fewest correct digits relative to scale over all entries. */
  readonly worstDigits: number;
  /** The largest error in ulps of the entry's scale. */
  readonly worstUlps: number;
}

/** Runs the float64 reference on a case and checks every value against the oracle within its bound. */
export function checkReference(network: Network, batch: Batch, exact: OracleResult): ReferenceCheck {
  const pass = forward(network, batch);
  const E = loss(network, batch, pass);
  const { layers } = backward(network, batch, pass);
  const bound = referenceBound(network, batch, pass, E);
  const entries = compareWithOracle(network, { loss: E, layers, outputs: pass.Z[pass.Z.length - 1]! }, bound, exact);
  return summarise(entries);
}

/** Violations and worst figures of a list of comparisons. */
export function summarise(entries: EntryComparison[]): ReferenceCheck {
  let worstDigits = Number.POSITIVE_INFINITY;
  let worstUlps = 0;
  for (const e of entries) {
    if (e.scale > 0) worstDigits = Math.min(worstDigits, e.digits);
    if (Number.isFinite(e.ulpsOfScale)) worstUlps = Math.max(worstUlps, e.ulpsOfScale);
  }
  return { entries, violations: entries.filter((e) => !e.withinBound), worstDigits, worstUlps };
}
