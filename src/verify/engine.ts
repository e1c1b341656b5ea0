import fc from 'fast-check';
import { OUTCOME_RANK } from '../compare/judge.js';
import type { Precision } from '../types.js';
import { caseArbitrary, type GeneratedCase, type GenerateOptions } from '../generate/index.js';
import { IutError } from '../iut/errors.js';
import type { Iut } from '../iut/types.js';
import { caseToJson } from '../network/json.js';
import type { Case, Description } from '../network/types.js';
import { declaredFamilies, DEFAULT_SHRINK_BUDGET_SECONDS, errorReport, RunRecord, undeclaredError, undeclaredIn, type NamedCase, type Progress, type VerifyOptions } from './run.js';
import { ACTIVATION_NAMES, isVersion1, LOSS_NAMES, type ActivationName, type LossName } from '../network/types.js';
import { evaluateCase, judgedCase, type CaseEvaluation, type JudgedCase } from './evaluate.js';
import { judgedFailure } from './failure.js';
import type { ErrorReport, NondeterminismReport, VerifyReport, CaseOrigin } from './report.js';
import { caseSizeText, shrinkCase } from './shrinkCase.js';

export { DEFAULT_SHRINK_BUDGET_SECONDS, finalVerdict, settleReport, type Progress, type VerifyOptions } from './run.js';

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

/** The generation restrictions of a run (`--activations`, `--losses`): each absent means everything the implementation declares. */
export interface FamilyRestriction {
  readonly activations?: readonly ActivationName[];
  readonly losses?: readonly LossName[];
}

/**
 * The implementation's description, with the generation options it implies: its activations and
 * losses (none declared: version 1's sigmoid / bce) intersected with `restrict`, in the
 * protocol's order (generation shrinks toward the first).
 *
 * @throws RangeError (code E_FAMILY) naming what is left when the intersection admits no valid network.
 */
export function generationFor(description: Description, precision: Precision, maxLayers: number, restrict: FamilyRestriction = {}): Partial<GenerateOptions> {
  const layers = Math.min(maxLayers, description.maxLayers ?? maxLayers);
  const declared = declaredFamilies(description);
  const activations = ACTIVATION_NAMES.filter((a) => declared.activations.includes(a) && (restrict.activations?.includes(a) ?? true));
  const losses = LOSS_NAMES.filter((l) => declared.losses.includes(l) && (restrict.losses?.includes(l) ?? true));
  const options: Partial<GenerateOptions> = {
    maxLayers: Math.max(1, layers),
    bias: description.bias === false ? false : 'any',
    reductions: description.reductions && description.reductions.length > 0 ? description.reductions : ['sum', 'mean'],
    float32: precision === 'float32',
    activations,
    losses,
  };
  const what = `the implementation declares activations ${declared.activations.join(', ')} and losses ${declared.losses.join(', ')}`;
  const asked = [restrict.activations ? `--activations ${restrict.activations.join(',')}` : null, restrict.losses ? `--losses ${restrict.losses.join(',')}` : null].filter((x) => x !== null).join(' and ');
  const fail = (why: string): never => {
    const leave = restrict.activations && restrict.losses ? 'leave' : 'leaves';
    throw Object.assign(new RangeError(`nothing to generate: ${what}${asked ? `; ${asked} ${leave} ${why}` : `: ${why}`}`), { code: 'E_FAMILY' });
  };
  if (activations.length === 0) fail('no activation');
  if (losses.length === 0) fail('no loss');
  try {
    caseArbitrary(options);
  } catch (error) {
    if (error instanceof RangeError) fail(`activations ${activations.join(', ')} with losses ${losses.join(', ')}, which admit no valid network (${error.message})`);
    throw error;
  }
  return options;
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
  return new GeneratedRun(iut, options).run();
}

type Asked = JudgedCase | 'aborted' | 'late' | { fatal: IutError };

