import { parameterCount } from '../network/shape.js';
import type { Batch, Gradients, KinkSide, Network } from '../network/types.js';
import { asCaseOracle, type CaseOracle, type Decimal, type OracleResult } from '../oracle/api.js';
import { forward } from '../reference/forward.js';
import { loss } from '../reference/loss.js';
import { errorBoundWithKinks, STABLE_SLACK, type KinkCrossing } from './bound.js';
import { flatBounds, Measurements, type EntryComparison } from './entries.js';
import type { ErrorMeasure } from './measures.js';
import { arithmeticOf, explains, TEXTBOOK_COMPUTATIONS, TEXTBOOK_TEXT, textbookValues, type TextbookComputation, type TextbookName, type TextbookValues } from './textbook.js';
import { formatLocation, type EntryLocation, type Outcome, type Precision } from '../types.js';

export type { Precision, Outcome } from '../types.js';
export { STABLE_SLACK } from './bound.js';

/** Ranks outcomes: correct < inaccurate < wrong. */
export const OUTCOME_RANK: Record<Outcome, number> = { correct: 0, inaccurate: 1, wrong: 2 };

/** A named textbook computation that explains an inaccurate value (see `textbook.ts`). */
export type CancellationName = TextbookName;

/** What each computation is, in words for the report. */
export const CANCELLATION_TEXT: Record<CancellationName, string> = {
  slope: "sigma'(S) = Z(1-Z) formed from a rounded Z (a saturated hidden unit)",
  outputDelta: 'Z - t formed from a rounded Z (an output saturated toward its target)',
  sigmoidOverflow: 'Z = 1/(1 + e^-S) with e^-S overflowing: a Z below the normal range flushed to 0',
  logComplement: 'ln Z and ln(1 - Z) of a rounded Z near saturation',
  logClamp: "ln Z and ln(1 - Z) of a rounded Z, each clamped at -100 (PyTorch's BCELoss)",
  logClip: "Z clipped to [1e-7, 1 - 1e-7] before ln Z and ln(1 - Z) (TensorFlow's binary cross-entropy)",
  logits: "the loss from the logit as PyTorch's BCEWithLogitsLoss forms it, (1 - t) S - log sigma(S), cancelling where the term is small",
  several: 'several textbook cancellations together (the whole textbook algorithm)',
  // version 2's, in the words of `textbook.ts`
  ...TEXTBOOK_TEXT,
};

/** A case that cannot be judged because a bound cannot be computed on it (an intermediate overflows). */
export class BoundError extends Error {
  readonly code = 'E_BOUND';
  constructor(message: string) {
    super(message);
    this.name = 'BoundError';
  }
}

/** One value judged. */
export interface Judgement extends EntryComparison {
  readonly outcome: Outcome;
  /** The error a stable algorithm may make here (STABLE_SLACK times the derived bound). */
  readonly stableBound: number;
  /**
   * For an inaccurate value: the value the explaining textbook computation gives here, and how far
   * from it the implementation may lie (`textbookBound`). For a wrong value: those of the nearest
   * named computation (null when none gives a finite value here); null for a correct value.
   */
  readonly textbookValue: number | null;
  readonly textbookBound: number | null;
  /** The computation `textbookValue` is of (null when there is none). */
  readonly textbookComputation: CancellationName | null;
  /** For an inaccurate value: the computation that explains it. */
  readonly cancellation?: CancellationName;
  /** Decimal digits lost beyond what a stable algorithm keeps: log10(error / stable bound), >= 0. */
  readonly digitsLost: number;
  /** For a wrong value: why (`non-finite` or `beyond-bounds`). */
  readonly reason?: 'non-finite' | 'beyond-bounds';
  /**
   * "Near a kink": the value's allowance includes a kink crossing, i.e. some rectifier unit it
   * depends on has |S| <= eS (eS > 0), so either piece's slope is correct there and the bound allows
   * both (the rectifier's slope bound 1 - alpha). Null when no crossing reaches this value (always
   * for the loss and the outputs). At an exact kink with eS = 0 there is no crossing: only the
   * declared side (`Description.kink`) is correct.
   */
  readonly nearKink: KinkNote | null;
}

