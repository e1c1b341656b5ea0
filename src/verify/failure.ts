import { formatLocation } from '../compare/entries.js';
import { worstJudgement, type Judgement, type Outcome } from '../compare/judge.js';
import { parameterCount } from '../network/shape.js';
import { caseToJson } from '../network/json.js';
import type { Case } from '../network/types.js';
import type { OracleContext } from '../oracle/context.js';
import { oracle } from '../oracle/oracle.js';
import type { CaseEvaluation } from './evaluate.js';
import type { CaseOrigin, FailureReport, Replay } from './report.js';
import { describeJudgement } from './stats.js';

/** Cases up to this many parameters get the finite-difference value of the failing entry in the report. */
export const FD_PARAMETER_LIMIT = 20_000;

/** The finite difference of the oracle's loss for one judged entry, as text (null for outputs). */
function finiteDifferenceOf(c: Case, j: Judgement, ctx: OracleContext): string | null {
  if (j.where.kind === 'output' || parameterCount(c.network) > FD_PARAMETER_LIMIT) return null;
  const fd = oracle(c.network, c.batch, { precision: ctx }).fd!;
  if (j.where.kind === 'loss') return null;
  const layer = fd.layers[j.where.layer]!;
  const nOut = c.network.layers[j.where.layer]!.nOut;
  const value = j.where.kind === 'weight' ? layer.W[j.where.j * nOut + j.where.i]! : layer.b![j.where.i]!;
  return value.toSignificantDigits(20).toString();
}

/**
 * The report of a failing case: its worst value (with the finite difference beside the oracle's
 * value), or the refusal; the case itself; how many values share the outcome.
 */
export function failureReport(c: Case, ev: CaseEvaluation, origin: CaseOrigin, ctx: OracleContext, replay: Replay, shrinkSteps: number | null, name: string | null = null): FailureReport {
  const outcome = ev.outcome as Exclude<Outcome, 'correct'>;
  const common = { outcome, origin, case: caseToJson(c), name, shrinkSteps, replay };
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
    finiteDifference: finiteDifferenceOf(c, j, ctx),
    error: Number.isFinite(j.error) ? j.error : null,
    bound: j.outcome === 'inaccurate' ? j.textbookBound : j.stableBound,
    digits: Number.isFinite(j.digits) ? j.digits : null,
    digitsLost: Number.isFinite(j.digitsLost) ? j.digitsLost : null,
    cancellation: j.cancellation ?? null,
    valuesAffected: ev.judgements.filter((x) => x.outcome === outcome).length,
  };
}