/** The state of one fast-check pass (see `GeneratedRun.pass`). */
interface PassState {
  failRank: number;
  readonly skipBefore: number;
  index: number;
  shrinking: boolean;
  repeatShrink: boolean;
  steps: number;
  window: { until: number; reason: (steps: number) => string };
  stopped: string | null;
  best: { c: GeneratedCase; judged: JudgedCase } | null;
  /**
   * While shrinking, fast-check offers the same case many times (a change to a number the case
   * does not use): a case already judged is not asked again, its answers stand.
   */
  readonly seen: Map<string, JudgedCase>;
}

/** A run on generated cases: the skeleton's record, and what generating, replaying and shrinking keep. */
class GeneratedRun {
  private readonly run_: RunRecord;
  private readonly runs: number;
  private readonly seed: number;
  private readonly determinismChecks: number;
  private readonly shrinkBudgetSeconds: number;
  private readonly deadline: number;
  private readonly differing: NondeterminismReport[] = [];
  private casesReplayed = 0;
  private checked = 0;
  private interrupted = false;
  private timeRanOut = false;
  private stoppedEarly = false;
  private firstInaccurate: { index: number; c: GeneratedCase; judged: JudgedCase } | null = null;
  private generation: Partial<GenerateOptions> = {};
  private arbitrary: fc.Arbitrary<GeneratedCase> | null = null;

  constructor(
    iut: Iut,
    private readonly options: VerifyOptions,
  ) {
    this.run_ = new RunRecord(iut, options);
    // until the implementation has described itself, the report says the precision is the default's
    this.run_.precisionFrom = 'default';
    this.runs = options.runs ?? 200;
    this.seed = options.seed ?? 42;
    this.determinismChecks = options.determinismChecks ?? 5;
    this.shrinkBudgetSeconds = options.shrinkBudgetSeconds ?? DEFAULT_SHRINK_BUDGET_SECONDS;
    this.deadline = options.timeBudgetSeconds !== undefined ? this.run_.started + options.timeBudgetSeconds * 1000 : Number.POSITIVE_INFINITY;
  }

  private get fatal(): ErrorReport | null {
    return this.run_.error;
  }

  private set fatal(error: ErrorReport | null) {
    this.run_.error = error;
  }

  async run(): Promise<VerifyReport> {
    const { options, runs } = this;
    if (options.shard && options.shard.index > runs && options.path === undefined) {
      const { index, count } = options.shard;
      this.fatal = { code: 'E_NO_CASES', message: `shard ${index}/${count} of ${runs} run${runs === 1 ? '' : 's'} holds no case: use fewer shards or more runs`, case: null };
      return this.finish();
    }
    try {
      await this.run_.open();
    } catch (error) {
      this.fatal = errorReport(error, null);
      return this.finish();
    }
    try {
      this.generation = generationFor(this.run_.description, this.run_.precision, options.maxLayers ?? 6, { activations: options.activations, losses: options.losses });
      const d = this.run_.description;
      if (options.activations || options.losses || d.activations || d.losses) {
        this.run_.notes.push(`generated networks of the activations ${this.generation.activations!.join(', ')} and the losses ${this.generation.losses!.join(', ')}${options.activations || options.losses ? ' (what the implementation declares, restricted by the options)' : ' (what the implementation declares)'}`);
      }
    } catch (error) {
      this.fatal = errorReport(error, null);
      return this.finish();
    }
    if (this.run_.precision === 'float32') this.run_.notes.push('float32 implementation: generated weights, inputs and targets are float32 numbers, and values are judged by float32 bounds');
    this.arbitrary = caseArbitrary(this.generation);
    const failRank = options.strict ? OUTCOME_RANK.inaccurate : OUTCOME_RANK.wrong;
    // stored counterexamples first, as a failure database: a case that failed before is tried before anything new
    const replayFailed = await this.replayStored(failRank);
    if (!replayFailed && !this.fatal && !this.isAborted() && !this.timeRanOut) await this.generate(failRank);
    this.closingNotes();
    return this.finish();
  }

