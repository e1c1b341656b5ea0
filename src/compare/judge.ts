import type { Batch, Gradients, Network } from '../network/types.js';
import type { Decimal } from '../oracle/decimal.js';
import type { OracleResult } from '../oracle/oracle.js';
import { forward } from '../reference/forward.js';
import { loss } from '../reference/loss.js';
import { errorBound, STABLE, TEXTBOOK, type Cancellations, type ReferenceBound } from './bound.js';
import { compareWithOracle, type EntryComparison } from './entries.js';
import { ETA64, U32, U64 } from './rounding.js';

/** The arithmetic an implementation declares. */
export type Precision = 'float64' | 'float32';

/** The verdict on one value, and the run's verdict (the worst of its values'). */
export type Outcome = 'correct' | 'inaccurate' | 'wrong';

/** Ranks outcomes: correct < inaccurate < wrong. */
export const OUTCOME_RANK: Record<Outcome, number> = { correct: 0, inaccurate: 1, wrong: 2 };

/** A cancellation of the textbook algorithm that explains an inaccurate value. */
export type CancellationName = keyof Cancellations | 'several';

/** What each cancellation is, in words for the report. */
export const CANCELLATION_TEXT: Record<CancellationName, string> = {
  slope: "sigma'(S) = Z(1-Z) formed from a rounded Z (a saturated hidden unit)",
  outputDelta: 'Z - t formed from a rounded Z (an output saturated toward its target)',
  logComplement: 'ln Z or ln(1 - Z) formed from a rounded Z near saturation (or clamped, as PyTorch and TensorFlow do)',
  sigmoidOverflow: 'Z = 1/(1 + e^-S) with e^-S overflowing: a Z below the normal range flushed to 0',
  several: 'several textbook cancellations together',
};

/**
 * How many times the stable algorithm's bound an implementation may err and still be called
 * correct. The bound is derived for one order of operations with exp and log1p accurate to one ulp;
 * another stable algorithm may sum in another order (covered: gamma_n holds for any order), use an
 * exp or log accurate to a few ulps (numpy, float32 libraries) or a different but stable loss form
 * (max(S,0) - tS + log1p(e^-|S|)). A factor of 4 covers these; a formula slip of one part in
 * 1e12 (float64) still exceeds it on a typical network.
 */
export const STABLE_SLACK = 4;

/** One value judged. */
export interface Judgement extends EntryComparison {
  readonly outcome: Outcome;
  /** The error a stable algorithm may make here (STABLE_SLACK times the derived bound). */
  readonly stableBound: number;
  /** The error the textbook algorithm's cancellations may add (same slack). */
  readonly textbookBound: number;
  /** For an inaccurate value: the cancellation that explains it. */
  readonly cancellation?: CancellationName;
  /** Decimal digits lost beyond what a stable algorithm keeps: log10(error / stable bound), >= 0. */
  readonly digitsLost: number;
  /** For a wrong value: why (`non-finite` or `beyond-bounds`). */
  readonly reason?: 'non-finite' | 'beyond-bounds';
}

function unitsOf(precision: Precision): { u: number; eta: number; minNormal: number; logClamp: number } {
  return precision === 'float32'
    ? { u: U32, eta: 2 ** -149, minNormal: 2 ** -126, logClamp: 1e-7 }
    : { u: U64, eta: ETA64, minNormal: 2 ** -1022, logClamp: Math.exp(-100) };
}

function flatBounds(b: ReferenceBound, withOutputs: boolean): number[] {
  const out = [b.loss];
  for (const layer of b.layers) {
    out.push(...layer.W);
    if (layer.b) out.push(...layer.b);
  }
  if (withOutputs) out.push(...b.outputs);
  return out;
}

const SINGLE: (keyof Cancellations)[] = ['slope', 'outputDelta', 'logComplement', 'sigmoidOverflow'];

/**
 * Judges an implementation's loss, gradients and (if given) outputs for one case against the
 * oracle, in the declared precision. Each value's error is measured relative to its magnitude and is
 * - correct:    within STABLE_SLACK times the running error bound of a stable algorithm in that precision;
 * - inaccurate: beyond that, but within the same bound for the textbook algorithm with its
 *               cancellations (named: the first single cancellation whose bound covers the error);
 * - wrong:      anything else, and any non-finite value (the exact one is always finite).
 */
export function judge(network: Network, batch: Batch, values: Gradients & { outputs?: Float64Array }, exact: OracleResult, precision: Precision): Judgement[] {
  const pass = forward(network, batch);
  const E = loss(network, batch, pass);
  const units = unitsOf(precision);
  const withOutputs = values.outputs !== undefined;
  const bound = (cancellations: Cancellations): number[] => flatBounds(errorBound(network, batch, pass, E, { ...units, cancellations }), withOutputs);
  const stable = bound(STABLE);
  const textbook = bound(TEXTBOOK);
  const singles = SINGLE.map((name) => ({ name, bound: bound({ ...STABLE, [name]: true }) }));
  // compareWithOracle measures each value; its own bound field is replaced by the judgement below
  const entries = compareWithOracle(network, values, errorBound(network, batch, pass, E, { ...units, cancellations: STABLE }), exact);
  return entries.map((entry, k): Judgement => {
    const stableBound = STABLE_SLACK * stable[k]!;
    const textbookBound = STABLE_SLACK * textbook[k]!;
    const digitsLost = entry.error === 0 ? 0 : Math.max(0, Math.log10(entry.error / stable[k]!));
    const base = { ...entry, bound: stableBound, withinBound: entry.error <= stableBound, stableBound, textbookBound, digitsLost };
    if (!Number.isFinite(entry.value)) return { ...base, outcome: 'wrong', reason: 'non-finite', digitsLost: Infinity };
    if (entry.error <= stableBound) return { ...base, outcome: 'correct' };
    if (entry.error <= textbookBound) {
      const single = singles.find((s) => entry.error <= STABLE_SLACK * s.bound[k]!);
      return { ...base, outcome: 'inaccurate', cancellation: single ? single.name : 'several' };
    }
    return { ...base, outcome: 'wrong', reason: 'beyond-bounds' };
  });
}

/** The worst outcome of a list of judgements (correct for an empty list). */
export function worstOutcome(judgements: readonly { outcome: Outcome }[]): Outcome {
  let worst: Outcome = 'correct';
  for (const j of judgements) if (OUTCOME_RANK[j.outcome] > OUTCOME_RANK[worst]) worst = j.outcome;
  return worst;
}

/** The judgement with the worst outcome and, among those, the most digits lost. */
export function worstJudgement<T extends Judgement>(judgements: readonly T[]): T | undefined {
  let worst: T | undefined;
  for (const j of judgements) {
    if (!worst || OUTCOME_RANK[j.outcome] > OUTCOME_RANK[worst.outcome] || (j.outcome === worst.outcome && j.digitsLost > worst.digitsLost)) worst = j;
  }
  return worst;
}

/** The exact value of a judged quantity, to `digits` significant digits, as text. */
export function exactText(value: Decimal, digits = 20): string {
  return value.toSignificantDigits(digits).toString();
}
