import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailureReport, VerifyReport } from '../verify/report.js';

/** The file a failure is saved in: `{ network, batch }` plus what was found, a valid `--case` file. */
export function counterexampleJson(report: VerifyReport, f: FailureReport): string {
  const { case: c, replay, ...found } = f;
  return JSON.stringify({ network: c.network, batch: c.batch, implementation: report.implementation.label, found: { ...found, seed: replay.seed, path: replay.path } }, null, 2) + '\n';
}

/** Writes text atomically: to a temporary file beside the target, then renamed over it. */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/**
 * Saves every failure of the report (given cases excepted: they are the user's files already) in
 * `dir`, named by the hash of the case, and records the file in the failure's replay.
 * Returns the files written.
 */
export function saveCounterexamples(report: VerifyReport, dir: string): string[] {
  const written: string[] = [];
  for (const f of report.failures) {
    if (f.origin === 'given') continue;
    mkdirSync(dir, { recursive: true });
    const hash = createHash('sha256').update(JSON.stringify(f.case)).digest('hex').slice(0, 16);
    const file = join(dir, `${f.outcome}-${hash}.json`);
    f.replay.file = file;
    writeAtomically(file, counterexampleJson(report, f));
    written.push(file);
  }
  return written;
}
