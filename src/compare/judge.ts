import type { Batch, Gradients, Network } from '../network/types.js';
import type { Decimal } from '../oracle/decimal.js';
import type { OracleResult } from '../oracle/oracle.js';
import { forward } from '../reference/forward.js';
import { loss } from '../reference/loss.js';
import { errorBound, STABLE, TEXTBOOK, type Cancellations } from './bound.js';
import { compareWithOracle, flatBounds, Measurements, type EntryComparison, type EntryLocation } from './entries.js';
import type { ErrorMeasure } from './measures.js';
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

const SINGLE: (keyof Cancellations)[] = ['slope', 'outputDelta', 'logComplement', 'sigmoidOverflow'];

const OUTCOMES: Outcome[] = ['correct', 'inaccurate', 'wrong'];
const NAMES: CancellationName[] = ['slope', 'outputDelta', 'logComplement', 'sigmoidOverflow', 'several'];

/**
 * What the judged entries of one case share, in flat arrays: a full-size network has 10^5
 * entries, and small objects that only point here keep the garbage collector out of the way.
 */
interface JudgeContext {
  readonly measured: Measurements;
  readonly stable: Float64Array; // STABLE_SLACK times the stable bound
  readonly outcome: Uint8Array; // index into OUTCOMES
  readonly cancellation: Int8Array; // index into NAMES, -1 for none
  readonly nonFinite: Uint8Array;
  readonly digitsLost: Float64Array;
  /** STABLE_SLACK times the textbook bound of every entry (computed when first needed). */
  textbook(): Float64Array;
}

/** A judged entry: a view of entry k of its case's arrays; the exact Decimal is made only when read. */
class JudgedEntry implements Judgement {
  private exactValue: Decimal | undefined;

  constructor(
    private readonly context: JudgeContext,
    private readonly k: number,
  ) {}

  private get m(): ErrorMeasure {
    return this.context.measured.measureOf(this.k);
  }
  get where(): EntryLocation {
    return this.context.measured.locate(this.k);
  }
  get value(): number {
    return this.context.measured.values[this.k]!;
  }
  get error(): number {
    return this.context.measured.errors[this.k]!;
  }
  get scale(): number {
    return this.context.measured.scales[this.k]!;
  }
  get relative(): number {
    return this.m.relative;
  }
  get digits(): number {
    return this.m.digits;
  }
  get ulpsOfScale(): number {
    return this.m.ulpsOfScale;
  }
  get ulps(): number {
    return this.m.ulps;
  }
  get bound(): number {
    return this.context.stable[this.k]!;
  }
  get stableBound(): number {
    return this.context.stable[this.k]!;
  }
  get withinBound(): boolean {
    return this.error <= this.stableBound;
  }
  get textbookBound(): number {
    return this.context.textbook()[this.k]!;
  }
  get outcome(): Outcome {
    return OUTCOMES[this.context.outcome[this.k]!]!;
  }
  get digitsLost(): number {
    return this.context.digitsLost[this.k]!;
  }
  get cancellation(): CancellationName | undefined {
    const c = this.context.cancellation[this.k]!;
    return c < 0 ? undefined : NAMES[c];
  }
  get reason(): 'non-finite' | 'beyond-bounds' | undefined {
    if (this.context.outcome[this.k] !== 2) return undefined;
    return this.context.nonFinite[this.k] ? 'non-finite' : 'beyond-bounds';
  }
  get exact(): Decimal {
    return (this.exactValue ??= this.context.measured.exact(this.where));
  }
  /** Plain data (what JSON.stringify and structured copies see). */
  toJSON(): Omit<Judgement, 'exact'> & { exact: string } {
    const { where, value, error, scale, relative, digits, ulpsOfScale, ulps, bound, withinBound, outcome, stableBound, textbookBound, digitsLost, cancellation, reason } = this;
    return { where, value, exact: this.exact.toString(), error, scale, relative, digits, ulpsOfScale, ulps, bound, withinBound, outcome, stableBound, textbookBound, digitsLost, ...(cancellation ? { cancellation } : {}), ...(reason ? { reason } : {}) };
  }
}

