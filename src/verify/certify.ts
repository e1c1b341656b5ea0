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
 *
 * Kinks. Where a rectifier sits at its kink (S = 0 exactly) or a step would move one off its piece,
 * the oracle differences one-sided, on the side that keeps every rectifier on its piece: such a
 * pre-activation is compared like a central one, and the entries it enters are certified and
 * counted (`oneSidedEntries`). Where no side does (exact kinks that need opposite steps) the
 * difference is not the derivative backprop defines: the pre-activation is left out of D, and
 * every entry it enters (any sample of a bias; a weight's sample with Y_j != 0) is not certified
 * by differences, counted (`notComparableEntries`) and said in the note; a case none of whose
 * entries could be compared is not certified.
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
  /** Of `preActivations`, how many were differenced one-sided (a rectifier at or near its kink): compared as usual. */
  readonly oneSidedPreActivations: number;
  /** Of `preActivations`, how many are not comparable (exact kinks needing opposite steps): left out of `worstDigits`. */
  readonly notComparablePreActivations: number;
  /** Where the first not-comparable pre-activation is ('none' without). */
  readonly notComparableWhere: string;
  /** Entries certified through a one-sided difference in some sample. */
  readonly oneSidedEntries: number;
  /** Entries not certified by differences: some sample's difference is not comparable. */
  readonly notComparableEntries: number;
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
  const agreement = oracle.differenceAgreement();
  const { preActivations, worstDigits: worst, worstWhere } = agreement;
  const entries = parameterCount(oracle.network);
  // the entries a one-sided or not-comparable pre-activation enters (looked at only when there is one)
  let oneSidedEntries = 0;
  let notComparableEntries = 0;
  if (agreement.oneSided > 0 || agreement.notComparable > 0) {
    for (let k = 0; k < entries; k++) {
      const kind = oracle.differenceKind(oracle.layout.locate(k));
      if (kind === 'one-sided') oneSidedEntries += 1;
      else if (kind === 'not-comparable') notComparableEntries += 1;
    }
  }
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
    preActivations,
    worstDigits: worst,
    worstWhere,
    minDigits,
    // an entry compared with nothing is not certified: none compared, the case is not
    certified: worst >= minDigits && notComparableEntries < entries,
    oneSidedPreActivations: agreement.oneSided,
    notComparablePreActivations: agreement.notComparable,
    notComparableWhere: agreement.notComparableWhere,
    oneSidedEntries,
    notComparableEntries,
    decidedByDifference,
    oracle,
  };
}

/** The certification as one line for the report's notes (a case without kinks: the same words as before kinks were differenced one-sided). */
export function certificationNote(name: string, c: Certification): string {
  const digits = Number.isFinite(c.worstDigits) ? c.worstDigits.toFixed(1) : 'all';
  const tail = c.decidedByDifference > 0 ? `; ${c.decidedByDifference} verdict(s) lay within that agreement of a threshold` : '; so every verdict holds against the finite differences too';
  const oneSided = c.oneSidedEntries > 0
    ? `; ${c.oneSidedEntries} of them through one-sided differences at kinks (${c.oneSidedPreActivations} pre-activation(s) differenced on the side that keeps every rectifier on its piece)`
    : '';
  const notComparable = `${c.notComparableEntries} entr${c.notComparableEntries === 1 ? 'y' : 'ies'} not comparable at exact kinks (${c.notComparablePreActivations} pre-activation(s) whose differences need opposite steps, the first at ${c.notComparableWhere})`;
  if (c.notComparableEntries >= c.entries) {
    return `NOT certified ${name}: every one of its ${c.entries} gradient entries is not comparable at exact kinks (${c.notComparablePreActivations} pre-activation(s) whose differences need opposite steps, the first at ${c.notComparableWhere}): no finite difference checks them`;
  }
  if (!c.certified) {
    return `NOT certified ${name}: the oracle's analytic gradient and its finite differences agree to only ${digits} digits at ${c.worstWhere} (${c.minDigits} required): raise --digits`;
  }
  if (c.notComparableEntries > 0) {
    const certified = c.entries - c.notComparableEntries;
    return `certified ${name}: ${certified} of ${c.entries} gradient entries against finite differences through ${c.preActivations - c.notComparablePreActivations} of ${c.preActivations} pre-activations: the oracle agrees with them to at least ${digits} digits relative to scale in every one (${c.minDigits} required)${oneSided}; ${notComparable} are judged against the analytic oracle only${tail.replace('every verdict', 'every verdict of the certified entries')}`;
  }
  return `certified ${name}: all ${c.entries} gradient entries against finite differences through ${c.preActivations} pre-activations: the oracle agrees with them to at least ${digits} digits relative to scale in every entry (${c.minDigits} required)${oneSided}${tail}`;
}
