import type { Precision } from '../types.js';
import type { Iut } from '../iut/types.js';
import type { Description } from '../network/types.js';
import { caseOracle, createContext } from '../oracle/api.js';
import { errorReport, roundToFloat32, settleReport, type NamedCase, type VerifyOptions } from './run.js';

export { roundToFloat32, type NamedCase } from './run.js';
import { evaluateCase } from './evaluate.js';
import { failureReport } from './failure.js';
import { certificationNote, certify, type Certification } from './certify.js';
import type { ClassStats, ErrorReport, FailureReport, VerifyReport } from './report.js';
import { record } from './stats.js';
import { caseToJson } from '../network/json.js';

/**
 * Verifies an implementation on the cases given (a user's real model and batch), judging every
 * loss value and gradient entry. A float32 implementation gets each case rounded to float32 first,
 * and the oracle judges the rounded case. Nothing is shrunk: these cases are the user's own.
 * Unless `certify: false`, every gradient entry is also certified against finite differences
 * through the pre-activations (`certify.ts`), and the report's notes say to how many digits.
 */
export async function verifyCases(iut: Iut, cases: readonly NamedCase[], options: VerifyOptions & { certify?: boolean } = {}): Promise<VerifyReport> {
  const started = performance.now();
  const strict = options.strict ?? false;
  const ctx = createContext(options.digits ?? 50);
  const classes: { given?: ClassStats } = {};
  const failures: FailureReport[] = [];
  const notes: string[] = [];
  let description: Description = {};
  let error: ErrorReport | null = null;
  let casesRun = 0;
  let precision: Precision = options.precision ?? 'float64';
  let precisionFrom: VerifyReport['implementation']['precisionFrom'] = options.precision ? 'option' : 'default';
  try {
    description = await iut.describe();
    if (!options.precision && description.precision) {
      precision = description.precision;
      precisionFrom = 'description';
    }
    const rounded: string[] = [];
    for (const named of cases) {
      let c = named.case;
      if (precision === 'float32') {
        const r = roundToFloat32(c);
        if (r.changed) rounded.push(named.name);
        c = r.case;
      }
      if (options.timeBudgetSeconds !== undefined && performance.now() - started > options.timeBudgetSeconds * 1000) {
        notes.push(`the time budget of ${options.timeBudgetSeconds} s ran out: ${casesRun} of ${cases.length} cases were run`);
        break;
      }
      let ev: Awaited<ReturnType<typeof evaluateCase>>;
      try {
        ev = await evaluateCase(iut, c, precision, ctx);
      } catch (thrown) {
        // the oracle or the judge could not judge this case: the verifier's failure, with the error's own code
        error = errorReport(thrown, c, `could not judge case ${named.name}`);
        break;
      }
      if (ev.fatal) {
        error = { code: ev.fatal.code, message: ev.fatal.message, case: caseToJson(c) };
        break;
      }
      casesRun += 1;
      record(classes, 'given', ev);
      // every entry of a given case is certified against finite differences (certify.ts)
      let certification: Certification | null = null;
      if (ev.oracle?.core && options.certify !== false) {
        certification = certify(caseOracle(ev.oracle), ev.judgements);
        notes.push(certificationNote(named.name, certification));
        if (!certification.certified) {
          error = { code: 'E_ORACLE', message: certificationNote(named.name, certification), case: null };
          break;
        }
      }
      if (ev.outcome !== 'correct') failures.push(failureReport(c, ev, 'given', ctx, { seed: null, path: null, file: named.name }, null, named.name, certification));
      options.onProgress?.({ phase: 'generate', done: casesRun, total: cases.length, wrong: classes.given?.wrong ?? 0, inaccurate: classes.given?.inaccurate ?? 0, elapsedMs: performance.now() - started, shrinkSteps: 0 });
    }
    if (rounded.length > 0) notes.push(`float32 implementation: ${rounded.join(', ')} rounded to float32 first; the oracle judged the rounded case`);
  } catch (thrown) {
    error = errorReport(thrown, null);
  }
  if (!error && casesRun === 0) {
    // a run that judged nothing is not a pass
    const spent = options.timeBudgetSeconds !== undefined && cases.length > 0;
    error = { code: 'E_NO_CASES', message: spent ? `the time budget of ${options.timeBudgetSeconds} s ran out before the first case` : 'no case was given', case: null };
  }
  return settleReport({
    tool: 'backprop-oracle',
    verdict: 'correct',
    exitCode: 0,
    strict,
    implementation: { label: iut.label, description, precision, precisionFrom },
    mode: 'cases',
    seed: null,
    runs: cases.length,
    shard: null,
    casesRun,
    casesReplayed: 0,
    interrupted: false,
    stoppedEarly: false,
    classes,
    failures,
    nondeterminism: { checked: 0, differing: [] },
    error,
    notes,
    durationMs: performance.now() - started,
  });
}