/** Which unit's kink crossing a value's allowance includes (`Judgement.nearKink`). */
export interface KinkNote extends KinkCrossing {
  /**
   * Whether the crossing is what makes the value correct: it is correct, and its error exceeds the
   * stable allowance without any kink crossing (STABLE_SLACK times the bound with every rectifier's
   * slope exact: the slope of the computed S's piece, the declared side's at a computed S = 0). A
   * value formed with that piece's slope where the exact S lies across the kink is decisive.
   */
  readonly decisive: boolean;
  /** How many units of the case may cross a kink (this note names one of those the value depends on). */
  readonly units: number;
}

/**
 * The note as a sentence for reports: `near a kink: layer 2, sample 0, unit 3 has S = 1.2e-17
 * within its rounding bound 3.4e-16 of 0, where either piece's slope is correct (the allowance of
 * this value includes it)`; layers counted from 1 as `formatLocation` does.
 */
export function formatKinkNote(note: KinkNote): string {
  const others = note.units > 1 ? ` (${note.units} units of this case may cross a kink)` : '';
  const role = note.decisive ? 'this value is correct only through that allowance' : 'the allowance of this value includes it';
  return `near a kink: layer ${note.layer + 1}, sample ${note.sample}, unit ${note.unit} has S = ${note.S.toExponential(3)} within its rounding bound ${note.eS.toExponential(3)} of 0, where either piece's slope is correct (${role})${others}`;
}

const OUTCOMES: Outcome[] = ['correct', 'inaccurate', 'wrong'];

/**
 * The textbook computations of one case, each emulated when first needed, and the verdict on an
 * entry beyond the stable bound: inaccurate if one of them gives its value, else wrong.
 */
class TextbookCases {
  private readonly done: (TextbookValues | undefined)[] = [];
  constructor(private readonly make: (computation: TextbookComputation) => TextbookValues) {}

  values(index: number): TextbookValues {
    return (this.done[index] ??= this.make(TEXTBOOK_COMPUTATIONS[index]!));
  }

  /**
   * The first computation that gives `value` at entry k, or -1 - (the nearest one) when none does
   * (-1 - n: none to name). Only a computation whose value here departs from the exact one by more
   * than the stable allowance is named as the nearest: one that gives the stable value (the slope
   * cancellation of a network without a saturated hidden unit) would only repeat the oracle.
   */
  explain(k: number, value: number, exact: number, allowed: number): number {
    let nearest = TEXTBOOK_COMPUTATIONS.length;
    let nearestRatio = Number.POSITIVE_INFINITY;
    for (let index = 0; index < TEXTBOOK_COMPUTATIONS.length; index++) {
      const v = this.values(index);
      if (explains(v, k, value)) return index;
      if (v.applies[k] && Math.abs(v.c[k]! - exact) > allowed) {
        const ratio = Math.abs(value - v.c[k]!) / v.r[k]!;
        if (ratio < nearestRatio || nearest === TEXTBOOK_COMPUTATIONS.length) {
          nearest = index;
          nearestRatio = ratio;
        }
      }
    }
    return -1 - nearest;
  }
}

/**
 * What the judged entries of one case share, in flat arrays: a full-size network has 10^5
 * entries, and small objects that only point here keep the garbage collector out of the way.
 */
