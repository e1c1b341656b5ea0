/**
 * Hand-built VerifyReports for the report specs: a builder with defaults and five reports that
 * cover the verdicts (correct, inaccurate, wrong with a shrunk failure, error, given cases with
 * non-determinism under --strict).
 */

import type { CaseJson } from '../../src/network/types.js';
import { PROPERTIES, type ClassStats, type FailureReport, type Property, type PropertyStats, type VerifyReport } from '../../src/verify/report.js';

/** A one-layer, one-unit case. */
export const SMALL_CASE: CaseJson = {
  network: { layers: [{ weights: [[0.5]], bias: [-0.25] }], reduction: 'sum' },
  batch: { inputs: [[1]], targets: [[1]] },
};

/** Counts of one property; `firstMessage` defaults to null. */
export function prop(correct: number, inaccurate = 0, wrong = 0, firstMessage: string | null = null): PropertyStats {
  return { correct, inaccurate, wrong, firstMessage };
}

/**
 * Stats of one origin with `cases` cases, all correct unless `properties` says otherwise; `outputs`
 * has no judged cases unless given (the implementation returned no outputs). The case counts follow
 * the worst property of each case only roughly: the reports do not check them against each other.
 */
export function stats(cases: number, over: Partial<Omit<ClassStats, 'properties'>> & { properties?: Partial<Record<Property, PropertyStats>> } = {}): ClassStats {
  const properties = Object.fromEntries(PROPERTIES.map((p) => [p, p === 'outputs' ? prop(0) : prop(cases)])) as Record<Property, PropertyStats>;
  Object.assign(properties, over.properties ?? {});
  const sum = (k: 'correct' | 'inaccurate' | 'wrong'): number => Math.max(...PROPERTIES.map((p) => (k === 'correct' ? 0 : properties[p][k])));
  const wrong = over.wrong ?? sum('wrong');
  const inaccurate = over.inaccurate ?? sum('inaccurate');
  return {
    cases,
    correct: cases - wrong - inaccurate,
    inaccurate,
    wrong,
    worstDigits: 14.2,
    worstDigitsLost: 0,
    cancellations: {},
    ...over,
    properties,
  };
}

/** A failure with defaults for every field (a wrong loss value of a typical case). */
export function failure(over: Partial<FailureReport> = {}): FailureReport {
  return {
    outcome: 'wrong',
    kind: 'value',
    where: 'loss E',
    message: 'loss E: implementation 0.6, oracle 0.57407698418010663, error 2.59e-2 > 4.4e-16 allowed (4.4e-16 with the textbook cancellations)',
    iut: 0.6,
    oracle: '0.57407698418010663',
    finiteDifference: null,
    error: 0.0259,
    bound: 4.4e-16,
    digits: 1.3,
    digitsLost: 13.8,
    cancellation: null,
    textbook: null,
    origin: 'typical',
    valuesAffected: 1,
    case: SMALL_CASE,
    name: null,
    shrinkSteps: 7,
    shrinkStopped: null,
    repeat: null,
    replay: { seed: 42, path: '12:0:3', file: null },
    ...over,
  };
}

/** A report with defaults: a correct run of 10 typical cases, seed 42. */
export function report(over: Partial<VerifyReport> = {}): VerifyReport {
  return {
    tool: 'backprop-oracle',
    verdict: 'correct',
    exitCode: 0,
    strict: false,
    implementation: { label: 'module fixtures/implementations/correct.mjs', description: { name: 'correct', precision: 'float64' }, precision: 'float64', precisionFrom: 'description' },
    mode: 'generated',
    seed: 42,
    runs: 10,
    shard: null,
    casesRun: 10,
    casesReplayed: 0,
    interrupted: false,
    stoppedEarly: false,
    classes: { typical: stats(10) },
    failures: [],
    nondeterminism: { checked: 5, differing: [] },
    error: null,
    notes: [],
    durationMs: 1234.5,
    ...over,
  };
}

/** Correct on two classes; the zeros class was exact everywhere (worstDigits Infinity). */
export const CORRECT = report({
  runs: 20,
  casesRun: 20,
  classes: { typical: stats(12), zeros: stats(8, { worstDigits: Number.POSITIVE_INFINITY }) },
});

const SLOPE_MESSAGE = "layer 1, dE/dW[j=0][i=0]: implementation 1e-40, oracle 1.2e-40, error 2e-41 (3.2 digits lost: sigma'(S) = Z(1-Z) formed from a rounded Z (a saturated hidden unit))";