  private finish(): VerifyReport {
    const { options } = this;
    return this.run_.report({
      mode: 'generated', seed: this.seed, runs: this.runs, shard: options.shard ?? null, casesReplayed: this.casesReplayed,
      interrupted: this.interrupted || this.timeRanOut, stoppedEarly: this.stoppedEarly, nondeterminism: { checked: this.checked, differing: this.differing },
    });
  }

  private isAborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  private budgetText(kind: 'shrink' | 'time', steps: number): string {
    return `the ${kind} budget of ${kind === 'shrink' ? this.shrinkBudgetSeconds : this.options.timeBudgetSeconds} s ran out after ${steps} step${steps === 1 ? '' : 's'}`;
  }

  /** One answer judged, unless the run is stopped ('aborted') or the deadline passes ('late') first. Throws what the oracle throws. */
  private evaluate(c: Case, until_: number): Promise<CaseEvaluation | 'aborted' | 'late'> {
    return until(evaluateCase(this.run_.iut, c, this.run_.precision, this.run_.ctx, this.run_.kink), this.options.signal, until_);
  }

  /** A case asked once, or twice: every answer judged. */
  private async ask(c: Case, twice: boolean, until_: number): Promise<Asked> {
    const first = await this.evaluate(c, until_);
    if (typeof first === 'string') return first;
    if (first.fatal) return { fatal: first.fatal };
    if (!twice) return judgedCase(first);
    const second = await this.evaluate(c, until_);
    if (typeof second === 'string') return second;
    if (second.fatal) return { fatal: second.fatal };
    return judgedCase(first, second);
  }

  /** Keeps a differing pair of answers for the report. */
  private noteRepeat(c: Case, judged: JudgedCase): void {
    if (judged.repeat) this.differing.push({ ...judged.repeat, case: caseToJson(c) });
  }

  private progress(phase: Progress['phase'], shrink?: Progress['shrink']): void {
    const { wrong, inaccurate } = this.run_.counts();
    this.options.onProgress?.({
      phase, done: this.run_.casesRun, total: this.runs, wrong, inaccurate,
      elapsedMs: performance.now() - this.run_.started, shrinkSteps: shrink?.steps ?? 0, ...(shrink ? { shrink } : {}),
    });
  }

  /** The deadline of a shrink starting now, and what it is called when it passes. */
  private shrinkWindow(): { until: number; reason: (steps: number) => string } {
    const own = performance.now() + this.shrinkBudgetSeconds * 1000;
    return own <= this.deadline ? { until: own, reason: (steps) => this.budgetText('shrink', steps) } : { until: this.deadline, reason: (steps) => this.budgetText('time', steps) };
  }

  /** The stored counterexamples replayed; the first that still fails is shrunk and reported (the others are reported as they are). */
  private async replayStored(failRank: number): Promise<boolean> {
    const replay = this.options.replay ?? [];
    let replayFailed: { named: NamedCase; c: Case; judged: JudgedCase } | null = null;
    const unshrunk: { named: NamedCase; c: Case; judged: JudgedCase }[] = [];
    for (const named of replay) {
      const judged = await this.replayOne(named);
      if (!judged) break;
      if (!replayFailed && OUTCOME_RANK[judged.judged.outcome] >= failRank) replayFailed = judged;
      else if (judged.judged.outcome !== 'correct') unshrunk.push(judged);
    }
    if (replayFailed && !this.fatal) {
      const found = await this.confirm(await this.shrinkStored(replayFailed.c, replayFailed.judged, failRank, replayFailed.named.name));
      if (!this.fatal) this.report(found, replayFailed.named.name);
    }
    for (const u of unshrunk) this.run_.failures.push(judgedFailure(u.c, u.judged, 'given', this.run_.ctx, { seed: null, path: null, file: u.named.name }, null, { name: u.named.name }));
    if (replay.length > 0) this.run_.notes.push(`replayed ${this.casesReplayed}${this.casesReplayed < replay.length ? ` of ${replay.length}` : ''} stored counterexample(s) first${replayFailed ? ': one still fails, so no new case was generated' : this.fatal ? ': the replay stopped at an error' : unshrunk.length > 0 ? ': none fails at the failing level now' : ': all pass now'}`);
    return replayFailed !== null;
  }

