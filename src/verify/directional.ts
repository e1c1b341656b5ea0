import { IutError } from '../iut/errors.js';
import type { Iut } from '../iut/types.js';
import { caseToJson } from '../network/json.js';
import type { Description } from '../network/types.js';
import { createContext } from '../oracle/api.js';
import type { Precision } from '../types.js';
import { directionalCheck, type DirectionalOptions } from '../compare/directional.js';
import { askImplementation } from './evaluate.js';
import type { ClassStats, ErrorReport, FailureReport, VerifyReport } from './report.js';
import { exitCodeOf, roundToFloat32, verdictOf, type NamedCase } from './run.js';
import { emptyStats } from './stats.js';

export { directionalCheck, directionSign, type DirectionalOptions, type DirectionalResult, type DirectionCheck, type LocalisedEntry } from '../compare/directional.js';

/** Options of `verifyDirectional`: the directional check's, and the run's. */
export interface VerifyDirectionalOptions extends DirectionalOptions {
  /** Oracle digits (default 50). */
  readonly digits?: number;
  /** Fail on inaccurate too (kept for the report; directional mode finds only wrong). */
  readonly strict?: boolean;
}

/**
 * `--mode directional`: verifies an implementation on given cases with the directional check
 * (K random signed directions, then group testing to localise), and returns the usual report:
 * a localised entry becomes a failure, each case's directions become a note.
 */
export async function verifyDirectional(iut: Iut, cases: readonly NamedCase[], options: VerifyDirectionalOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const strict = options.strict ?? false;
  const ctx = createContext(options.digits ?? 50);
  const failures: FailureReport[] = [];
  const notes: string[] = [];
  const classes: { given?: ClassStats } = {};
  let description: Description = {};
  let error: ErrorReport | null = null;
  let casesRun = 0;
  let precision: Precision = options.precision ?? 'float64';
  try {
    description = await iut.describe();
    if (!options.precision && description.precision) precision = description.precision;
    for (const named of cases) {
      const c = precision === 'float32' ? roundToFloat32(named.case).case : named.case;
      const answer = await askImplementation(iut, c);
      if ('fatal' in answer) {
        error = { code: answer.fatal.code, message: answer.fatal.message, case: caseToJson(c) };
        break;
      }
      casesRun += 1;
      const stats = (classes.given ??= emptyStats());
      stats.cases += 1;
      if ('refusal' in answer) {
        stats.wrong += 1;
        failures.push({ outcome: 'wrong', kind: answer.refusal!.kind, where: 'result', message: answer.refusal!.message, iut: null, oracle: null, finiteDifference: null, error: null, bound: null, digits: null, digitsLost: null, cancellation: null, origin: 'given', valuesAffected: 1, case: caseToJson(c), name: named.name, shrinkSteps: null, replay: { seed: null, path: null, file: named.name } });
        continue;
      }
      const result = directionalCheck(ctx, c.network, c.batch, answer.result, { ...options, precision });
      const flagged = result.directions.filter((d) => d.flagged).length;
      notes.push(`directional ${named.name}: ${result.directions.length} random signed directions over ${result.parameters} parameters, ${flagged} flagged; ${result.passes} directional finite differences in ${(result.durationMs / 1000).toFixed(2)} s; ${result.localised.length} entr${result.localised.length === 1 ? 'y' : 'ies'} localised`);
      if (result.verdict === 'correct') {
        stats.correct += 1;
        continue;
      }
      stats.wrong += 1;
      for (const e of result.localised) {
        failures.push({
          outcome: 'wrong', kind: 'value', where: e.text,
          message: `${e.text}: implementation ${e.value}, finite difference ${e.finiteDifference}, error ${e.error.toExponential(2)} > ${e.allowed.toExponential(2)} allowed (localised by group testing)`,
          iut: e.value, oracle: e.finiteDifference, finiteDifference: e.finiteDifference, error: e.error, bound: e.allowed, digits: null, digitsLost: e.allowed > 0 ? Math.log10(e.error / e.allowed) : null, cancellation: null,
          origin: 'given', valuesAffected: result.localised.length, case: caseToJson(c), name: named.name, shrinkSteps: null, replay: { seed: options.seed ?? 42, path: null, file: named.name },
        });
      }
      if (result.localised.length === 0) notes.push(`directional ${named.name}: a direction was flagged but no single entry stood out (many small errors)`);
    }
  } catch (thrown) {
    error = { code: thrown instanceof IutError ? thrown.code : 'E_INTERNAL', message: thrown instanceof Error ? thrown.message : String(thrown), case: null };
  }
  const verdict = error ? 'error' : verdictOf(classes);
  return {
    tool: 'backprop-oracle', verdict, exitCode: exitCodeOf(verdict, strict), strict,
    implementation: { label: iut.label, description, precision, precisionFrom: options.precision ? 'option' : description.precision ? 'description' : 'default' },
    mode: 'cases', seed: options.seed ?? 42, runs: cases.length, shard: null, casesRun, interrupted: false, stoppedEarly: false,
    classes, failures, nondeterminism: { checked: 0, differing: [] }, error, notes, durationMs: performance.now() - started,
  };
}