interface JudgeContext {
  readonly measured: Measurements;
  readonly stable: Float64Array; // STABLE_SLACK times the stable bound
  readonly outcome: Uint8Array; // index into OUTCOMES
  /** Index into TEXTBOOK_COMPUTATIONS of the explaining (inaccurate) or nearest (wrong) computation, -1 for none. */
  readonly computation: Int8Array;
  readonly nonFinite: Uint8Array;
  readonly digitsLost: Float64Array;
  readonly textbook: TextbookCases;
  /** Per entry: the index into `kinks.crossings` of its note, -1 for none. */
  readonly kinkAt: Int32Array;
  /** Per entry: 1 where its error exceeds the allowance without kink crossings. */
  readonly kinkDecisive: Uint8Array;
  readonly crossings: readonly KinkCrossing[];
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
  private get textbook(): TextbookValues | null {
    const index = this.context.computation[this.k]!;
    return index < 0 ? null : this.context.textbook.values(index);
  }
  get textbookValue(): number | null {
    const t = this.textbook;
    return t ? t.c[this.k]! : null;
  }
  get textbookBound(): number | null {
    const t = this.textbook;
    return t ? t.r[this.k]! : null;
  }
  get textbookComputation(): CancellationName | null {
    const t = this.textbook;
    return t ? t.computation.name : null;
  }
  get outcome(): Outcome {
    return OUTCOMES[this.context.outcome[this.k]!]!;
  }
  get digitsLost(): number {
    return this.context.digitsLost[this.k]!;
  }
  get cancellation(): CancellationName | undefined {
    const index = this.context.computation[this.k]!;
    return this.context.outcome[this.k] === 1 && index >= 0 ? TEXTBOOK_COMPUTATIONS[index]!.name : undefined;
  }
  get reason(): 'non-finite' | 'beyond-bounds' | undefined {
    if (this.context.outcome[this.k] !== 2) return undefined;
    return this.context.nonFinite[this.k] ? 'non-finite' : 'beyond-bounds';
  }
  get nearKink(): KinkNote | null {
    const at = this.context.kinkAt[this.k]!;
    if (at < 0) return null;
    const c = this.context.crossings[at]!;
    return { layer: c.layer, sample: c.sample, unit: c.unit, S: c.S, eS: c.eS, decisive: this.context.kinkDecisive[this.k] === 1, units: this.context.crossings.length };
  }
  get exact(): Decimal {
    return (this.exactValue ??= this.context.measured.exact(this.where));
  }
  /** Plain data (what JSON.stringify and structured copies see). */
  toJSON(): Omit<Judgement, 'exact'> & { exact: string } {
    const { where, value, error, scale, relative, digits, ulpsOfScale, ulps, bound, withinBound, outcome, stableBound, textbookValue, textbookBound, textbookComputation, digitsLost, cancellation, reason, nearKink } = this;
    return { where, value, exact: this.exact.toString(), error, scale, relative, digits, ulpsOfScale, ulps, bound, withinBound, outcome, stableBound, textbookValue, textbookBound, textbookComputation, digitsLost, ...(cancellation ? { cancellation } : {}), ...(reason ? { reason } : {}), nearKink };
  }
}

/** Throws a BoundError naming the first entry whose stable bound is not a finite number. */
export function requireFiniteBounds(stable: Float64Array, locate: (k: number) => EntryLocation, network: Network, pass: ReturnType<typeof forward>): void {
  for (let k = 0; k < stable.length; k++) {
    if (Number.isFinite(stable[k]!)) continue;
    // one loop over each array: spreading a 10^5-entry layer into Math.max would overflow the call stack
    const largest = (arrays: readonly Float64Array[]): number => {
      let m = 0;
      for (const a of arrays) for (const x of a) m = Math.max(m, Math.abs(x));
      return m;
    };
    const largestS = largest(pass.S);
    const largestW = largest(network.layers.map((l) => l.W));
    throw new BoundError(`the error bound of ${formatLocation(locate(k))} cannot be computed on this case: an intermediate of the bound overflows the float64 range (largest |W| ${largestW.toExponential(3)}, largest |S| ${largestS.toExponential(3)}; the bounds hold for magnitudes up to about 1e300)`);
  }
}

/**
 * Judges an implementation's loss, gradients and (if given) outputs for one case against the
 * oracle, in the declared precision. Each value is
 * - correct:    within STABLE_SLACK times the running error bound of a stable algorithm in that
 *               precision, of the exact value (a NaN error is never within);
 * - inaccurate: beyond that, but what a named textbook computation gives on this case, emulated in
 *               that precision (`textbook.ts`): within its finite allowance of the value it gives;
 * - wrong:      anything else, and any non-finite value (the exact one is always finite).
 * The errors are measured without Decimals (`Measurements` in `entries.ts`); an entry whose
 * double-double error lies within its slack of the stable threshold is measured again at the oracle's precision,
 * so the verdicts are those of the exact measure.
 *
 * Kinks: `kink` is the side whose derivative the implementation declares at S = 0 of a rectifier
 * (`Description.kink`; default: the oracle's side, `CaseOracle.kink`, itself 'left' by default); the
 * bound's slopes take it there, and `exact` must be the oracle made with the same side (an error
 * otherwise). A pre-activation within its rounding bound of a kink (|S| <= eS,
 * eS > 0) may be taken on either side: the rectifier's slope bound allows both pieces there, and
 * every value whose allowance includes such a crossing carries `nearKink`. At an exact kink (S = 0
 * with eS = 0: zero weights and bias, or zero inputs) only the declared side is correct.
 * @throws BoundError when a bound cannot be computed on the case (an intermediate overflows).
 */
