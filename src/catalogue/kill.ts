/**
 * Killing a mistake twice: as a claim (the claim checker finds it false and shrinks a
 * counterexample) and as a buggy implementation (the verifier's verdict is wrong; for a numerics
 * mistake, non-correct under `--strict`).
 */
import { inProcess } from '../iut/module.js';
import type { CaseJson } from '../network/types.js';
import { verifyGenerated } from '../verify/engine.js';
import { checkClaim } from '../claims/check.js';
import type { ClaimResult } from '../claims/types.js';
import { buggyImplementation, type Mistake } from './mistakes.js';

/** Options of a kill run. */
export interface KillOptions {
  /** Cases for the claim (default 100). */
  claimRuns?: number;
  /** Cases for the implementation (default 200, the verifier's). */
  runs?: number;
  /** Seed of both (default 42). */
  seed?: number;
}

/** What the verifier said of the buggy implementation. */
export interface ImplementationKill {
  readonly verdict: 'correct' | 'inaccurate' | 'wrong' | 'error';
  readonly killed: boolean;
  readonly strict: boolean;
  /** The shrunk counterexample, its worst value and the verifier's message. */
  readonly case: CaseJson | null;
  readonly where: string | null;
  readonly message: string | null;
  readonly casesRun: number;
}

/** Both kills of one mistake. */
export interface KillResult {
  readonly mistake: Mistake;
  readonly claim: ClaimResult;
  readonly implementation: ImplementationKill;
  /** Killed both ways. */
  readonly killed: boolean;
  readonly durationMs: number;
}

/**
 * Runs both kills of `m`: `checkClaim(m.claim)` must be false, and `verifyGenerated` on the buggy
 * implementation (networks of at most 2 layers, the depth every mistake shows at) must say wrong,
 * or for a numerics mistake anything but correct with `strict`.
 */
export async function killMistake(m: Mistake, options: KillOptions = {}): Promise<KillResult> {
  const started = performance.now();
  const { claimRuns = 100, runs = 200, seed = 42 } = options;
  const claim = checkClaim(m.claim, { runs: claimRuns, seed });
  const strict = m.numerics === true;
  const iut = inProcess(buggyImplementation(m), `catalogue:${m.id}`);
  const report = await verifyGenerated(iut, { runs, seed, strict, maxLayers: 2, determinismChecks: 0 });
  await iut.close();
  const failure = report.failures[0] ?? null;
  const implementationKilled = strict ? report.verdict === 'wrong' || report.verdict === 'inaccurate' : report.verdict === 'wrong';
  const implementation: ImplementationKill = {
    verdict: report.verdict,
    killed: implementationKilled,
    strict,
    case: failure?.case ?? null,
    where: failure?.where ?? null,
    message: failure?.message ?? null,
    casesRun: report.casesRun,
  };
  return { mistake: m, claim, implementation, killed: claim.verdict === 'false' && implementationKilled, durationMs: performance.now() - started };
}
