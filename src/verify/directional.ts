import { directionalCheck, type DirectionalOptions } from '../compare/directional.js';
import type { Iut } from '../iut/types.js';
import { caseToJson } from '../network/json.js';
import type { Case } from '../network/types.js';
import { askImplementation } from './evaluate.js';
import type { VerifyReport } from './report.js';
import { errorReport, firstUndeclared, RunRecord, type NamedCase } from './run.js';
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
  const run = new RunRecord(iut, options);
  try {
    await run.open();
  } catch (thrown) {
    run.error = errorReport(thrown, null);
    return run.report({ mode: 'cases', seed: options.seed ?? 42, runs: cases.length });
  }
  // a case of a family the implementation did not declare is an error, and nothing is sent
  if (firstUndeclared(run, cases)) return run.report({ mode: 'cases', seed: options.seed ?? 42, runs: cases.length });
  for (const named of cases) {
    const c = run.caseFor(named.case).case;
    try {
      if (!(await checkGiven(run, named, c, options))) break;
    } catch (thrown) {
      // an oracle or bound error keeps its own code (E_ORACLE_LIMIT, E_BOUND) and names the case
      run.error = errorReport(thrown, c, `could not check case ${named.name}`);
      break;
    }
  }
  return run.report({ mode: 'cases', seed: options.seed ?? 42, runs: cases.length });
}

/** The directional check of one given case, its failures and note recorded; false when the run must stop. */
async function checkGiven(run: RunRecord, named: NamedCase, c: Case, options: VerifyDirectionalOptions): Promise<boolean> {
  const answer = await askImplementation(run.iut, c);
  if ('fatal' in answer) {
    run.error = { code: answer.fatal.code, message: answer.fatal.message, case: caseToJson(c) };
    return false;
  }
  run.casesRun += 1;
  const stats = (run.classes.given ??= emptyStats());
  stats.cases += 1;
  if ('refusal' in answer) {
    stats.wrong += 1;
    run.failures.push({ outcome: 'wrong', kind: answer.refusal!.kind, where: 'result', message: answer.refusal!.message, iut: null, oracle: null, finiteDifference: null, error: null, bound: null, digits: null, digitsLost: null, cancellation: null, origin: 'given', valuesAffected: 1, case: caseToJson(c), name: named.name, shrinkSteps: null, replay: { seed: null, path: null, file: named.name } });
    return true;
  }
  // the implementation's declared kink side: the oracle's derivative, its one-sided differences and the bound take it
  const result = directionalCheck(run.ctx, c.network, c.batch, answer.result, { ...options, precision: run.precision, kink: run.kink });
  const flagged = result.directions.filter((d) => d.flagged).length;
  const judged = result.directions.length - result.notComparable;
  // one-sided and not-comparable directions are said only where there are some (a network without kinks: the same words as before)
  const atKinks = [
    result.oneSided > 0 ? `${result.oneSided} one-sided at kinks` : '',
    result.split > 0 ? `${result.split} judged in parts comparable at exact kinks, ${result.leftOut} coordinate(s) not comparable checked against the analytic oracle instead` : '',
    result.notComparable > 0 ? `${result.notComparable} more drawn not comparable at exact kinks (not judged)` : '',
    result.unsplit > 0 ? `${result.unsplit} coordinate set(s) localisation could not split (not comparable at exact kinks)` : '',
  ].filter((x) => x !== '');
  run.notes.push(`directional ${named.name}: ${judged} random signed directions over ${result.parameters} parameters, ${flagged} flagged${atKinks.length > 0 ? ` (${atKinks.join('; ')})` : ''}; ${result.passes} directional finite differences in ${(result.durationMs / 1000).toFixed(2)} s; ${result.localised.length} entr${result.localised.length === 1 ? 'y' : 'ies'} localised`);
  if (result.verdict === 'inconclusive') {
    // nothing judged is not a pass: the check could not do its job on this case
    run.error = { code: 'E_ORACLE', message: `could not check case ${named.name}: every one of the ${result.directions.length} random signed directions drawn moves rectifiers at their exact kinks off their pieces in both step directions (not comparable): verify it with --mode cases`, case: caseToJson(c) };
    return false;
  }
  if (result.verdict === 'correct') {
    stats.correct += 1;
    return true;
  }
  stats.wrong += 1;
  for (const e of result.localised) {
    run.failures.push({
      outcome: 'wrong', kind: 'value', where: e.text,
      message: `${e.text}: implementation ${e.value}, ${e.against === 'analytic' ? 'oracle (its finite difference is not comparable at an exact kink)' : 'finite difference'} ${e.finiteDifference}, error ${e.error.toExponential(2)} > ${e.allowed.toExponential(2)} allowed (localised by group testing)`,
      iut: e.value, oracle: e.finiteDifference, finiteDifference: e.finiteDifference, error: e.error, bound: e.allowed, digits: null, digitsLost: e.allowed > 0 ? Math.log10(e.error / e.allowed) : null, cancellation: null,
      origin: 'given', valuesAffected: result.localised.length, case: caseToJson(c), name: named.name, shrinkSteps: null, replay: { seed: options.seed ?? 42, path: null, file: named.name },
    });
  }
  if (result.localised.length === 0) run.notes.push(`directional ${named.name}: a direction was flagged but no single entry stood out (many small errors)`);
  return true;
}