  /** One stored case judged and counted; null when the run must stop. */
  private async replayOne(named: NamedCase): Promise<{ named: NamedCase; c: Case; judged: JudgedCase } | null> {
    if (performance.now() >= this.deadline) {
      this.interrupted = this.timeRanOut = true;
      return null;
    }
    const c = this.run_.caseFor(named.case).case;
    // a stored case of a family the implementation did not declare is an error, never sent
    const lacks = undeclaredIn(c.network, this.run_.declared);
    if (lacks) {
      this.fatal = undeclaredError(named.name, lacks, c);
      return null;
    }
    let judged: Asked;
    try {
      judged = await this.ask(c, false, this.deadline);
    } catch (error) {
      this.fatal = errorReport(error, c, `could not judge the stored case ${named.name}`);
      return null;
    }
    if (judged === 'aborted' || judged === 'late') {
      this.interrupted = true;
      if (judged === 'late') this.timeRanOut = true;
      return null;
    }
    if ('fatal' in judged) {
      this.fatal = errorReport(judged.fatal, c);
      return null;
    }
    this.casesReplayed += 1;
    this.run_.record('given', judged.ev);
    this.progress('generate');
    return { named, c, judged };
  }

  /** Generated cases: the first failing one shrunk and reported; without strict, the first inaccurate one shrunk in a second pass. */
  private async generate(failRank: number): Promise<void> {
    const found = await this.pass(failRank, 0);
    if (found && !this.fatal) {
      this.stoppedEarly = this.run_.casesRun < this.runs;
      this.report(await this.confirm(await this.shrinkFurther(found, failRank)), null);
    }
    const inaccurate = this.firstInaccurate;
    if (found || this.fatal || this.isAborted() || !inaccurate) return;
    let shrunk: Found | null = null;
    if (performance.now() < this.deadline) shrunk = await this.pass(OUTCOME_RANK.inaccurate, inaccurate.index);
    // the second pass could not run (the time budget) or the implementation answered differently: the case as first found
    shrunk ??= { c: inaccurate.c, origin: inaccurate.c.magnitude, judged: inaccurate.judged, steps: 0, path: null, stopped: performance.now() >= this.deadline ? this.budgetText('time', 0) : null };
    if (!this.fatal) this.report(await this.confirm(await this.shrinkFurther(shrunk, OUTCOME_RANK.inaccurate)), null);
  }

  /**
   * A version-2 case fast-check has shrunk, shrunk further by the case shrinker: fast-check drops
   * layers from the top only, so a hidden layer below the one a failure needs stays (sigmoid,
   * relu, softmax where relu, softmax fails); the case shrinker drops the first layer too, and
   * simplifies activations. The fast-check path then no longer gives the case (the saved file
   * does). Version-1 cases are left as fast-check shrank them (their pinned counterexamples).
   */
  private async shrinkFurther(found: Found, failRank: number): Promise<Found> {
    if (found.stopped || isVersion1(found.c.network) || this.fatal || this.isAborted() || performance.now() >= this.deadline) return found;
    const more = await this.shrinkStored(found.c, found.judged, failRank, 'found');
    if (more.c === found.c) return found;
    return { ...found, c: more.c, judged: more.judged, steps: found.steps + more.steps, path: null, stopped: more.stopped };
  }

