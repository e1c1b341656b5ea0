import { spawnSync } from 'node:child_process';

export { createContext, log1p, oracle, parameterFiniteDifferences, sigmoidPair, toDecimal, finiteDifferences, type Decimal } from '../../src/oracle/index.js';
export { decimalDigits } from '../../src/compare/index.js';

/** The independent Python check (fixtures/golden/check_golden.py, standard library only). */
export const GOLDEN_CHECK = new URL('../../fixtures/golden/check_golden.py', import.meta.url).pathname;

/**
 * Runs `python3 check_golden.py [file]` and returns its exit status and output. The check is part
 * of every CI run, so a missing python3 is a failure with a message, never a skipped spec.
 * @throws Error when python3 cannot be started
 */
export function runGoldenCheck(file?: string, env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('python3', file ? [GOLDEN_CHECK, file] : [GOLDEN_CHECK], { encoding: 'utf8', env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    throw new Error(`python3 is required by the independent golden check (fixtures/golden/check_golden.py, standard library only) and could not be run: ${run.error.message}. Install python3 (.ci/run installs it with apt-get where it is missing).`);
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
