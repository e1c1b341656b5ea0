/**
 * The skeleton every verification run shares (generated cases in engine.ts, given cases in
 * cases.ts, directional checks in directional.ts): the options, where the implementation's
 * precision comes from, errors as the report holds them, and the verdict of a finished report.
 * Nothing here imports a driver, so the drivers import it and not each other.
 */
import { OUTCOME_RANK } from '../compare/judge.js';
import type { Iut } from '../iut/types.js';
import { ACTIVATION_NAMES, activationNameOf, LOSS_NAMES, lossNameOf, type ActivationName, type Batch, type Case, type Description, type KinkSide, type Layer, type LossName, type Network } from '../network/types.js';
import { caseToJson } from '../network/json.js';
import { createContext, type OracleContext } from '../oracle/api.js';
import type { Outcome, Precision } from '../types.js';
import type { CaseEvaluation } from './evaluate.js';
import type { ClassStats, ErrorReport, ExitCode, FailureReport, NondeterminismReport, VerifyReport, CaseOrigin } from './report.js';
import { record } from './stats.js';

/** Seconds shrinking may take unless told otherwise (`--shrink-budget`). */
export const DEFAULT_SHRINK_BUDGET_SECONDS = 30;

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
  /** Stop generating new cases after this many seconds (shrinking ends by then too); what was found is still reported. */
  timeBudgetSeconds?: number;
  /** Most seconds spent shrinking a failure (default 30); then the smallest case found so far is reported. */
  shrinkBudgetSeconds?: number;
  /** Run only the cases k with k mod count = index - 1 (1-based index): n machines cover the same cases as one. */
  shard?: { index: number; count: number };
  /** Oracle precision in digits (default 50). */
  digits?: number;
  /** Cases checked twice for determinism (default 5). */
  determinismChecks?: number;
  /** Called as cases are done and while shrinking. */
  onProgress?: (progress: Progress) => void;
  /** Stored counterexamples, replayed before anything is generated (see corpus.ts). */
  replay?: readonly NamedCase[];
  /** Stops the run: no new case is started, the one in flight is abandoned, and the report says so. */
  signal?: AbortSignal;
  /** Generate only networks of these activations (intersected with what the implementation declares; default all it declares). */
  activations?: readonly ActivationName[];
  /** Generate only networks of these losses (intersected with what the implementation declares; default all it declares). */
  losses?: readonly LossName[];
}

/** What an implementation declares it implements: its activations and losses (none declared: version 1's sigmoid / bce) and its kink side (default the left piece's). */
export interface DeclaredFamilies {
  readonly activations: readonly ActivationName[];
  readonly losses: readonly LossName[];
  readonly kink: KinkSide;
}

/** The families a description declares, in the protocol's order; an implementation that declares none is version 1 (sigmoid, bce). */
export function declaredFamilies(description: Description): DeclaredFamilies {
  const activations = description.activations ?? ['sigmoid'];
  const losses = description.losses ?? ['bce'];
  return {
    activations: ACTIVATION_NAMES.filter((a) => activations.includes(a)),
    losses: LOSS_NAMES.filter((l) => losses.includes(l)),
    kink: description.kink ?? 'left',
  };
}

/**
 * What a case needs that the implementation did not declare, as text ("the activations tanh,
 * softmax and the loss cce"), or null when it declares everything the case uses. Such a case is
 * never sent.
 */
export function undeclaredIn(network: Network, declared: DeclaredFamilies): string | null {
  const activations = [...new Set(network.layers.map(activationNameOf))].filter((a) => !declared.activations.includes(a));
  const loss = lossNameOf(network);
  const parts: string[] = [];
  if (activations.length > 0) parts.push(`the activation${activations.length > 1 ? 's' : ''} ${activations.join(', ')}`);
  if (!declared.losses.includes(loss)) parts.push(`the loss ${loss}`);
  if (parts.length === 0) return null;
  return `${parts.join(' and ')}, which the implementation does not declare (it declares activations ${declared.activations.join(', ')}; losses ${declared.losses.join(', ')}${declared.activations.length === 1 && declared.activations[0] === 'sigmoid' && declared.losses.length === 1 ? ': a version-1 implementation, sigmoid / bce only' : ''})`;
}

/** The error of a case the implementation did not declare the family of (exit 2; the case is not sent). */
export function undeclaredError(name: string, lacks: string, c: Case): ErrorReport {
  return { code: 'E_UNDECLARED', message: `case ${name} uses ${lacks}: it was not sent`, case: caseToJson(c) };
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
  /** While shrinking: candidates tried, the size of the smallest failing case so far, and the time left to shrink. */
  shrink?: { steps: number; best: string; leftMs: number };
}

