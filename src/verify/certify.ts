import type { Judgement } from '../compare/judge.js';
import type { BigFloat } from '../oracle/bigfloat.js';
import type { CoreDifferences, CoreOracle } from '../oracle/core.js';
import { toDecimal } from '../oracle/decimalBridge.js';

/**
 * Certification of a whole case against finite differences, entry by entry, in O(P) work.
 *
 * A weight W_ji changes the loss only through S_i, and dS_i/dW_ji = Y_j exactly (the network's
 * definition), so dE/dW_ji = sum_b Y_j(b) dE/dS_i(b) and dE/db_i = sum_b dE/dS_i(b). The oracle
 * differences E through every pre-activation (B * sum_l n_l central differences, each carried
 * forward by the direct-difference identities, `CoreOracle.lossChange`), and compares them with
 * its analytic delta_i = dE/dS_i. If every pre-activation agrees to D digits relative to its
 * magnitude m_i (|delta - g| <= 10^-D m), then every entry does too, relative to ITS magnitude
 * sum_b |Y_j| m_i: |sum_b Y_j (delta_i - g_i)| <= sum_b |Y_j| 10^-D m_i. So D, the worst
 * pre-activation, is a proven lower bound on the agreement of every one of the P entries, and
 * the exact agreement of each entry when B = 1. Each verdict then holds against the finite
 * differences as well, unless the error lies within 10^-D of the scale of a threshold (such
 * entries are counted and named in the note; none has been seen).
 */

/** What the certification found for one case. */
export interface Certification {
  /** Gradient entries certified (weights and biases). */
  readonly entries: number;
  /** Central differences computed: one per pre-activation and sample. */
  readonly preActivations: number;
  /** Proven least agreement of analytic and finite-difference gradients, digits relative to scale, over every entry. */
  readonly worstDigits: number;
  /** Where the worst pre-activation is (`layer 2, S[sample=0][i=3]`). */
  readonly worstWhere: string;
  /** Digits required (default 20). */
  readonly minDigits: number;
  /** Whether every entry reached minDigits. */
  readonly certified: boolean;
  /** Verdicts that lay so close to a threshold that the finite difference had to decide them. */
  readonly decidedByDifference: number;
  /** The finite differences themselves (for the failure report). */
  readonly differences: CoreDifferences;
}

/** Digits of agreement of a and b relative to scale: -log10(|a - b| / scale). */
export function agreementDigits(core: CoreOracle, a: BigFloat, b: BigFloat, scale: BigFloat): number {
  const diff = core.bin.abs(core.bin.sub(a, b));
  if (diff.m === 0n) return Number.POSITIVE_INFINITY;
  if (scale.m === 0n) return Number.NEGATIVE_INFINITY;
  return core.bin.log10Abs(scale) - core.bin.log10Abs(diff);
}

/** The finite-difference value of a gradient entry: sum_b Y_j g_i (weight) or sum_b g_i (bias). */
export function differenceOfEntry(core: CoreOracle, differences: CoreDifferences, where: Judgement['where']): BigFloat | null {
  if (where.kind !== 'weight' && where.kind !== 'bias') return null;
  const g = differences.preActivation[where.layer];
  if (!g) return null;
  return where.kind === 'weight' ? core.sumOverBatch(where.layer, where.j, where.i, g, false) : core.sumSamples(where.layer, where.i, g);
}

/** The finite-difference value of an entry as text (20 significant digits), or null. */
export function differenceText(core: CoreOracle, differences: CoreDifferences, where: Judgement['where']): string | null {
  const v = differenceOfEntry(core, differences, where);
  return v ? toDecimal(core.bin, v, core.ctx.D).toSignificantDigits(20).toString() : null;
}

/**
 * Certifies the oracle's analytic gradients of a case against finite differences through every
 * pre-activation (see the module comment), and checks that each judged entry's verdict holds
 * against them. `judgements` may be empty (certify the oracle alone).
 */
export function certify(core: CoreOracle, judgements: readonly Judgement[], minDigits = 20): Certification {
  const differences = core.finiteDifferences();
  let worst = Number.POSITIVE_INFINITY;
  let worstWhere = 'none';
  core.network.layers.forEach(({ nOut }, l) => {
    const g = differences.preActivation[l]!;
    const d = core.delta[l]!;
    const m = core.deltaMagnitude[l]!;
    for (let k = 0; k < g.length; k++) {
      const digits = agreementDigits(core, d[k]!, g[k]!, m[k]!);
      if (digits < worst) {
        worst = digits;
        worstWhere = `layer ${l + 1}, S[sample=${Math.floor(k / nOut)}][i=${k % nOut}]`;
      }
    }
  });
  let entries = 0;
  for (const { nIn, nOut, b } of core.network.layers) entries += nIn * nOut + (b ? nOut : 0);
  // a verdict is the same against the finite differences unless its error lies within
  // 10^-worst of the scale (plus the double rounding of the error) of the stable threshold (the
  // textbook one does not depend on the exact value: it compares with what a computation gives)
  let decidedByDifference = 0;
  const margin = Number.isFinite(worst) ? 10 ** -Math.max(worst, 0) : 0;
  for (const j of judgements) {
    if (j.where.kind !== 'weight' && j.where.kind !== 'bias') continue;
    const fuzz = margin * j.scale + 2 ** -52 * j.error;
    if (Math.abs(j.error - j.stableBound) <= fuzz) decidedByDifference += 1;
  }
  return {
    entries,
    preActivations: core.network.layers.reduce((n, l) => n + l.nOut, 0) * core.B,
    worstDigits: worst,
    worstWhere,
    minDigits,
    certified: worst >= minDigits,
    decidedByDifference,
    differences,
  };
}

/** The certification as one line for the report's notes. */
export function certificationNote(name: string, c: Certification): string {
  const digits = Number.isFinite(c.worstDigits) ? c.worstDigits.toFixed(1) : 'all';
  const tail = c.decidedByDifference > 0 ? `; ${c.decidedByDifference} verdict(s) lay within that agreement of a threshold` : '; so every verdict holds against the finite differences too';
  return c.certified
    ? `certified ${name}: all ${c.entries} gradient entries against finite differences through ${c.preActivations} pre-activations: the oracle agrees with them to at least ${digits} digits relative to scale in every entry (${c.minDigits} required)${tail}`
    : `NOT certified ${name}: the oracle's analytic gradient and its finite differences agree to only ${digits} digits at ${c.worstWhere} (${c.minDigits} required): raise --digits`;
}
