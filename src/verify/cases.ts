import type { Iut } from '../iut/types.js';
import { caseToJson } from '../network/json.js';
import type { Case } from '../network/types.js';
import { certificationNote, certify, type Certification } from './certify.js';
import { evaluateCase } from './evaluate.js';
import { failureReport } from './failure.js';
import type { VerifyReport } from './report.js';
import { errorReport, firstUndeclared, RunRecord, type NamedCase, type VerifyOptions } from './run.js';

export { roundToFloat32, type NamedCase } from './run.js';

/**
 * Verifies an implementation on the cases given (a user's real model and batch), judging every
 * loss value and gradient entry. A float32 implementation gets each case rounded to float32 first,
 * and the oracle judges the rounded case. Nothing is shrunk: these cases are the user's own.
 * Unless `certify: false`, every gradient entry is also certified against finite differences
 * through the pre-activations (`certify.ts`), and the report's notes say to how many digits.
 */
export async function verifyCases(iut: Iut, cases: readonly NamedCase[], options: VerifyOptions & { certify?: boolean } = {}): Promise<VerifyReport> {
  const run = new RunRecord(iut, options);
  try {
    await run.open();
    // a case of a family the implementation did not declare is an error, and nothing is sent
    const undeclared = firstUndeclared(run, cases);
    if (undeclared) return run.report({ mode: 'cases', seed: null, runs: cases.length, casesReplayed: 0 });
    const rounded: string[] = [];
    for (const named of cases) {
      const { case: c, changed } = run.caseFor(named.case);
      if (changed) rounded.push(named.name);
      if (options.timeBudgetSeconds !== undefined && performance.now() - run.started > options.timeBudgetSeconds * 1000) {
        run.notes.push(`the time budget of ${options.timeBudgetSeconds} s ran out: ${run.casesRun} of ${cases.length} cases were run`);
        break;
      }
      if (!(await judgeGiven(run, named, c, cases.length, options))) break;
    }
    if (rounded.length > 0) run.notes.push(`float32 implementation: ${rounded.join(', ')} rounded to float32 first; the oracle judged the rounded case`);
  } catch (thrown) {
    run.error = errorReport(thrown, null);
  }
  if (!run.error && run.casesRun === 0) {
    // a run that judged nothing is not a pass
    const spent = options.timeBudgetSeconds !== undefined && cases.length > 0;
    run.error = { code: 'E_NO_CASES', message: spent ? `the time budget of ${options.timeBudgetSeconds} s ran out before the first case` : 'no case was given', case: null };
  }
  return run.report({ mode: 'cases', seed: null, runs: cases.length, casesReplayed: 0 });
}

/** Judges one given case (and certifies it unless `certify: false`); false when the run must stop. */
async function judgeGiven(run: RunRecord, named: NamedCase, c: Case, total: number, options: VerifyOptions & { certify?: boolean }): Promise<boolean> {
  let ev: Awaited<ReturnType<typeof evaluateCase>>;
  try {
    ev = await evaluateCase(run.iut, c, run.precision, run.ctx, run.kink);
  } catch (thrown) {
    // the oracle or the judge could not judge this case: the verifier's failure, with the error's own code
    run.error = errorReport(thrown, c, `could not judge case ${named.name}`);
    return false;
  }
  if (ev.fatal) {
    run.error = { code: ev.fatal.code, message: ev.fatal.message, case: caseToJson(c) };
    return false;
  }
  run.casesRun += 1;
  run.record('given', ev);
  // every entry of a given case is certified against finite differences (certify.ts)
  let certification: Certification | null = null;
  if (ev.oracle && options.certify !== false) {
    certification = certify(ev.oracle, ev.judgements);
    run.notes.push(certificationNote(named.name, certification));
    if (!certification.certified) {
      run.error = { code: 'E_ORACLE', message: certificationNote(named.name, certification), case: null };
      return false;
    }
  }
  if (ev.outcome !== 'correct') run.failures.push(failureReport(c, ev, 'given', run.ctx, { seed: null, path: null, file: named.name }, null, named.name, certification));
  options.onProgress?.({ phase: 'generate', done: run.casesRun, total, wrong: run.classes.given?.wrong ?? 0, inaccurate: run.classes.given?.inaccurate ?? 0, elapsedMs: performance.now() - run.started, shrinkSteps: 0 });
  return true;
}