/** A case the user gave, with the name it is reported under (usually its file). */
export interface NamedCase {
  readonly name: string;
  readonly case: Case;
}

const round32 = (xs: Float64Array): Float64Array => Float64Array.from(xs, Math.fround);

/**
 * The case with every weight, bias, input and target rounded to float32 (targets stay in [0, 1];
 * a cce row summing to 1 within n_L 2^-52 before stays a valid row), the version-2 fields kept
 * (activation, alpha as given, loss).
 */
export function roundToFloat32(c: Case): { case: Case; changed: boolean } {
  const layers: Layer[] = c.network.layers.map((l) => {
    const packed: Layer = { nIn: l.nIn, nOut: l.nOut, W: round32(l.W), b: l.b ? round32(l.b) : null };
    if (l.activation === undefined) return packed;
    return l.alpha === undefined ? { ...packed, activation: l.activation } : { ...packed, activation: l.activation, alpha: l.alpha };
  });
  const network: Network = c.network.loss === undefined ? { layers, reduction: c.network.reduction } : { layers, reduction: c.network.reduction, loss: c.network.loss };
  const batch: Batch = { size: c.batch.size, nIn: c.batch.nIn, nOut: c.batch.nOut, X: round32(c.batch.X), T: round32(c.batch.T) };
  const same = (a: Float64Array, b: Float64Array): boolean => a.every((x, k) => Object.is(x, b[k]));
  const changed = !(same(batch.X, c.batch.X) && same(batch.T, c.batch.T) && layers.every((l, k) => same(l.W, c.network.layers[k]!.W) && (!l.b || same(l.b, c.network.layers[k]!.b!))));
  return { case: { network, batch }, changed };
}

/** Where the precision judged by comes from: the option, else the implementation's description, else float64. */
export function precisionOf(description: Description, override: Precision | undefined): { precision: Precision; from: VerifyReport['implementation']['precisionFrom'] } {
  if (override) return { precision: override, from: 'option' };
  if (description.precision) return { precision: description.precision, from: 'description' };
  return { precision: 'float64', from: 'default' };
}

/**
 * An error as the report holds it: its own string `code` when it has one (an IutError's, the
 * oracle's `E_ORACLE_LIMIT`, the judge's `E_BOUND`), else `E_INTERNAL`; `what` names the case.
 */
export function errorReport(error: unknown, c: Case | null, what: string | null = null): ErrorReport {
  const own = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const code = typeof own === 'string' && own !== '' ? own : 'E_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message: what ? `${what}: ${message}` : message, case: c ? caseToJson(c) : null };
}

/** The exit code of a verdict: 0 correct (or inaccurate without strict), 1 wrong, 2 could not do the job. */
export function exitCodeOf(verdict: VerifyReport['verdict'], strict: boolean): 0 | 1 | 2 {
  if (verdict === 'error') return 2;
  if (verdict === 'wrong' || (strict && verdict === 'inaccurate')) return 1;
  return 0;
}

/** The worst outcome over the counted cases. */
export function verdictOf(classes: Partial<Record<CaseOrigin, Pick<ClassStats, 'wrong' | 'inaccurate'>>>): Outcome {
  let worst: Outcome = 'correct';
  for (const s of Object.values(classes)) {
    if (!s) continue;
    if (s.wrong > 0) return 'wrong';
    if (s.inaccurate > 0) worst = 'inaccurate';
  }
  return worst;
}

/**
 * The verdict and exit code of everything a report holds: the worst of its classes and of every
 * failure it lists (a shrunk case may fail worse than the case it came from), error when the
 * verifier could not do its job.
 */
export function finalVerdict(report: {
  classes: Partial<Record<CaseOrigin, Pick<ClassStats, 'wrong' | 'inaccurate'>>>;
  failures: readonly Pick<FailureReport, 'outcome'>[];
  error: Pick<ErrorReport, 'code'> | null;
  strict: boolean;
}): { verdict: VerifyReport['verdict']; exitCode: 0 | 1 | 2 } {
  if (report.error) return { verdict: 'error', exitCode: 2 };
  let verdict = verdictOf(report.classes);
  for (const f of report.failures) if (OUTCOME_RANK[f.outcome] > OUTCOME_RANK[verdict]) verdict = f.outcome;
  return { verdict, exitCode: exitCodeOf(verdict, report.strict) };
}

/**
 * A report made consistent: its verdict and exit code the worst of everything it holds (see
 * {@link finalVerdict}); an exit code the process was given (130, 143, or 2 when what was found
 * could not be written) wins when it is worse.
 */