  private closingNotes(): void {
    const { options, runs, differing, run_: run } = this;
    const notes = run.notes;
    const beyond = differing.filter((d) => d.beyondBound).length;
    if (differing.length > beyond) notes.push(`the implementation gave different answers to the same case, within the bound (${differing.length - beyond} time(s); ${this.checked} cases checked twice)`);
    if (this.stoppedEarly) notes.push(`generation stopped at the first failing case (${run.casesRun} of ${runs} cases run), which was then shrunk`);
    if (this.isAborted()) notes.push(`interrupted (${String(options.signal!.reason ?? 'aborted')}): ${run.casesRun} of ${runs} cases were run; everything found so far is reported`);
    else if (this.timeRanOut) notes.push(`the time budget of ${options.timeBudgetSeconds} s ran out: ${run.casesRun} of ${runs} cases were run`);
    if (this.fatal || run.casesRun + this.casesReplayed > 0) return;
    // a run that judged nothing is not a pass
    const why = this.isAborted()
      ? `interrupted (${String(options.signal!.reason ?? 'aborted')}) before the first case`
      : this.timeRanOut
        ? `the time budget of ${options.timeBudgetSeconds} s ran out before the first case`
        : options.shard
          ? `shard ${options.shard.index}/${options.shard.count} of ${runs} runs judged no case${options.path !== undefined ? ` (the case of --path ${options.path} belongs to another shard)` : ''}`
          : 'no case was judged';
    this.fatal = { code: 'E_NO_CASES', message: why, case: null };
  }

  /**
   * One pass of fast-check: the shrunk counterexample of the first case at `failRank` or beyond.
   * `skipBefore` > 0 (the second pass): the cases before it are drawn but not run, the one at it is
   * run and shrunk, none after it.
   */
  private async pass(initialRank: number, skipBefore: number): Promise<Found | null> {
    const state: PassState = {
      failRank: initialRank, skipBefore, index: -1, shrinking: false, repeatShrink: false, steps: 0,
      window: { until: this.deadline, reason: (n: number): string => this.budgetText('time', n) }, stopped: null, best: null, seen: new Map(),
    };
    const property = fc.asyncProperty(this.arbitrary!, (c) => this.step(state, c));
    const result = await fc.check(property, { seed: this.seed, numRuns: this.runs, ...(this.options.path !== undefined ? { path: this.options.path } : {}) });
    const best = state.best as PassState['best'];
    if (!best) return null;
    return { c: best.c, origin: best.c.magnitude, judged: best.judged, steps: state.steps, path: result.counterexamplePath ?? null, stopped: state.stopped };
  }

  /** Whether fast-check's next case is run: true to run it, false to pass it over; throws the interruption to stop. */
  private admit(state: PassState): boolean {
    if (this.fatal) throw interruption();
    if (this.isAborted()) {
      this.interrupted = true;
      state.stopped ??= state.shrinking ? 'the run was interrupted' : null;
      throw interruption();
    }
    if (!state.shrinking) {
      state.index += 1;
      if (state.index < state.skipBefore) return false;
      if (state.skipBefore > 0 && state.index > state.skipBefore) throw interruption();
      if (this.options.shard && state.index % this.options.shard.count !== this.options.shard.index - 1) return false;
      if (performance.now() >= this.deadline) {
        this.interrupted = this.timeRanOut = true;
        throw interruption();
      }
    } else {
      if (performance.now() >= state.window.until) {
        state.stopped ??= state.window.reason(state.steps);
        throw interruption();
      }
      state.steps += 1;
    }
    return true;
  }