/** Inaccurate (the textbook slope in saturation), without --strict: exit 0. */
export const INACCURATE = report({
  verdict: 'inaccurate',
  implementation: { label: 'command python3 textbook.py', description: {}, precision: 'float64', precisionFrom: 'default' },
  classes: {
    typical: stats(6),
    saturating: stats(4, {
      worstDigits: 9.5,
      worstDigitsLost: 3.2,
      cancellations: { slope: { values: 5, maxDigitsLost: 3.2 }, outputDelta: { values: 1, maxDigitsLost: 1.05 } },
      properties: { gradients: prop(2, 2, 0, SLOPE_MESSAGE) },
    }),
  },
  failures: [
    failure({
      outcome: 'inaccurate',
      where: 'layer 1, dE/dW[j=0][i=0]',
      message: SLOPE_MESSAGE,
      iut: 1e-40,
      oracle: '1.2e-40',
      finiteDifference: '1.2000000000000000001e-40',
      cancellation: 'slope',
      origin: 'saturating',
      valuesAffected: 3,
      shrinkSteps: 4,
      replay: { seed: 42, path: '7:1', file: null },
    }),
  ],
});

const WRONG_MESSAGE = `loss E: implementation 0.6, oracle 0.57407698418010663, error 2.59e-2 > 4.4e-16 allowed ("<&'>"\u0001)`;

/** Wrong loss on a typical case, stopped early and shrunk; the messages hold characters XML must escape. */
export const WRONG = report({
  verdict: 'wrong',
  exitCode: 1,
  implementation: { label: 'module buggy <wrong> & "scaled".mjs', description: { name: 'buggy' }, precision: 'float64', precisionFrom: 'description' },
  runs: 200,
  casesRun: 9,
  stoppedEarly: true,
  classes: {
    typical: stats(3, { worstDigits: 1.3, worstDigitsLost: 13.8, properties: { loss: prop(2, 0, 1, WRONG_MESSAGE), outputs: prop(3) } }),
    zeros: stats(2),
    tiny: stats(2),
    saturating: stats(2),
  },
  failures: [failure({ message: WRONG_MESSAGE, replay: { seed: 42, path: '8:0:0:1', file: 'counterexamples/wrong case 1.json' } })],
  notes: ['generation stopped at the first failing case (9 of 200 cases run), which was then shrunk'],
  durationMs: 987.6543,
});

/** The implementation timed out: exit 2. */
export const ERROR = report({
  verdict: 'error',
  exitCode: 2,
  casesRun: 3,
  classes: { typical: stats(3) },
  error: { code: 'E_TIMEOUT', message: 'no answer within 10 s\n(the process was killed)', case: SMALL_CASE },
  durationMs: 10_020,
});

/** Cases from files, --strict: inaccurate outputs fail; the implementation is not deterministic. */
export const GIVEN = report({
  verdict: 'inaccurate',
  exitCode: 1,
  strict: true,
  mode: 'cases',
  seed: null,
  runs: 2,
  casesRun: 2,
  shard: { index: 1, count: 3 },
  classes: {
    given: stats(2, {
      cancellations: { sigmoidOverflow: { values: 1, maxDigitsLost: 2 } },
      properties: { outputs: prop(1, 1, 0, 'output Z[sample=0][i=0]: implementation 0, oracle 1e-320 (2.0 digits lost)') },
    }),
  },
  failures: [
    failure({
      outcome: 'inaccurate',
      where: 'output Z[sample=0][i=0]',
      message: 'output Z[sample=0][i=0]: implementation 0, oracle 1e-320 (2.0 digits lost)',
      origin: 'given',
      name: 'saturated, deep',
      iut: 0,
      oracle: '9.8813129168249308835e-321',
      shrinkSteps: null,
      replay: { seed: null, path: null, file: "cases/it's.json" },
    }),
  ],
  nondeterminism: { checked: 2, differing: [{ where: 'layer 1, dE/db[i=0]', first: 0.125, second: null, beyondBound: false, case: SMALL_CASE }] },
  notes: ['the implementation gave different answers to the same case (1 of 2 cases checked twice)'],
});

/** Every fixture report by name. */
export const REPORTS = { CORRECT, INACCURATE, WRONG, ERROR, GIVEN } as const;
