import { checkReference } from '../compare/reference.js';
import type { EntryComparison } from '../compare/entries.js';
import { formatLocation } from '../types.js';
import { describeCase, sampleCases, type GenerateOptions, type GeneratedCase, type MagnitudeClass } from '../generate/index.js';
import { caseToJson } from '../network/json.js';
import type { CaseJson } from '../network/types.js';
import { caseOracle, createContext, oracle } from '../oracle/api.js';
import type { EntryLocation } from '../types.js';

/** Options of the three-way self-check of the reference, oracle and finite differences. */
export interface SelfCheckOptions {
  /** Generated cases (default 200). */
  runs?: number;
  /** Seed of the case generator (default 42). */
  seed?: number;
  /** Oracle precision in digits (default 50). */
  precision?: number;
  /** Digits the analytic oracle gradients must share with the finite differences (default 20). */
  minDigits?: number;
  /** Case generation options (layers, widths, classes, ...). */
  generate?: Partial<GenerateOptions>;
  /** Called after each case. */
  onCase?: (done: number, total: number, failures: number) => void;
}

/** A disagreement found by the self-check, with the case that shows it. */
export interface SelfCheckFailure {
  readonly index: number;
  readonly description: string;
  readonly kind: 'reference-outside-bound' | 'finite-difference-disagreement';
  readonly where: string;
  readonly detail: string;
  readonly case: CaseJson;
}

/** Per magnitude class: cases run, fewest digits of the reference (relative to scale), of the FD agreement. */
export interface ClassSummary {
  cases: number;
  referenceDigits: number;
  finiteDifferenceDigits: number;
  referenceUlps: number;
}

/** The self-check's report, as data. */
export interface SelfCheckReport {
  readonly verdict: 'correct' | 'wrong';
  readonly seed: number;
  readonly runs: number;
  readonly precision: number;
  readonly minDigits: number;
  /** Version 1's four classes always; a stress class (kinks, nearKink, saturatedTanh, logitGap) when some case was drawn from it. */
  readonly classes: Partial<Record<MagnitudeClass, ClassSummary>>;
  readonly failures: SelfCheckFailure[];
  readonly entriesChecked: number;
  readonly durationMs: number;
}

function emptySummary(): ClassSummary {
  return { cases: 0, referenceDigits: Infinity, finiteDifferenceDigits: Infinity, referenceUlps: 0 };
}

function describeViolation(e: EntryComparison): string {
  return `reference ${e.value}, oracle ${e.exact.toSignificantDigits(20).toString()}, error ${e.error.toExponential(3)} > bound ${e.bound.toExponential(3)}`;
}

/**
 * The built-in verification: on generated cases, the float64 reference must lie within its error
 * bound of the decimal oracle, and the oracle's analytic gradients must agree with its finite
 * differences to `minDigits` digits relative to scale. Three computations, none trusting another.
 */
export function selfCheck(options: SelfCheckOptions = {}): SelfCheckReport {
  const { runs = 200, seed = 42, precision = 50, minDigits = 20 } = options;
  const started = performance.now();
  const ctx = createContext(precision);
  const cases = sampleCases(options.generate ?? {}, runs, seed);
  const classes: Partial<Record<MagnitudeClass, ClassSummary>> = { typical: emptySummary(), zeros: emptySummary(), tiny: emptySummary(), saturating: emptySummary() };
  const failures: SelfCheckFailure[] = [];
  let entriesChecked = 0;
  cases.forEach((c: GeneratedCase, index) => {
    const summary = (classes[c.magnitude] ??= emptySummary());
    summary.cases += 1;
    const o = oracle(c.network, c.batch, { precision: ctx });
    const check = checkReference(c.network, c.batch, o);
    entriesChecked += check.entries.length;
    for (const e of check.entries) {
      if (e.scale > 1e-290) summary.referenceDigits = Math.min(summary.referenceDigits, e.digits);
      if (Number.isFinite(e.ulpsOfScale)) summary.referenceUlps = Math.max(summary.referenceUlps, e.ulpsOfScale);
    }
    const fail = (kind: SelfCheckFailure['kind'], where: string, detail: string): void => {
      failures.push({ index, description: describeCase(c), kind, where, detail, case: caseToJson(c) });
    };
    const firstViolation = check.violations[0];
    if (firstViolation) fail('reference-outside-bound', formatLocation(firstViolation.where), describeViolation(firstViolation));
    // analytic = finite differences, entry by entry, at the oracle's precision (no Decimal unless something fails)
    const exact = caseOracle(o);
    const compare = (where: EntryLocation): void => {
      const digits = exact.entryAgreement(where)!;
      summary.finiteDifferenceDigits = Math.min(summary.finiteDifferenceDigits, digits);
      // written so that NaN digits fail
      if (!(digits >= minDigits)) fail('finite-difference-disagreement', formatLocation(where), `analytic ${exact.exact(where).text(25)}, finite difference ${exact.finiteDifference(where)!.text(25)}: ${digits.toFixed(1)} digits`);
    };
    c.network.layers.forEach(({ nIn, nOut, b }, layer) => {
      for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) compare({ kind: 'weight', layer, j, i });
      if (b) for (let i = 0; i < nOut; i++) compare({ kind: 'bias', layer, i });
    });
    options.onCase?.(index + 1, runs, failures.length);
  });
  return {
    verdict: failures.length === 0 ? 'correct' : 'wrong',
    seed,
    runs,
    precision,
    minDigits,
    classes,
    failures,
    entriesChecked,
    durationMs: performance.now() - started,
  };
}