/** Judges the entries of the old route (an OracleResult without its BigFloat core). */
function judgeEntries(entries: EntryComparison[], stable: Float64Array, textbook: Float64Array, single: () => { name: keyof Cancellations; bound: Float64Array }[]): Judgement[] {
  return entries.map((entry, k): Judgement => {
    const stableBound = STABLE_SLACK * stable[k]!;
    const textbookBound = STABLE_SLACK * textbook[k]!;
    const digitsLost = entry.error === 0 ? 0 : Math.max(0, Math.log10(entry.error / stable[k]!));
    const base = { ...entry, bound: stableBound, withinBound: entry.error <= stableBound, stableBound, textbookBound, digitsLost };
    if (!Number.isFinite(entry.value)) return { ...base, outcome: 'wrong', reason: 'non-finite', digitsLost: Infinity };
    if (entry.error <= stableBound) return { ...base, outcome: 'correct' };
    if (entry.error <= textbookBound) {
      const found = single().find((s) => entry.error <= STABLE_SLACK * s.bound[k]!);
      return { ...base, outcome: 'inaccurate', cancellation: found ? found.name : 'several' };
    }
    return { ...base, outcome: 'wrong', reason: 'beyond-bounds' };
  });
}

/**
 * Judges an implementation's loss, gradients and (if given) outputs for one case against the
 * oracle, in the declared precision. Each value's error is measured relative to its magnitude and is
 * - correct:    within STABLE_SLACK times the running error bound of a stable algorithm in that precision;
 * - inaccurate: beyond that, but within the same bound for the textbook algorithm with its
 *               cancellations (named: the first single cancellation whose bound covers the error);
 * - wrong:      anything else, and any non-finite value (the exact one is always finite).
 * The errors are measured without Decimals (`Measurements` in `entries.ts`); an entry whose
 * double-double error lies within its slack of a threshold is measured again in BigFloat, so the
 * verdicts are those of the exact measure.
 */
export function judge(network: Network, batch: Batch, values: Gradients & { outputs?: Float64Array }, exact: OracleResult, precision: Precision): Judgement[] {
  const pass = forward(network, batch);
  const E = loss(network, batch, pass);
  const units = unitsOf(precision);
  const withOutputs = values.outputs !== undefined;
  const measured = exact.core ? new Measurements(network, values, exact.core) : null;
  const count = measured ? measured.count : 1 + network.layers.reduce((n, l) => n + l.nIn * l.nOut + (l.b ? l.nOut : 0), 0) + (values.outputs?.length ?? 0);
  const bound = (cancellations: Cancellations): Float64Array => flatBounds(errorBound(network, batch, pass, E, { ...units, cancellations }), count, withOutputs);
  const stable = bound(STABLE);
  let textbookBounds: Float64Array | null = null;
  const textbook = (): Float64Array => (textbookBounds ??= bound(TEXTBOOK).map((b) => STABLE_SLACK * b));
  let singles: { name: keyof Cancellations; bound: Float64Array }[] | null = null;
  const single = (): { name: keyof Cancellations; bound: Float64Array }[] => (singles ??= SINGLE.map((name) => ({ name, bound: bound({ ...STABLE, [name]: true }) })));
  if (!measured) return judgeEntries(compareWithOracle(network, values, errorBound(network, batch, pass, E, { ...units, cancellations: STABLE }), exact), stable, bound(TEXTBOOK), single);

  const n = measured.count;
  const context: JudgeContext = {
    measured,
    stable: stable.map((b) => STABLE_SLACK * b),
    outcome: new Uint8Array(n),
    cancellation: new Int8Array(n).fill(-1),
    nonFinite: new Uint8Array(n),
    digitsLost: new Float64Array(n),
    textbook,
  };
  const out = new Array<Judgement>(n);
  for (let k = 0; k < n; k++) {
    const stableBound = context.stable[k]!;
    const slack = measured.slack[k]!;
    if (slack > 0) {
      const e = measured.errors[k]!;
      if (Math.abs(e - stableBound) <= slack || (e + slack > stableBound && Math.abs(e - textbook()[k]!) <= slack)) measured.refine(k);
    }
    const value = measured.values[k]!;
    const error = measured.errors[k]!;
    if (!Number.isFinite(value)) {
      context.outcome[k] = 2;
      context.nonFinite[k] = 1;
      context.digitsLost[k] = Infinity;
    } else {
      context.digitsLost[k] = error === 0 ? 0 : Math.max(0, Math.log10(error / stable[k]!));
      if (error > stableBound) {
        if (error <= textbook()[k]!) {
          context.outcome[k] = 1;
          const found = single().findIndex((s) => error <= STABLE_SLACK * s.bound[k]!);
          context.cancellation[k] = found < 0 ? 4 : found;
        } else context.outcome[k] = 2;
      }
    }
    out[k] = new JudgedEntry(context, k);
  }
  return out;
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
