import type { Judgement } from '../compare/judge.js';
import { parameterCount } from '../network/shape.js';
import type { CaseOracle } from '../oracle/api.js';

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
  /** The oracle that computed the finite differences (the failure report asks it for one). */
  readonly oracle: CaseOracle;
}

/**
 * Certifies the oracle's analytic gradients of a case against finite differences through every
 * pre-activation (see the module comment), and checks that each judged entry's verdict holds
 * against them. `judgements` may be empty (certify the oracle alone).
 */
export function certify(oracle: CaseOracle, judgements: readonly Judgement[], minDigits = 20): Certification {
  const { preActivations, worstDigits: worst, worstWhere } = oracle.differenceAgreement();
  const entries = parameterCount(oracle.network);
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
  return { entries, preActivations, worstDigits: worst, worstWhere, minDigits, certified: worst >= minDigits, decidedByDifference, oracle };
}

/** The certification as one line for the report's notes. */
export function certificationNote(name: string, c: Certification): string {
  const digits = Number.isFinite(c.worstDigits) ? c.worstDigits.toFixed(1) : 'all';
  const tail = c.decidedByDifference > 0 ? `; ${c.decidedByDifference} verdict(s) lay within that agreement of a threshold` : '; so every verdict holds against the finite differences too';
  return c.certified
    ? `certified ${name}: all ${c.entries} gradient entries against finite differences through ${c.preActivations} pre-activations: the oracle agrees with them to at least ${digits} digits relative to scale in every entry (${c.minDigits} required)${tail}`
    : `NOT certified ${name}: the oracle's analytic gradient and its finite differences agree to only ${digits} digits at ${c.worstWhere} (${c.minDigits} required): raise --digits`;
}
