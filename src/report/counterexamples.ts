import { saveToCorpus } from '../verify/corpus.js';
import type { FailureReport, VerifyReport } from '../verify/report.js';

/** What a saved counterexample records of the implementation it failed on, so that `replay FILE` can run it again. */
export type RecordedTarget = { impl: string } | { cmd: string } | { builtin: true };

/**
 * Saves every generated failure of the report in the corpus folder `dir`, under the
 * implementation's label, and every stored case that was replayed and shrunk (given cases that
 * were not shrunk are files of the user's already), and records each file in the failure's
 * replay. The saved file is a valid `--case` file; `target` (how the implementation was named:
 * module, command or built-in) is recorded for `replay FILE`. Returns the files written.
 */
export function saveCounterexamples(report: VerifyReport, dir: string, target: RecordedTarget | null = null): string[] {
  const written: string[] = [];
  const implementation = { implementation: report.implementation.label, ...(target ? { target } : {}) };
  for (const f of report.failures) {
    if (f.origin === 'given' && f.shrinkSteps === null) continue;
    const { case: c, replay, ...found } = f as FailureReport;
    const file = saveToCorpus(dir, { key: report.implementation.label, network: c.network, batch: c.batch, found: { ...found, seed: replay.seed, path: replay.path, ...implementation } });
    f.replay.file = file;
    written.push(file);
  }
  // the request that crashed, hung or broke the protocol is kept for replay too (not a case of a
  // family the implementation did not declare: it was never sent, and replayed it would fail every run)
  if (report.error?.case && report.error.code !== 'E_UNDECLARED') {
    const { network, batch } = report.error.case;
    written.push(saveToCorpus(dir, { key: report.implementation.label, network, batch, found: { error: report.error.code, message: report.error.message, ...implementation } }));
  }
  return written;
}