export function settleReport(report: VerifyReport, processExit: ExitCode | null = null): VerifyReport {
  const { verdict, exitCode } = finalVerdict(report);
  const exit: ExitCode = processExit === 130 || processExit === 143 ? processExit : Math.max(exitCode, processExit ?? 0) as ExitCode;
  return { ...report, verdict, exitCode: exit };
}


/** What a driver says of its run when it ends (the rest of the report is the skeleton's). */
export interface RunEnd {
  readonly mode: VerifyReport['mode'];
  readonly seed: number | null;
  readonly runs: number;
  readonly shard?: VerifyOptions['shard'] | null;
  /** Left out of the report when undefined (the directional run has none). */
  readonly casesReplayed?: number;
  readonly interrupted?: boolean;
  readonly stoppedEarly?: boolean;
  readonly nondeterminism?: { checked: number; differing: NondeterminismReport[] };
}

/**
 * The skeleton of a run, shared by the generated, given and directional drivers: the
 * implementation opened (its description, the precision judged by), the oracle's context, the
 * statistics of the cases judged, the failures, notes and error found, and the report made of
 * them at the end.
 */
export class RunRecord {
  readonly started = performance.now();
  readonly ctx: OracleContext;
  readonly strict: boolean;
  readonly classes: Partial<Record<CaseOrigin, ClassStats>> = {};
  readonly failures: FailureReport[] = [];
  readonly notes: string[] = [];
  error: ErrorReport | null = null;
  casesRun = 0;
  description: Description = {};
  /** What the implementation declares (set by {@link RunRecord.open}). */
  declared: DeclaredFamilies = declaredFamilies({});
  precision: Precision;
  precisionFrom: VerifyReport['implementation']['precisionFrom'];

  constructor(
    readonly iut: Iut,
    private readonly options: { precision?: Precision; strict?: boolean; digits?: number },
  ) {
    this.ctx = createContext(options.digits ?? 50);
    this.strict = options.strict ?? false;
    this.precision = options.precision ?? 'float64';
    this.precisionFrom = options.precision ? 'option' : 'default';
  }

  /** Asks the implementation what it is: the precision judged by follows (the option, else its description, else float64). Throws what `describe` throws. */
  async open(): Promise<void> {
    this.description = await this.iut.describe();
    this.declared = declaredFamilies(this.description);
    const { precision, from } = precisionOf(this.description, this.options.precision);
    this.precision = precision;
    this.precisionFrom = from;
  }

  /** A case as it is judged: rounded to float32 for a float32 implementation. */
  caseFor(c: Case): { case: Case; changed: boolean } {
    return this.precision === 'float32' ? roundToFloat32(c) : { case: c, changed: false };
  }

  /** The side whose derivative the implementation takes at an exact kink (its declared `kink`, default 'left'). */
  get kink(): KinkSide {
    return this.declared.kink;
  }

  /** Counts a judged case in its class. */
  record(origin: CaseOrigin, ev: CaseEvaluation): void {
    record(this.classes, origin, ev);
  }

  /** Wrong and inaccurate cases counted so far. */
  counts(): { wrong: number; inaccurate: number } {
    const counted = Object.values(this.classes);
    return { wrong: counted.reduce((n, s) => n + s.wrong, 0), inaccurate: counted.reduce((n, s) => n + s.inaccurate, 0) };
  }

  /** The report of the run, its verdict and exit code the worst of everything it holds. */
  report(end: RunEnd): VerifyReport {
    return settleReport({
      tool: 'backprop-oracle',
      verdict: 'correct',
      exitCode: 0,
      strict: this.strict,
      implementation: { label: this.iut.label, description: this.description, precision: this.precision, precisionFrom: this.precisionFrom },
      mode: end.mode,
      seed: end.seed,
      runs: end.runs,
      shard: end.shard ?? null,
      casesRun: this.casesRun,
      ...(end.casesReplayed !== undefined ? { casesReplayed: end.casesReplayed } : {}),
      interrupted: end.interrupted ?? false,
      stoppedEarly: end.stoppedEarly ?? false,
      classes: this.classes,
      failures: this.failures,
      nondeterminism: end.nondeterminism ?? { checked: 0, differing: [] },
      error: this.error,
      notes: this.notes,
      durationMs: performance.now() - this.started,
    });
  }
}

/** Sets the run's error (E_UNDECLARED, naming the case and what it lacks) for the first case whose family the implementation did not declare; whether there was one. */
export function firstUndeclared(run: RunRecord, cases: readonly NamedCase[]): boolean {
  for (const named of cases) {
    const lacks = undeclaredIn(named.case.network, run.declared);
    if (lacks) {
      run.error = undeclaredError(named.name, lacks, named.case);
      return true;
    }
  }
  return false;
}