export function judge(network: Network, batch: Batch, values: Gradients & { outputs?: Float64Array }, exact: CaseOracle | OracleResult, precision: Precision, kink?: KinkSide): Judgement[] {
  const caseOracle = asCaseOracle(exact);
  if (kink !== undefined && kink !== caseOracle.kink) throw new Error(`judge: the implementation's kink side is '${kink}' but the oracle takes the '${caseOracle.kink}' side at S = 0 (make the oracle with kink '${kink}')`);
  const side = kink ?? caseOracle.kink;
  const pass = forward(network, batch);
  const E = loss(network, batch, pass);
  const ar = arithmeticOf(precision);
  const withOutputs = values.outputs !== undefined;
  const kinked = errorBoundWithKinks(network, batch, pass, E, { ...ar, kink: side });
  const count = 1 + parameterCount(network) + (values.outputs?.length ?? 0);
  const stable = flatBounds(kinked.bound, count, withOutputs).map((b) => STABLE_SLACK * b);
  const uncrossed = kinked.uncrossed ? flatBounds(kinked.uncrossed, count, withOutputs).map((b) => STABLE_SLACK * b) : null;
  // the declared kink side reaches the textbook emulation too (its stable parts and a rectifier output's delta)
  const textbookArithmetic = { ...ar, kink: side };
  const textbook = new TextbookCases((computation) => textbookValues(network, batch, pass, textbookArithmetic, computation, count, withOutputs));
  const measured = new Measurements(network, values, caseOracle);
  requireFiniteBounds(stable, (k) => measured.locate(k), network, pass);
  const n = measured.count;
  const context: JudgeContext = {
    measured,
    stable,
    outcome: new Uint8Array(n),
    computation: new Int8Array(n).fill(-1),
    nonFinite: new Uint8Array(n),
    digitsLost: new Float64Array(n),
    textbook,
    kinkAt: new Int32Array(n).fill(-1),
    kinkDecisive: new Uint8Array(n),
    crossings: kinked.crossings,
  };

  const out = new Array<Judgement>(n);
  for (let k = 0; k < n; k++) {
    const allowed = stable[k]!;
    const slack = measured.slack[k]!;
    if (slack > 0 && Math.abs(measured.errors[k]! - allowed) <= slack) measured.refine(k);
    const value = measured.values[k]!;
    const error = measured.errors[k]!;
    // near a kink: the bound with crossings larger than without (NaN-failing: a NaN bound notes nothing)
    if (uncrossed && stable[k]! > uncrossed[k]!) {
      context.kinkAt[k] = crossingOf(measured.locate(k), kinked.crossings);
      context.kinkDecisive[k] = error <= allowed && !(error <= uncrossed[k]!) ? 1 : 0;
    }
    if (!Number.isFinite(value)) {
      context.outcome[k] = 2;
      context.nonFinite[k] = 1;
      context.digitsLost[k] = Infinity;
    } else {
      context.digitsLost[k] = error === 0 ? 0 : Math.max(0, Math.log10((STABLE_SLACK * error) / allowed));
      if (!(error <= allowed)) {
        const found = textbook.explain(k, value, measured.exactNumbers[k]!, allowed);
        context.outcome[k] = found >= 0 ? 1 : 2;
        context.computation[k] = found >= 0 ? found : -1 - found < TEXTBOOK_COMPUTATIONS.length ? -1 - found : -1;
      }
    }
    out[k] = new JudgedEntry(context, k);
  }
  return out;
}

/**
 * The crossing to name for an entry whose allowance includes one: a gradient of layer l depends on
 * the slopes of layer l's own unit i and on every unit above it (the outputs' too, through mse), none
 * below. The first crossing at (l, unit i), else the first of a layer above l, else the first.
 */
function crossingOf(where: EntryLocation, crossings: readonly KinkCrossing[]): number {
  if (where.kind === 'weight' || where.kind === 'bias') {
    const own = crossings.findIndex((c) => c.layer === where.layer && c.unit === where.i);
    if (own >= 0) return own;
    const above = crossings.findIndex((c) => c.layer > where.layer);
    if (above >= 0) return above;
  }
  return 0;
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
