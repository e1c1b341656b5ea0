import fc from 'fast-check';
import { OUTCOME_RANK } from '../compare/judge.js';
import type { Precision } from '../types.js';
import { caseArbitrary, type GeneratedCase, type GenerateOptions } from '../generate/index.js';
import { IutError } from '../iut/errors.js';
import type { Iut } from '../iut/types.js';
import { caseToJson } from '../network/json.js';
import type { Case, Description } from '../network/types.js';
import { createContext } from '../oracle/api.js';
import { DEFAULT_SHRINK_BUDGET_SECONDS, errorReport, precisionOf, roundToFloat32, settleReport, type NamedCase, type Progress, type VerifyOptions } from './run.js';
import { evaluateCase, judgedCase, type CaseEvaluation, type JudgedCase } from './evaluate.js';
import { judgedFailure } from './failure.js';
import type { ClassStats, ErrorReport, FailureReport, NondeterminismReport, VerifyReport, CaseOrigin } from './report.js';
import { caseSizeText, shrinkCase } from './shrinkCase.js';

export { DEFAULT_SHRINK_BUDGET_SECONDS, finalVerdict, settleReport, type Progress, type VerifyOptions } from './run.js';
import { record } from './stats.js';

/** Ends fast-check's loop at once, generating or shrinking; a counterexample found so far stands. */
function interruption(): fc.PreconditionFailure {
  return new fc.PreconditionFailure(true);
}

/**
 * The promise's value, 'aborted' as soon as the signal aborts, or 'late' at the deadline
 * (performance.now() milliseconds). Listener and timer are removed when the promise settles
 * (racing every case against one shared never-settling promise would keep every case alive:
 * Promise.race leaves its reaction on the losing promise).
 */
function until<T>(promise: Promise<T>, signal: AbortSignal | undefined, deadline: number): Promise<T | 'aborted' | 'late'> {
  if (signal?.aborted) return Promise.resolve('aborted');
  const left = deadline - performance.now();
  if (left <= 0) return Promise.resolve('late');
  if (!signal && !Number.isFinite(left)) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = Number.isFinite(left) ? setTimeout(() => resolve('late'), left) : undefined;
    const done = (): void => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    };
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
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

/** A failure found by fast-check or by the stored-case shrinker, as the engine keeps it. */
interface Found {
  readonly c: Case;
  readonly origin: CaseOrigin;
  readonly judged: JudgedCase;
  readonly steps: number;
  readonly path: string | null;
  readonly stopped: string | null;
}

/**
 * Verifies an implementation on generated cases. Every answer is judged against the oracle: the
 * first cases are asked twice (two answers that differ beyond the bound make the case wrong),
 * every shrink candidate, the stored counterexamples replayed first, and the smallest case found
 * is asked once more. The first case at or beyond the failing outcome (wrong; inaccurate too with
 * `strict`) stops generation and is shrunk by fast-check to the smallest case that still fails
 * (a stored case by a shrinker of its own), within the shrink budget and the time budget. Without
 * `strict`, the first inaccurate case is shrunk afterwards in a second pass over the same seed.
 * The verdict is the worst of everything reported; a run that judged no case is an error.
 */
