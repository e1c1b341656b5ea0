import type { CancellationName } from '../compare/judge.js';
import type { Outcome, Precision } from '../types.js';
import type { MagnitudeClass } from '../generate/options.js';
import type { CaseJson, Description } from '../network/types.js';

/** Exit codes of a run (see {@link VerifyReport.exitCode}). */
export type ExitCode = 0 | 1 | 2 | 130 | 143;
export const EXIT_CODES: readonly ExitCode[] = [0, 1, 2, 130, 143];

/** Where a case came from: a magnitude class of the generator, or a file the user gave. */
export type CaseOrigin = MagnitudeClass | 'given';

/** The properties a case is judged on; each becomes a JUnit test case per magnitude class. */
export type Property = 'result' | 'loss' | 'gradients' | 'outputs';
export const PROPERTIES: readonly Property[] = ['result', 'loss', 'gradients', 'outputs'];

/** How one property fared on the cases of one origin. */
export interface PropertyStats {
  correct: number;
  inaccurate: number;
  wrong: number;
  /** The first non-correct message, for JUnit and annotations. */
  firstMessage: string | null;
}

/** Counts and worst figures of the cases of one origin. */
export interface ClassStats {
  cases: number;
  correct: number;
  inaccurate: number;
  wrong: number;
  /** Fewest correct digits relative to scale over all values (above 1e-290). */
  worstDigits: number;
  /** Most digits lost beyond a stable algorithm's. */
  worstDigitsLost: number;
  /** Inaccurate values by the cancellation that explains them. */
  cancellations: Partial<Record<CancellationName, { values: number; maxDigitsLost: number }>>;
  properties: Record<Property, PropertyStats>;
}

/** How to run a failure again. */
export interface Replay {
  seed: number | null;
  path: string | null;
  /** The saved JSON file ({ network, batch, ... }), once written. */
  file: string | null;
}

/** What a named textbook computation gives at a value, emulated on the case. */
export interface TextbookAnswer {
  readonly computation: CancellationName;
  readonly value: number;
  readonly allowed: number;
}

/** Two answers of the implementation to the same case, at the first entry where they differ. */
export interface RepeatedAnswers {
  /** `layer 1, dE/dW[j=0][i=0]`, `loss E`, or `result` when one answer was a value and the other not. */
  readonly where: string;
  readonly first: number | null;
  readonly second: number | null;
  /** Whether one of the two answers lies beyond the bound there (then the case is wrong), or both within (a warning). */
  readonly beyondBound: boolean;
}

/**
 * A wrong or inaccurate case, shrunk when it was generated or replayed from the corpus, with
 * everything needed to read it. Kind `repeat`: the implementation answered the same case twice,
 * differently, one answer beyond the bound (state kept between calls).
 */
export interface FailureReport {
  readonly outcome: Exclude<Outcome, 'correct'>;
  readonly kind: 'value' | 'non-finite' | 'shape' | 'error' | 'repeat';
  /** `layer 2, dE/dW[j=1][i=0]`, `loss E`, or `result` for a shape or thrown error. */
  readonly where: string;
  readonly message: string;
  readonly iut: number | null;
  readonly oracle: string | null;
  readonly finiteDifference: string | null;
  readonly error: number | null;
  readonly bound: number | null;
  readonly digits: number | null;
  readonly digitsLost: number | null;
  readonly cancellation: CancellationName | null;
  /**
   * For a value beyond the stable bound: what the explaining (inaccurate) or nearest (wrong) named
   * textbook computation gives there and how far from it a value may lie (absent: null).
   */
  readonly textbook?: TextbookAnswer | null;
  readonly origin: CaseOrigin;
  /** Number of values of this case with the same outcome. */
  readonly valuesAffected: number;
  readonly case: CaseJson;
  /** The case's name when it came from a file. */
  readonly name: string | null;
  readonly shrinkSteps: number | null;
  /** Why shrinking stopped before it was done (a budget ran out, the implementation could not go on): the case is the smallest found so far (absent: null). */
  readonly shrinkStopped?: string | null;
  /** Both answers, when the implementation answered this case twice and differently (absent: null). */
  readonly repeat?: RepeatedAnswers | null;
  replay: Replay;
}

/** What a named textbook computation gives at a value, emulated on the case. */
export interface TextbookAnswer {
  readonly computation: CancellationName;
  readonly value: number;
  readonly allowed: number;
}

/** Two answers of the implementation to the same case that differ (a warning when within the bound, else the case is wrong). */
export interface NondeterminismReport extends RepeatedAnswers {
  readonly case: CaseJson;
}

/** A failure of the implementation to take part at all (crash, protocol breach, timeout, load failure). */
export interface ErrorReport {
  readonly code: string;
  readonly message: string;
  readonly case: CaseJson | null;
}

/** The whole verdict of a run, as data: the console, JSON and JUnit reports are made from it. */
export interface VerifyReport {
  readonly tool: 'backprop-oracle';
  readonly verdict: Outcome | 'error';
  /**
   * The process's exit code: 0 correct (or inaccurate without strict), 1 wrong (or inaccurate with
   * strict), 2 the verifier could not do its job (or judged nothing, or could not write what it
   * found), 130 / 143 interrupted by SIGINT / SIGTERM.
   */
  readonly exitCode: ExitCode;
  readonly strict: boolean;
  readonly implementation: { label: string; description: Description; precision: Precision; precisionFrom: 'option' | 'description' | 'default' };
  readonly mode: 'generated' | 'cases';
  readonly seed: number | null;
  readonly runs: number;
  readonly shard: { index: number; count: number } | null;
  /** Generated (or given) cases judged. */
  readonly casesRun: number;
  /** Stored counterexamples of the corpus replayed and judged before anything was generated (absent: 0). */
  readonly casesReplayed?: number;
  readonly interrupted: boolean;
  readonly stoppedEarly: boolean;
  readonly classes: Partial<Record<CaseOrigin, ClassStats>>;
  readonly failures: FailureReport[];
  readonly nondeterminism: { checked: number; differing: NondeterminismReport[] };
  readonly error: ErrorReport | null;
  readonly notes: string[];
  readonly durationMs: number;
}
