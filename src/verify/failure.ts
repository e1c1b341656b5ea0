import { worstJudgement, type Judgement } from '../compare/judge.js';
import { formatLocation, type Outcome } from '../types.js';
import { caseToJson } from '../network/json.js';
import type { Case } from '../network/types.js';
import { CaseOracle, type OracleContext } from '../oracle/api.js';
import type { Certification } from './certify.js';
import type { CaseEvaluation, JudgedCase } from './evaluate.js';
import type { CaseOrigin, FailureReport, RepeatedAnswers, Replay } from './report.js';
import { describeJudgement } from './stats.js';

/**
 * The finite difference of the oracle's loss for one judged entry, as text (null for the loss and
 * outputs): central differences of its pre-activation in each sample, times Y_j, from the oracle's
 * differenced network (`CaseOracle.finiteDifference`).
 */
function finiteDifferenceOf(c: Case, j: Judgement, ctx: OracleContext, ev: CaseEvaluation, given: Certification | null): string | null {
  if (j.where.kind !== 'weight' && j.where.kind !== 'bias') return null;
  const oracle = given?.oracle ?? ev.oracle ?? CaseOracle.of(ctx, c.network, c.batch);
  return oracle.finiteDifference(j.where)?.text(20) ?? null;
}

/**
 * The report of a failing case: its worst value (with the finite difference beside the oracle's
 * value), or the refusal; the case itself; how many values share the outcome.
 */
export function failureReport(c: Case, ev: CaseEvaluation, origin: CaseOrigin, ctx: OracleContext, replay: Replay, shrinkSteps: number | null, name: string | null = null, certification: Certification | null = null): FailureReport {
  const outcome = ev.outcome as Exclude<Outcome, 'correct'>;
  const common = { outcome, origin, case: caseToJson(c), name, shrinkSteps, shrinkStopped: null, repeat: null, replay };
  if (ev.refusal) {
    return {
      ...common,
      outcome: 'wrong',
      kind: ev.refusal.kind,
      where: 'result',
      message: ev.refusal.kind === 'shape' ? `malformed result: ${ev.refusal.message}` : `the implementation failed: ${ev.refusal.message}`,
      iut: null, oracle: null, finiteDifference: null, error: null, bound: null, digits: null, digitsLost: null, cancellation: null,
      valuesAffected: 1,
    };
  }
  const j = worstJudgement(ev.judgements)!;
  return {
    ...common,
    kind: j.reason === 'non-finite' ? 'non-finite' : 'value',
    where: formatLocation(j.where),
    message: describeJudgement(j),
    iut: Number.isFinite(j.value) ? j.value : null,
    oracle: j.exact.toSignificantDigits(20).toString(),
    finiteDifference: finiteDifferenceOf(c, j, ctx, ev, certification),
    error: Number.isFinite(j.error) ? j.error : null,
    bound: j.outcome === 'inaccurate' ? j.textbookBound : j.stableBound,
    digits: Number.isFinite(j.digits) ? j.digits : null,
    digitsLost: Number.isFinite(j.digitsLost) ? j.digitsLost : null,
    cancellation: j.cancellation ?? null,
    textbook: j.outcome !== 'correct' && j.textbookComputation !== null && j.textbookValue !== null && j.textbookBound !== null ? { computation: j.textbookComputation, value: j.textbookValue, allowed: j.textbookBound } : null,
    valuesAffected: ev.judgements.filter((x) => x.outcome === outcome).length,
  };
}

/** What a failure says when the implementation answered the same case twice, one answer beyond the bound. */
export const STATE_MESSAGE = 'answered the same case differently: state kept between calls (gradients accumulated and not reset?)';

function answerText(value: number | null): string {
  return value === null ? 'no value' : String(value);
}

/** Further facts of a failure: the file it came from, why shrinking stopped, the certification. */
export interface FailureDetails {
  readonly name?: string | null;
  readonly certification?: Certification | null;
  readonly shrinkStopped?: string | null;
}

/**
 * The report of a failing case judged from one or two answers. When the two answers differ beyond
 * the bound, the failure is the repeat (kind `repeat`, wrong): both answers, the oracle's value,
 * and the state the implementation keeps between calls as the likely cause.
 */
export function judgedFailure(c: Case, judged: JudgedCase, origin: CaseOrigin, ctx: OracleContext, replay: Replay, shrinkSteps: number | null, details: FailureDetails = {}): FailureReport {
  const base = failureReport(c, judged.ev, origin, ctx, replay, shrinkSteps, details.name ?? null, details.certification ?? null);
  const repeat: RepeatedAnswers | null = judged.repeat;
  const withDetails = { ...base, shrinkStopped: details.shrinkStopped ?? null, repeat };
  if (!repeat?.beyondBound) return withDetails;
  const at = [judged.first, judged.second].map((ev) => ev?.judgements.find((j) => formatLocation(j.where) === repeat.where) ?? null);
  const worse = (at[1] && at[1].outcome === 'wrong') || !at[0] ? at[1] : at[0];
  const outcomes = at.map((j, k) => (j ? j.outcome : [judged.first, judged.second][k]?.refusal ? 'not a result' : 'no value'));
  const oracleText = worse ? `; the oracle says ${worse.exact.toSignificantDigits(17).toString()}` : '';
  const message = `${STATE_MESSAGE}: at ${repeat.where} the first answer was ${answerText(repeat.first)} (${outcomes[0]}), the second ${answerText(repeat.second)} (${outcomes[1]})${oracleText}`;
  if (!worse) return { ...withDetails, outcome: 'wrong', kind: 'repeat', where: repeat.where, message };
  return {
    ...withDetails,
    outcome: 'wrong',
    kind: 'repeat',
    where: repeat.where,
    message,
    iut: Number.isFinite(worse.value) ? worse.value : null,
    oracle: worse.exact.toSignificantDigits(20).toString(),
    finiteDifference: finiteDifferenceOf(c, worse, ctx, judged.ev, details.certification ?? null),
    error: Number.isFinite(worse.error) ? worse.error : null,
    bound: worse.stableBound,
    digits: Number.isFinite(worse.digits) ? worse.digits : null,
    digitsLost: Number.isFinite(worse.digitsLost) ? worse.digitsLost : null,
    cancellation: null,
    valuesAffected: Math.max(1, judged.ev.judgements.filter((x) => x.outcome === 'wrong').length),
  };
}