  /** The property fast-check checks: one case judged; false when it fails at the pass's rank. */
  private async step(state: PassState, c: GeneratedCase): Promise<boolean> {
    if (!this.admit(state)) return true;
    const twice = state.shrinking ? state.repeatShrink : state.skipBefore === 0 && this.checked < this.determinismChecks;
    const key = state.shrinking ? JSON.stringify(caseToJson(c)) : '';
    let judged: Asked | undefined;
    try {
      judged = state.shrinking ? state.seen.get(key) : undefined;
      judged ??= await this.ask(c, twice, state.shrinking ? state.window.until : this.deadline);
    } catch (error) {
      // the oracle or the judge could not judge this case: the verifier's failure, not the implementation's
      const what = `case ${state.index + 1} (${state.best?.c.magnitude ?? ''})`;
      this.fatal = errorReport(error, c, state.shrinking ? `could not judge ${what} while shrinking it (step ${state.steps})` : `could not judge case ${state.index + 1} (${c.magnitude})`);
      throw interruption();
    }
    const answer = this.answered(state, judged, c);
    if (state.shrinking) state.seen.set(key, answer);
    const fails = state.shrinking ? this.weighShrinkStep(state, answer) : this.weighGenerated(state, c, answer, twice);
    if (fails) state.best = { c, judged: answer };
    if (state.shrinking && state.best) this.progress('shrink', { steps: state.steps, best: caseSizeText(state.best.c), leftMs: Math.max(0, state.window.until - performance.now()) });
    return !fails;
  }

  /** A judged answer, or the interruption when the run stops, the deadline passes or the implementation is gone. */
  private answered(state: PassState, judged: Asked, c: GeneratedCase): JudgedCase {
    if (judged === 'aborted' || judged === 'late') {
      if (judged === 'aborted') this.interrupted = true;
      if (state.shrinking) state.stopped ??= judged === 'late' ? state.window.reason(state.steps) : 'the run was interrupted';
      else if (judged === 'late') this.interrupted = this.timeRanOut = true;
      throw interruption();
    }
    if ('fatal' in judged) {
      // while shrinking, a dead implementation only ends the shrinking: the case found stands
      if (state.shrinking) state.stopped ??= `the implementation could not go on: ${judged.fatal.message}`;
      else this.fatal = errorReport(judged.fatal, c);
      throw interruption();
    }
    return judged;
  }

  /** A generated case (not a shrink step): counted (in the first pass), and whether it fails, which starts the shrinking. */
  private weighGenerated(state: PassState, c: GeneratedCase, judged: JudgedCase, twice: boolean): boolean {
    if (state.skipBefore === 0) {
      this.run_.casesRun += 1;
      this.run_.record(c.magnitude, judged.ev);
      if (twice) {
        this.checked += 1;
        this.noteRepeat(c, judged);
      }
      if (judged.outcome === 'inaccurate' && !this.firstInaccurate) this.firstInaccurate = { index: state.index, c, judged };
      this.progress('generate');
    }
    const fails = OUTCOME_RANK[judged.outcome] >= state.failRank;
    if (fails) {
      state.shrinking = true;
      state.seen.set(JSON.stringify(caseToJson(c)), judged);
      // a case wrong only because its two answers differ is shrunk to the smallest case whose answers differ
      state.repeatShrink = judged.repeat?.beyondBound === true;
      // the case shrunk is as bad as this one: a wrong case found under --strict shrinks to a wrong one
      if (!state.repeatShrink && OUTCOME_RANK[judged.outcome] > state.failRank) state.failRank = OUTCOME_RANK[judged.outcome];
      state.window = this.shrinkWindow();
    }
    return fails;
  }

  /** A shrink step: whether it still fails; a worse outcome than the one being shrunk raises the bar. */
  private weighShrinkStep(state: PassState, judged: JudgedCase): boolean {
    if (!state.repeatShrink && OUTCOME_RANK[judged.outcome] > state.failRank) state.failRank = OUTCOME_RANK[judged.outcome];
    return state.repeatShrink ? judged.repeat?.beyondBound === true : OUTCOME_RANK[judged.outcome] >= state.failRank;
  }

