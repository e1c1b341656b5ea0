import fc from 'fast-check';
import { OUTCOME_RANK, type Outcome, type Precision } from '../compare/judge.js';
import { caseArbitrary, type GeneratedCase, type GenerateOptions } from '../generate/index.js';
import { IutError } from '../iut/errors.js';
import type { Iut } from '../iut/types.js';
import { caseToJson } from '../network/json.js';
import type { Case, Description } from '../network/types.js';
import { createContext } from '../oracle/context.js';
import { roundToFloat32, type NamedCase } from './cases.js';
import { evaluateCase, firstDifference, type CaseEvaluation } from './evaluate.js';
import { failureReport } from './failure.js';
import type { ClassStats, ErrorReport, FailureReport, NondeterminismReport, VerifyReport, CaseOrigin } from './report.js';
import { record } from './stats.js';

/** Options of a verification run. */
export interface VerifyOptions {
  /** Generated cases (default 200). */
  runs?: number;
  /** Seed of the generator (default 42): the same seed gives the same cases and the same report. */
  seed?: number;
  /** fast-check replay path of one case (with the seed it was found with). */
  path?: string;
  /** Most layers generated (default 6, further limited by the implementation's `maxLayers`). */
  maxLayers?: number;
  /** The implementation's precision, overriding what it declares. */
  precision?: Precision;
  /** Fail on inaccurate values too (default false). */
  strict?: boolean;
  /** Stop generating new cases after this many seconds; what was found is still reported. */
  timeBudgetSeconds?: number;
  /** Run only the cases k with k mod count = index - 1 (1-based index): n machines cover the same cases as one. */
  shard?: { index: number; count: number };
  /** Oracle precision in digits (default 50). */
  digits?: number;
  /** Cases checked twice for determinism (default 5). */
  determinismChecks?: number;
  /** Called as cases are done. */
  onProgress?: (progress: Progress) => void;
  /** Stored counterexamples, replayed before anything is generated (see corpus.ts). */
  replay?: readonly NamedCase[];
  /** Stops the run: no new case is started, the one in flight is abandoned, and the report says so. */
  signal?: AbortSignal;
}

/** Thrown from the property to end fast-check's loop at once when the run is stopped. */
class RunStopped extends Error {
  constructor() {
    super('the run was stopped');
    this.name = 'RunStopped';
  }
}

/**
 * The promise's value, or 'aborted' as soon as the signal aborts. The listener is removed when
 * the promise settles (racing every case against one shared never-settling promise would keep
 * every case alive: Promise.race leaves its reaction on the losing promise).
 */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Where a run stands, for a progress display. */
export interface Progress {
  phase: 'generate' | 'shrink';
  done: number;
  total: number;
  wrong: number;
  inaccurate: number;
  elapsedMs: number;
  shrinkSteps: number;
}

/** The implementation's description, with the generation options it implies. */
export function generationFor(description: Description, precision: Precision, maxLayers: number): Partial<GenerateOptions> {
  const layers = Math.min(maxLayers, description.maxLayers ?? maxLayers);
  return {
    maxLayers: Math.max(1, layers),
    bias: description.bias === false ? false : 'any',
    reductions: description.reductions && description.reductions.length > 0 ? description.reductions : ['sum', 'mean'],
    float32: precision === 'float32',
  };
}

function precisionOf(description: Description, override: Precision | undefined): { precision: Precision; from: VerifyReport['implementation']['precisionFrom'] } {
  if (override) return { precision: override, from: 'option' };
  if (description.precision) return { precision: description.precision, from: 'description' };
  return { precision: 'float64', from: 'default' };
}

function errorReport(error: unknown, c: Case | null): ErrorReport {
  const code = error instanceof IutError ? error.code : 'E_INTERNAL';
  return { code, message: error instanceof Error ? error.message : String(error), case: c ? caseToJson(c) : null };
}

/** The exit code of a verdict: 0 correct (or inaccurate without strict), 1 wrong, 2 could not do the job. */
export function exitCodeOf(verdict: VerifyReport['verdict'], strict: boolean): 0 | 1 | 2 {
  if (verdict === 'error') return 2;
  if (verdict === 'wrong' || (strict && verdict === 'inaccurate')) return 1;
  return 0;
}

/** The worst outcome over the counted cases. */
export function verdictOf(classes: Partial<Record<CaseOrigin, ClassStats>>): Outcome {
  let worst: Outcome = 'correct';
  for (const s of Object.values(classes)) {
    if (s.wrong > 0) return 'wrong';
    if (s.inaccurate > 0) worst = 'inaccurate';
  }
  return worst;
}

