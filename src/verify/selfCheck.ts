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
  /** Entries whose finite difference is one-sided (a rectifier at or near its kink): compared with the analytic value as usual. */
  oneSided: number;
  /** Entries whose finite difference is not comparable (exact kinks needing opposite steps): left out of the comparison, counted here. */
  notComparable: number;
}

/** The self-check's report, as data. */
export interface SelfCheckReport {
  /** 'inconclusive' when no entry could be compared with its finite difference (every one not comparable). */
  readonly verdict: 'correct' | 'wrong' | 'inconclusive';
  readonly seed: number;
  readonly runs: number;
  readonly precision: number;
  readonly minDigits: number;
  /** Version 1's four classes always; a stress class (kinks, nearKink, saturatedTanh, logitGap) when some case was drawn from it. */
  readonly classes: Partial<Record<MagnitudeClass, ClassSummary>>;
  readonly failures: SelfCheckFailure[];
  readonly entriesChecked: number;
  /** Gradient entries compared with their finite difference (central or one-sided). */
  readonly entriesCompared: number;
  /** Of those, one-sided (every class summed). */
  readonly oneSided: number;
  /** Gradient entries left out of the finite-difference comparison as not comparable at exact kinks (every class summed). */
  readonly notComparable: number;
  readonly durationMs: number;
}

function emptySummary(): ClassSummary {
  return { cases: 0, referenceDigits: Infinity, finiteDifferenceDigits: Infinity, referenceUlps: 0, oneSided: 0, notComparable: 0 };
}

function describeViolation(e: EntryComparison): string {
  return `reference ${e.value}, oracle ${e.exact.toSignificantDigits(20).toString()}, error ${e.error.toExponential(3)} > bound ${e.bound.toExponential(3)}`;
}

/**
 * The self-check's verdict: 'wrong' with a failure; else 'inconclusive' where entries were left out
 * as not comparable at exact kinks and none was compared (a run that compared nothing with finite
 * differences proves nothing); else 'correct'.
 */
export function selfCheckVerdict(failures: number, compared: number, notComparable: number): SelfCheckReport['verdict'] {
  if (failures > 0) return 'wrong';
  return compared === 0 && notComparable > 0 ? 'inconclusive' : 'correct';
}

/**
 * The built-in verification: on generated cases, the float64 reference must lie within its error
 * bound of the decimal oracle, and the oracle's analytic gradients must agree with its finite
 * differences to `minDigits` digits relative to scale. Three computations, none trusting another.
 *
 * At a rectifier's kink the oracle differences one-sided, on the side that keeps every rectifier on
 * its piece (`CaseOracle.differenceKind`): such an entry is compared as usual and counted
 * (`oneSided`). Where no side does (exact kinks needing opposite steps) the difference is not the
 * derivative backprop defines: the entry is left out of the comparison and counted
 * (`notComparable`), never silently, and a run in which no entry could be compared is
 * 'inconclusive', not a pass.
 */
export function selfCheck(options: SelfCheckOptions = {}): SelfCheckReport {
  const { runs = 200, seed = 42, precision = 50, minDigits = 20 } = options;
  const started = performance.now();
  const ctx = createContext(precision);
  const cases = sampleCases(options.generate ?? {}, runs, seed);
  const classes: Partial<Record<MagnitudeClass, ClassSummary>> = { typical: emptySummary(), zeros: emptySummary(), tiny: emptySummary(), saturating: emptySummary() };
  const failures: SelfCheckFailure[] = [];
  let entriesChecked = 0;
  let entriesCompared = 0;
  let oneSided = 0;
  let notComparable = 0;
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
      const kind = exact.differenceKind(where);
      if (kind === 'not-comparable') {
        summary.notComparable += 1;
        notComparable += 1;
        return;
      }
      if (kind === 'one-sided') {
        summary.oneSided += 1;
        oneSided += 1;
      }
      entriesCompared += 1;
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
    verdict: selfCheckVerdict(failures.length, entriesCompared, notComparable),
    seed,
    runs,
    precision,
    minDigits,
    classes,
    failures,
    entriesChecked,
    entriesCompared,
    oneSided,
    notComparable,
    durationMs: performance.now() - started,
  };
}