export async function verifyGenerated(iut: Iut, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const { runs = 200, seed = 42, strict = false, maxLayers = 6, determinismChecks = 5 } = options;
  const shrinkBudgetSeconds = options.shrinkBudgetSeconds ?? DEFAULT_SHRINK_BUDGET_SECONDS;
  const ctx = createContext(options.digits ?? 50);
  const classes: Partial<Record<CaseOrigin, ClassStats>> = {};
  const failures: FailureReport[] = [];
  const differing: NondeterminismReport[] = [];
  const notes: string[] = [];
  let fatal: ErrorReport | null = null;
  let casesRun = 0;
  let casesReplayed = 0;
  let checked = 0;
  let interrupted = false;
  let timeRanOut = false;
  let firstInaccurate: { index: number; c: GeneratedCase; judged: JudgedCase } | null = null;
  let stoppedEarly = false;
  let description: Description;
  const base = { description: {} as Description, precision: { precision: options.precision ?? 'float64', from: 'default' } as ReturnType<typeof precisionOf> };
  if (options.shard && options.shard.index > runs && options.path === undefined) {
    const { index, count } = options.shard;
    return finish({ ...base, error: { code: 'E_NO_CASES', message: `shard ${index}/${count} of ${runs} run${runs === 1 ? '' : 's'} holds no case: use fewer shards or more runs`, case: null } });
  }
  try {
    description = await iut.describe();
  } catch (error) {
    return finish({ ...base, error: errorReport(error, null) });
  }
  const precision = precisionOf(description, options.precision);
  const generation = generationFor(description, precision.precision, maxLayers);
  if (precision.precision === 'float32') notes.push('float32 implementation: generated weights, inputs and targets are float32 numbers, and values are judged by float32 bounds');
  const arbitrary = caseArbitrary(generation);
  const isAborted = (): boolean => options.signal?.aborted === true;
  const deadline = options.timeBudgetSeconds !== undefined ? started + options.timeBudgetSeconds * 1000 : Number.POSITIVE_INFINITY;
  const budgetText = (kind: 'shrink' | 'time', steps: number): string =>
    `the ${kind} budget of ${kind === 'shrink' ? shrinkBudgetSeconds : options.timeBudgetSeconds} s ran out after ${steps} step${steps === 1 ? '' : 's'}`;

  /** One answer judged, unless the run is stopped ('aborted') or the deadline passes ('late') first. Throws what the oracle throws. */
  const evaluate = async (c: Case, until_: number): Promise<CaseEvaluation | 'aborted' | 'late'> => until(evaluateCase(iut, c, precision.precision, ctx), options.signal, until_);
  /** A case asked once, or twice: every answer judged. */
  const ask = async (c: Case, twice: boolean, until_: number): Promise<JudgedCase | 'aborted' | 'late' | { fatal: IutError }> => {
    const first = await evaluate(c, until_);
    if (typeof first === 'string') return first;
    if (first.fatal) return { fatal: first.fatal };
    if (!twice) return judgedCase(first);
    const second = await evaluate(c, until_);
    if (typeof second === 'string') return second;
    if (second.fatal) return { fatal: second.fatal };
    return judgedCase(first, second);
  };
  /** Keeps a differing pair of answers for the report. */
  const noteRepeat = (c: Case, judged: JudgedCase): void => {
    if (judged.repeat) differing.push({ ...judged.repeat, case: caseToJson(c) });
  };

  const progress = (phase: Progress['phase'], shrink?: Progress['shrink']): void => {
    const counted = Object.values(classes);
    options.onProgress?.({
      phase, done: casesRun, total: runs,
      wrong: counted.reduce((n, s) => n + s.wrong, 0), inaccurate: counted.reduce((n, s) => n + s.inaccurate, 0),
      elapsedMs: performance.now() - started, shrinkSteps: shrink?.steps ?? 0, ...(shrink ? { shrink } : {}),
    });
  };

  /** The deadline of a shrink starting now, and what it is called when it passes. */
  const shrinkWindow = (): { until: number; reason: (steps: number) => string } => {
    const own = performance.now() + shrinkBudgetSeconds * 1000;
    return own <= deadline ? { until: own, reason: (steps) => budgetText('shrink', steps) } : { until: deadline, reason: (steps) => budgetText('time', steps) };
  };

  /**
   * One pass of fast-check: the shrunk counterexample of the first case at `failRank` or beyond.
   * `skipBefore` > 0 (the second pass): the cases before it are drawn but not run, the one at it is
   * run and shrunk, none after it.
   */
  const pass = async (initialRank: number, skipBefore: number): Promise<Found | null> => {
    let failRank = initialRank;
    let index = -1;
    let shrinking = false;
    let repeatShrink = false;
    let steps = 0;
    let window = { until: deadline, reason: (n: number): string => budgetText('time', n) };
    let stopped: string | null = null;
    let best: { c: GeneratedCase; judged: JudgedCase } | null = null;
    // while shrinking, fast-check offers the same case many times (a change to a number the case
    // does not use): a case already judged is not asked again, its answers stand
    const seen = new Map<string, JudgedCase>();
    const what = (): string => `case ${index + 1} (${best?.c.magnitude ?? ''})`;
    const property = fc.asyncProperty(arbitrary, async (c) => {
      if (fatal) throw interruption();
      if (isAborted()) {
        interrupted = true;
        stopped ??= shrinking ? 'the run was interrupted' : null;
        throw interruption();
      }
      if (!shrinking) {
        index += 1;
        if (index < skipBefore) return true;
        if (skipBefore > 0 && index > skipBefore) throw interruption();
        if (options.shard && index % options.shard.count !== options.shard.index - 1) return true;
        if (performance.now() >= deadline) {
          interrupted = timeRanOut = true;
          throw interruption();
        }
      } else {
        if (performance.now() >= window.until) {
          stopped ??= window.reason(steps);
          throw interruption();
        }
        steps += 1;
      }
      let judged: Awaited<ReturnType<typeof ask>> | undefined;
      const twice = shrinking ? repeatShrink : skipBefore === 0 && checked < determinismChecks;
      const key = shrinking ? JSON.stringify(caseToJson(c)) : '';
      try {
        judged = shrinking ? seen.get(key) : undefined;
        judged ??= await ask(c, twice, shrinking ? window.until : deadline);
      } catch (error) {
        // the oracle or the judge could not judge this case: the verifier's failure, not the implementation's
        fatal = errorReport(error, c, shrinking ? `could not judge ${what()} while shrinking it (step ${steps})` : `could not judge case ${index + 1} (${c.magnitude})`);
        throw interruption();
      }
      if (judged === 'aborted' || judged === 'late') {
        if (judged === 'aborted') interrupted = true;
        if (shrinking) stopped ??= judged === 'late' ? window.reason(steps) : 'the run was interrupted';
        else if (judged === 'late') interrupted = timeRanOut = true;
        throw interruption();
      }
      if ('fatal' in judged) {
        // while shrinking, a dead implementation only ends the shrinking: the case found stands
        if (shrinking) stopped ??= `the implementation could not go on: ${judged.fatal.message}`;
        else fatal = errorReport(judged.fatal, c);
        throw interruption();
      }
      let fails: boolean;
      if (shrinking) seen.set(key, judged);
      if (!shrinking) {
        if (skipBefore === 0) {
          casesRun += 1;
          record(classes, c.magnitude, judged.ev);
          if (twice) {
            checked += 1;
            noteRepeat(c, judged);
          }
          if (judged.outcome === 'inaccurate' && !firstInaccurate) firstInaccurate = { index, c, judged };
          progress('generate');
        }
        fails = OUTCOME_RANK[judged.outcome] >= failRank;
        if (fails) {
          shrinking = true;
          seen.set(JSON.stringify(caseToJson(c)), judged);
          // a case wrong only because its two answers differ is shrunk to the smallest case whose answers differ
          repeatShrink = judged.repeat?.beyondBound === true;
          // the case shrunk is as bad as this one: a wrong case found under --strict shrinks to a wrong one
          if (!repeatShrink && OUTCOME_RANK[judged.outcome] > failRank) failRank = OUTCOME_RANK[judged.outcome];
          window = shrinkWindow();
        }
      } else {
        // every shrink step is judged: a worse outcome than the one being shrunk raises the bar
        if (!repeatShrink && OUTCOME_RANK[judged.outcome] > failRank) failRank = OUTCOME_RANK[judged.outcome];
        fails = repeatShrink ? judged.repeat?.beyondBound === true : OUTCOME_RANK[judged.outcome] >= failRank;
      }
      if (fails) best = { c, judged };
      if (shrinking && best) progress('shrink', { steps, best: caseSizeText(best.c), leftMs: Math.max(0, window.until - performance.now()) });
      return !fails;
    });
    const result = await fc.check(property, { seed, numRuns: runs, ...(options.path !== undefined ? { path: options.path } : {}) });
    if (!best) return null;
    const found = best as { c: GeneratedCase; judged: JudgedCase };
    return { c: found.c, origin: found.c.magnitude, judged: found.judged, steps, path: result.counterexamplePath ?? null, stopped };
  };

  /** Shrinks a stored case that still fails, with the shrinker of its own (a stored case is no fast-check value). */
  const shrinkStored = async (c: Case, judged: JudgedCase, failRank: number, name: string): Promise<Found> => {
    const window = shrinkWindow();
    let best = judged;
    let rank = Math.max(failRank, OUTCOME_RANK[judged.outcome]);
    const repeatShrink = judged.repeat?.beyondBound === true;
    let stopped: string | null = null;
    let steps = 0;
    const shrunk = await shrinkCase(c, async (candidate) => {
      if (fatal) return 'stop';
      if (isAborted()) {
        interrupted = true;
        stopped ??= 'the run was interrupted';
        return 'stop';
      }
      if (performance.now() >= window.until) {
        stopped ??= window.reason(steps);
        return 'stop';
      }
      steps += 1;
      let answer: Awaited<ReturnType<typeof ask>>;
      try {
        answer = await ask(candidate, repeatShrink, window.until);
      } catch (error) {
        fatal = errorReport(error, candidate, `could not judge the stored case ${name} while shrinking it (step ${steps})`);
        return 'stop';
      }
      if (answer === 'aborted' || answer === 'late') {
        if (answer === 'aborted') interrupted = true;
        stopped ??= answer === 'late' ? window.reason(steps) : 'the run was interrupted';
        return 'stop';
      }
      if ('fatal' in answer) {
        stopped ??= `the implementation could not go on: ${answer.fatal.message}`;
        return 'stop';
      }
      if (!repeatShrink && OUTCOME_RANK[answer.outcome] > rank) rank = OUTCOME_RANK[answer.outcome];
      const fails = repeatShrink ? answer.repeat?.beyondBound === true : OUTCOME_RANK[answer.outcome] >= rank;
      if (fails) best = answer;
      return fails;
    }, {
      float32: precision.precision === 'float32',
      ...(generation.reductions ? { reductions: generation.reductions } : {}),
      onStep: (n, current) => progress('shrink', { steps: n, best: caseSizeText(current), leftMs: Math.max(0, window.until - performance.now()) }),
    });
    return { c: shrunk.case, origin: 'given', judged: best, steps: shrunk.steps, path: null, stopped: stopped ?? (shrunk.stopped ? `the shrinker's limit of ${shrunk.steps} steps was reached` : null) };
  };

  /**
   * The smallest case is asked once more: an implementation that keeps state between calls
   * answers it differently, and the report then shows both answers. Skipped once the run is
   * stopped, the implementation gone, or the time budget spent.
   */
  const confirm = async (found: Found): Promise<Found> => {
    if (found.judged.second || fatal || isAborted() || performance.now() >= deadline) return found;
    let again: Awaited<ReturnType<typeof ask>>;
    try {
      again = await ask(found.c, false, deadline);
    } catch {
      return found; // judged once already: the oracle that judged it will judge it the same way
    }
    if (typeof again === 'string' || 'fatal' in again) return found;
    const judged = judgedCase(found.judged.first, again.first);
    noteRepeat(found.c, judged);
    return { ...found, judged };
  };

  const report = (found: Found, name: string | null): void => {
    const replay = { seed: found.origin === 'given' ? null : seed, path: found.path, file: null };
    failures.push(judgedFailure(found.c, found.judged, found.origin, ctx, replay, found.steps, { name, shrinkStopped: found.stopped }));
    if (found.stopped) notes.push(`shrinking stopped early: ${found.stopped}; the case shown is the smallest found so far`);
  };

  const failRank = strict ? OUTCOME_RANK.inaccurate : OUTCOME_RANK.wrong;
  // stored counterexamples first, as a failure database: a case that failed before is tried before anything new
  let replayFailed: { named: NamedCase; c: Case; judged: JudgedCase } | null = null;
  const unshrunk: { named: NamedCase; c: Case; judged: JudgedCase }[] = [];
  for (const named of options.replay ?? []) {
    if (performance.now() >= deadline) {
      interrupted = timeRanOut = true;
      break;
    }
    const c = precision.precision === 'float32' ? roundToFloat32(named.case).case : named.case;
    let judged: Awaited<ReturnType<typeof ask>>;
    try {
      judged = await ask(c, false, deadline);
    } catch (error) {
      fatal = errorReport(error, c, `could not judge the stored case ${named.name}`);
      break;
    }
    if (judged === 'aborted' || judged === 'late') {
      interrupted = true;
      if (judged === 'late') timeRanOut = true;
      break;
    }
    if ('fatal' in judged) {
      fatal = errorReport(judged.fatal, c);
      break;
    }
    casesReplayed += 1;
    record(classes, 'given', judged.ev);
    progress('generate');
    if (!replayFailed && OUTCOME_RANK[judged.outcome] >= failRank) replayFailed = { named, c, judged };
    else if (judged.outcome !== 'correct') unshrunk.push({ named, c, judged });
  }
  if (replayFailed && !fatal) {
    const found = await confirm(await shrinkStored(replayFailed.c, replayFailed.judged, failRank, replayFailed.named.name));
    if (!fatal) report(found, replayFailed.named.name);
  }
  for (const u of unshrunk) failures.push(judgedFailure(u.c, u.judged, 'given', ctx, { seed: null, path: null, file: u.named.name }, null, { name: u.named.name }));
  if ((options.replay ?? []).length > 0) notes.push(`replayed ${casesReplayed}${casesReplayed < options.replay!.length ? ` of ${options.replay!.length}` : ''} stored counterexample(s) first${replayFailed ? ': one still fails, so no new case was generated' : ': all pass now'}`);
  if (!replayFailed && !fatal && !isAborted() && !timeRanOut) {
    const found = await pass(failRank, 0);
    if (found && !fatal) {
      stoppedEarly = casesRun < runs;
      report(await confirm(found), null);
    }
    const inaccurate = firstInaccurate as { index: number; c: GeneratedCase; judged: JudgedCase } | null;
    if (!found && !fatal && !isAborted() && inaccurate) {
      let shrunk: Found | null = null;
      if (performance.now() < deadline) shrunk = await pass(OUTCOME_RANK.inaccurate, inaccurate.index);
      // the second pass could not run (the time budget) or the implementation answered differently: the case as first found
      shrunk ??= { c: inaccurate.c, origin: inaccurate.c.magnitude, judged: inaccurate.judged, steps: 0, path: null, stopped: performance.now() >= deadline ? budgetText('time', 0) : null };
      if (!fatal) report(await confirm(shrunk), null);
    }
  }
  const beyond = differing.filter((d) => d.beyondBound).length;
  if (differing.length > beyond) notes.push(`the implementation gave different answers to the same case, within the bound (${differing.length - beyond} time(s); ${checked} cases checked twice)`);
  if (stoppedEarly) notes.push(`generation stopped at the first failing case (${casesRun} of ${runs} cases run), which was then shrunk`);
  if (isAborted()) notes.push(`interrupted (${String(options.signal!.reason ?? 'aborted')}): ${casesRun} of ${runs} cases were run; everything found so far is reported`);
  else if (timeRanOut) notes.push(`the time budget of ${options.timeBudgetSeconds} s ran out: ${casesRun} of ${runs} cases were run`);
  if (!fatal && casesRun + casesReplayed === 0) {
    // a run that judged nothing is not a pass
    const why = isAborted()
      ? `interrupted (${String(options.signal!.reason ?? 'aborted')}) before the first case`
      : timeRanOut
        ? `the time budget of ${options.timeBudgetSeconds} s ran out before the first case`
        : options.shard
          ? `shard ${options.shard.index}/${options.shard.count} of ${runs} runs judged no case${options.path !== undefined ? ` (the case of --path ${options.path} belongs to another shard)` : ''}`
          : 'no case was judged';
    fatal = { code: 'E_NO_CASES', message: why, case: null };
  }
  return finish({ description, precision, error: fatal });

  function finish(end: { description: Description; precision: ReturnType<typeof precisionOf>; error: ErrorReport | null }): VerifyReport {
    return settleReport({
      tool: 'backprop-oracle',
      verdict: 'correct',
      exitCode: 0,
      strict,
      implementation: { label: iut.label, description: end.description, precision: end.precision.precision, precisionFrom: end.precision.from },
      mode: 'generated',
      seed,
      runs,
      shard: options.shard ?? null,
      casesRun,
      casesReplayed,
      interrupted: interrupted || timeRanOut,
      stoppedEarly,
      classes,
      failures,
      nondeterminism: { checked, differing },
      error: end.error,
      notes,
      durationMs: performance.now() - started,
    });
  }
}
