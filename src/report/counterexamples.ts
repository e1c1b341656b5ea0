import { writeFileAtomically, saveToCorpus } from '../verify/corpus.js';
import type { FailureReport, VerifyReport } from '../verify/report.js';

/** Writes text atomically: to a uniquely named temporary file beside the target, renamed over it. */
export const writeAtomically = writeFileAtomically;

/**
 * Saves every generated failure of the report in the corpus folder `dir`, under the
 * implementation's label (given cases are files of the user's already), and records each file in
 * the failure's replay. The saved file is a valid `--case` file. Returns the files written.
 */
export function saveCounterexamples(report: VerifyReport, dir: string): string[] {
  const written: string[] = [];
  for (const f of report.failures) {
    if (f.origin === 'given') continue;
    const { case: c, replay, ...found } = f as FailureReport;
    const file = saveToCorpus(dir, { key: report.implementation.label, network: c.network, batch: c.batch, found: { ...found, seed: replay.seed, path: replay.path, implementation: report.implementation.label } });
    f.replay.file = file;
    written.push(file);
  }
  // the request that crashed, hung or broke the protocol is kept for replay too
  if (report.error?.case) {
    const { network, batch } = report.error.case;
    written.push(saveToCorpus(dir, { key: report.implementation.label, network, batch, found: { error: report.error.code, message: report.error.message } }));
  }
  return written;
}