/**
 * Verifies an implementation on generated cases. Every case is judged against the oracle; the
 * first case at or beyond the failing outcome (wrong; inaccurate too with `strict`) stops generation
 * and is shrunk by fast-check to the smallest case that still fails. Without `strict`, the first
 * inaccurate case is shrunk afterwards in a second pass over the same seed, which skips straight to it.
 */
export async function verifyGenerated(iut: Iut, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const { runs = 200, seed = 42, strict = false, maxLayers = 6, determinismChecks = 5 } = options;
  const ctx = createContext(options.digits ?? 50);
  const classes: Partial<Record<CaseOrigin, ClassStats>> = {};
  const failures: FailureReport[] = [];
  const differing: NondeterminismReport[] = [];
  const notes: string[] = [];
  let fatal: ErrorReport | null = null;
  let casesRun = 0;
  let checked = 0;
  let interrupted = false;
  let firstInaccurate = -1;
  let shrinkStopped: string | null = null;
  let description: Description;
  try {
    description = await iut.describe();
  } catch (error) {
    return finish({ verdict: 'error', description: {}, precision: { precision: options.precision ?? 'float64', from: 'default' }, error: errorReport(error, null), casesRun: 0, interrupted: false, stoppedEarly: false });
  }
  const precision = precisionOf(description, options.precision);
  if (precision.precision === 'float32') notes.push('float32 implementation: generated weights, inputs and targets are float32 numbers, and values are judged by float32 bounds');
  const arbitrary = caseArbitrary(generationFor(description, precision.precision, maxLayers));
  const isAborted = (): boolean => options.signal?.aborted === true;
  /** Evaluates a case unless the run is stopped first (then null). */
  const evaluate = async (c: Case): Promise<CaseEvaluation | null> => {
    const ev = await unlessAborted(evaluateCase(iut, c, precision.precision, ctx), options.signal);
    return ev === 'aborted' ? null : ev;
  };
  const deadline = options.timeBudgetSeconds !== undefined ? started + options.timeBudgetSeconds * 1000 : Number.POSITIVE_INFINITY;

  const progress = (phase: Progress['phase'], done: number, shrinkSteps: number): void => {
    const counted = Object.values(classes);
    options.onProgress?.({ phase, done, total: runs, wrong: counted.reduce((n, s) => n + s.wrong, 0), inaccurate: counted.reduce((n, s) => n + s.inaccurate, 0), elapsedMs: performance.now() - started, shrinkSteps });
  };

  /** One pass of fast-check: returns the shrunk counterexample of the first case at `failRank` or beyond. */
  const pass = async (failRank: number, skipBefore: number): Promise<{ c: GeneratedCase; ev: CaseEvaluation; steps: number; path: string | null } | null> => {
    let index = -1;
    let shrinking = false;
    let steps = 0;
    let last: { c: GeneratedCase; ev: CaseEvaluation } | null = null;
    const property = fc.asyncProperty(arbitrary, async (c) => {
      if (fatal) return true;
      if (isAborted()) {
        interrupted = true;
        // generating: end the loop now (fast-check would otherwise draw every remaining case);
        // shrinking: the candidate passes, which ends the shrinking with the case found so far
        if (!shrinking) throw new RunStopped();
        return true;
      }
      if (!shrinking) {
        index += 1;
        if (index < skipBefore) return true;
        if (options.shard && index % options.shard.count !== options.shard.index - 1) return true;
        if (performance.now() > deadline) {
          interrupted = true;
          return true;
        }
      } else {
        steps += 1;
        if (performance.now() > deadline) interrupted = true;
      }
      const ev = await evaluate(c);
      if (!ev) {
        interrupted = true;
        return true;
      }
      if (ev.fatal) {
        // while shrinking, a dead implementation only ends the shrinking: the case found stands
        if (shrinking) shrinkStopped ??= ev.fatal.message;
        else fatal = errorReport(ev.fatal, c);
        return true;
      }
      if (!shrinking && skipBefore === 0) {
        casesRun += 1;
        record(classes, c.magnitude, ev);
        if (ev.outcome === 'inaccurate' && firstInaccurate < 0) firstInaccurate = index;
        if (ev.result && checked < determinismChecks) {
          checked += 1;
          const again = await evaluate(c);
          const diff = again?.result ? firstDifference(ev.result, again.result) : null;
          if (diff) differing.push({ where: diff.where, first: diff.first, second: diff.second, case: caseToJson(c) });
        }
        progress('generate', casesRun, 0);
      } else if (shrinking) progress('shrink', casesRun, steps);
      const fails = OUTCOME_RANK[ev.outcome] >= failRank;
      if (fails) {
        shrinking = true;
        last = { c, ev };
      }
      return !fails;
    });
    const remaining = deadline - performance.now();
    const result = await fc.check(property, {
      seed,
      numRuns: runs,
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(Number.isFinite(remaining) ? { interruptAfterTimeLimit: Math.max(1, remaining), markInterruptAsFailure: false } : {}),
    });
    if (result.interrupted) interrupted = true;
    if (result.errorInstance instanceof RunStopped) return null;
    if (!result.failed || !last) return null;
    const final = last as { c: GeneratedCase; ev: CaseEvaluation };
    return { c: final.c, ev: final.ev, steps, path: result.counterexamplePath ?? null };
  };

  const failRank = strict ? OUTCOME_RANK.inaccurate : OUTCOME_RANK.wrong;
  // stored counterexamples first, as a failure database: a case that failed before is tried before anything new
  let replayFailed = false;
  for (const named of options.replay ?? []) {
    const c = precision.precision === 'float32' ? roundToFloat32(named.case).case : named.case;
    const ev = await evaluate(c);
    if (!ev) {
      interrupted = true;
      break;
    }
    if (ev.fatal) {
      fatal = errorReport(ev.fatal, c);
      break;
    }
    record(classes, 'given', ev);
    if (ev.outcome !== 'correct') failures.push(failureReport(c, ev, 'given', ctx, { seed: null, path: null, file: named.name }, null, named.name));
    if (OUTCOME_RANK[ev.outcome] >= failRank) replayFailed = true;
  }
  if ((options.replay ?? []).length > 0) notes.push(`replayed ${options.replay!.length} stored counterexample(s) first${replayFailed ? ': one still fails, so no new case was generated' : ': all pass now'}`);
  const found = replayFailed || fatal || isAborted() ? null : await pass(failRank, 0);
  let stoppedEarly = false;
  if (found && !fatal) {
    stoppedEarly = casesRun < runs;
    failures.push(failureReport(found.c, found.ev, found.c.magnitude, ctx, { seed, path: found.path, file: null }, found.steps));
  }
  if (!found && !fatal && !replayFailed && !isAborted() && firstInaccurate >= 0) {
    const inaccurate = await pass(OUTCOME_RANK.inaccurate, firstInaccurate);
    if (inaccurate && !fatal) failures.push(failureReport(inaccurate.c, inaccurate.ev, inaccurate.c.magnitude, ctx, { seed, path: inaccurate.path, file: null }, inaccurate.steps));
  }
  if (shrinkStopped) notes.push(`shrinking stopped early, the implementation could not go on: ${shrinkStopped}`);
  if (differing.length > 0) notes.push(`the implementation gave different answers to the same case (${differing.length} of ${checked} cases checked twice)`);
  if (stoppedEarly) notes.push(`generation stopped at the first failing case (${casesRun} of ${runs} cases run), which was then shrunk`);
  if (isAborted()) notes.push(`interrupted (${String(options.signal!.reason ?? 'aborted')}): ${casesRun} of ${runs} cases were run; everything found so far is reported`);
  else if (interrupted) notes.push(`the time budget of ${options.timeBudgetSeconds} s ran out: ${casesRun} of ${runs} cases were run`);
  const verdict = fatal ? 'error' : verdictOf(classes);
  return finish({ verdict, description, precision, error: fatal, casesRun, interrupted, stoppedEarly });

  function finish(end: { verdict: VerifyReport['verdict']; description: Description; precision: ReturnType<typeof precisionOf>; error: ErrorReport | null; casesRun: number; interrupted: boolean; stoppedEarly: boolean }): VerifyReport {
    return {
      tool: 'backprop-oracle',
      verdict: end.verdict,
      exitCode: exitCodeOf(end.verdict, strict),
      strict,
      implementation: { label: iut.label, description: end.description, precision: end.precision.precision, precisionFrom: end.precision.from },
      mode: 'generated',
      seed,
      runs,
      shard: options.shard ?? null,
      casesRun: end.casesRun,
      interrupted: end.interrupted,
      stoppedEarly: end.stoppedEarly,
      classes,
      failures,
      nondeterminism: { checked, differing },
      error: end.error,
      notes,
      durationMs: performance.now() - started,
    };
  }
}