  /** Shrinks a stored case that still fails, with the shrinker of its own (a stored case is no fast-check value). */
  private async shrinkStored(c: Case, judged: JudgedCase, failRank: number, name: string): Promise<Found> {
    const window = this.shrinkWindow();
    const state = { best: judged, rank: Math.max(failRank, OUTCOME_RANK[judged.outcome]), repeatShrink: judged.repeat?.beyondBound === true, stopped: null as string | null, steps: 0 };
    const shrunk = await shrinkCase(c, (candidate) => this.storedStep(state, window, candidate, name), {
      float32: this.run_.precision === 'float32',
      ...(this.generation.reductions ? { reductions: this.generation.reductions } : {}),
      activations: this.generation.activations ?? this.run_.declared.activations,
      onStep: (n, current) => this.progress('shrink', { steps: n, best: caseSizeText(current), leftMs: Math.max(0, window.until - performance.now()) }),
    });
    const stopped = state.stopped ?? (shrunk.stopped ? `the shrinker's limit of ${shrunk.steps} steps was reached` : null);
    return { c: shrunk.case, origin: 'given', judged: state.best, steps: shrunk.steps, path: null, stopped };
  }

  /** One candidate of the stored-case shrinker: whether it still fails, or 'stop'. */
  private async storedStep(
    state: { best: JudgedCase; rank: number; readonly repeatShrink: boolean; stopped: string | null; steps: number },
    window: { until: number; reason: (steps: number) => string },
    candidate: Case,
    name: string,
  ): Promise<boolean | 'stop'> {
    if (this.fatal) return 'stop';
    if (this.isAborted()) {
      this.interrupted = true;
      state.stopped ??= 'the run was interrupted';
      return 'stop';
    }
    if (performance.now() >= window.until) {
      state.stopped ??= window.reason(state.steps);
      return 'stop';
    }
    state.steps += 1;
    let answer: Asked;
    try {
      answer = await this.ask(candidate, state.repeatShrink, window.until);
    } catch (error) {
      this.fatal = errorReport(error, candidate, `could not judge the stored case ${name} while shrinking it (step ${state.steps})`);
      return 'stop';
    }
    if (answer === 'aborted' || answer === 'late') {
      if (answer === 'aborted') this.interrupted = true;
      state.stopped ??= answer === 'late' ? window.reason(state.steps) : 'the run was interrupted';
      return 'stop';
    }
    if ('fatal' in answer) {
      state.stopped ??= `the implementation could not go on: ${answer.fatal.message}`;
      return 'stop';
    }
    if (!state.repeatShrink && OUTCOME_RANK[answer.outcome] > state.rank) state.rank = OUTCOME_RANK[answer.outcome];
    const fails = state.repeatShrink ? answer.repeat?.beyondBound === true : OUTCOME_RANK[answer.outcome] >= state.rank;
    if (fails) state.best = answer;
    return fails;
  }

  /**
   * The smallest case is asked once more: an implementation that keeps state between calls
   * answers it differently, and the report then shows both answers. Skipped once the run is
   * stopped, the implementation gone, or the time budget spent.
   */
  private async confirm(found: Found): Promise<Found> {
    if (found.judged.second || this.fatal || this.isAborted() || performance.now() >= this.deadline) return found;
    let again: Asked;
    try {
      again = await this.ask(found.c, false, this.deadline);
    } catch {
      return found; // judged once already: the oracle that judged it will judge it the same way
    }
    if (typeof again === 'string' || 'fatal' in again) return found;
    const judged = judgedCase(found.judged.first, again.first);
    this.noteRepeat(found.c, judged);
    return { ...found, judged };
  }

  private report(found: Found, name: string | null): void {
    const replay = { seed: found.origin === 'given' ? null : this.seed, path: found.path, file: null };
    this.run_.failures.push(judgedFailure(found.c, found.judged, found.origin, this.run_.ctx, replay, found.steps, { name, shrinkStopped: found.stopped }));
    if (found.stopped) this.run_.notes.push(`shrinking stopped early: ${found.stopped}; the case shown is the smallest found so far`);
  }
}
