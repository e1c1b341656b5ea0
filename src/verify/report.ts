import type { CancellationName, Outcome, Precision } from '../compare/judge.js';
import type { MagnitudeClass } from '../generate/options.js';
import type { CaseJson, Description } from '../network/types.js';

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

/** A wrong or inaccurate case, shrunk when it was generated, with everything needed to read it. */
export interface FailureReport {
  readonly outcome: Exclude<Outcome, 'correct'>;
  readonly kind: 'value' | 'non-finite' | 'shape' | 'error';
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
  readonly origin: CaseOrigin;
  /** Number of values of this case with the same outcome. */
  readonly valuesAffected: number;
  readonly case: CaseJson;
  /** The case's name when it came from a file. */
  readonly name: string | null;
  readonly shrinkSteps: number | null;
  replay: Replay;
}

/** Two answers of the implementation to the same case that differ. */
export interface NondeterminismReport {
  readonly where: string;
  readonly first: number | null;
  readonly second: number | null;
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
  readonly exitCode: 0 | 1 | 2;
  readonly strict: boolean;
  readonly implementation: { label: string; description: Description; precision: Precision; precisionFrom: 'option' | 'description' | 'default' };
  readonly mode: 'generated' | 'cases';
  readonly seed: number | null;
  readonly runs: number;
  readonly shard: { index: number; count: number } | null;
  readonly casesRun: number;
  readonly interrupted: boolean;
  readonly stoppedEarly: boolean;
  readonly classes: Partial<Record<CaseOrigin, ClassStats>>;
  readonly failures: FailureReport[];
  readonly nondeterminism: { checked: number; differing: NondeterminismReport[] };
  readonly error: ErrorReport | null;
  readonly notes: string[];
  readonly durationMs: number;
}
