import { judge, OUTCOME_RANK, worstOutcome, type Judgement } from '../compare/judge.js';
import { formatLocation, type Outcome, type Precision } from '../types.js';
import { IutError } from '../iut/errors.js';
import type { Iut } from '../iut/types.js';
import { InputError } from '../network/errors.js';
import { batchToJson, networkToJson } from '../network/json.js';
import type { Case, KinkSide } from '../network/types.js';
import { parseGradients, type ParsedResult } from '../network/validate.js';
import { caseOracle, oracle, type CaseOracle, type OracleContext } from '../oracle/api.js';
import type { RepeatedAnswers } from './report.js';

/** The outcome of one case: judged values, or why there are none. */
export interface CaseEvaluation {
  readonly outcome: Outcome;
  readonly judgements: Judgement[];
  /** A result that could not be judged: it had the wrong shape or types, or the implementation refused. */
  readonly refusal: { kind: 'shape' | 'error'; message: string } | null;
  /** The implementation stopped taking part (crash, protocol breach, timeout): the run cannot go on. */
  readonly fatal: IutError | null;
  readonly result: ParsedResult | null;
  /** The oracle the values were judged against (absent when there were no values to judge). */
  readonly oracle?: CaseOracle;
}

/** Asks the implementation for the case's loss and gradients and returns the parsed result or why not. */
export async function askImplementation(iut: Iut, c: Case): Promise<{ result: ParsedResult } | { refusal: CaseEvaluation['refusal'] } | { fatal: IutError }> {
  let raw: unknown;
  try {
    raw = await iut.gradients(networkToJson(c.network), batchToJson(c.batch));
  } catch (error) {
    if (error instanceof IutError && error.code === 'E_IUT_ERROR') return { refusal: { kind: 'error', message: error.message } };
    if (error instanceof IutError) return { fatal: error };
    return { refusal: { kind: 'error', message: error instanceof Error ? error.message : String(error) } };
  }
  try {
    return { result: parseGradients(raw, c.network, 'result', c.batch.size) };
  } catch (error) {
    if (error instanceof InputError) return { refusal: { kind: 'shape', message: error.message } };
    throw error;
  }
}

/**
 * Judges a parsed result against the oracle and returns the oracle too. `kink` is the side whose
 * derivative the implementation declares at S = 0 of a rectifier (`Description.kink ?? 'left'`):
 * the oracle and the judge take it there.
 */
export function judgeWithOracle(c: Case, result: ParsedResult, precision: Precision, ctx: OracleContext, kink: KinkSide = 'left'): { judgements: Judgement[]; oracle: CaseOracle } {
  const exact = caseOracle(oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false, kink }));
  return { judgements: judge(c.network, c.batch, result, exact, precision, kink), oracle: exact };
}

/** Runs one case through the implementation and judges every value against the oracle (its kink side `kink`, see {@link judgeWithOracle}). */
export async function evaluateCase(iut: Iut, c: Case, precision: Precision, ctx: OracleContext, kink: KinkSide = 'left'): Promise<CaseEvaluation> {
  const answer = await askImplementation(iut, c);
  if ('fatal' in answer) return { outcome: 'wrong', judgements: [], refusal: null, fatal: answer.fatal, result: null };
  if ('refusal' in answer) return { outcome: 'wrong', judgements: [], refusal: answer.refusal, fatal: null, result: null };
  const { judgements, oracle: exact } = judgeWithOracle(c, answer.result, precision, ctx, kink);
  return { outcome: worstOutcome(judgements), judgements, refusal: null, fatal: null, result: answer.result, oracle: exact };
}

/** Where two parsed results differ, bit for bit (NaN equals NaN), or null when they are the same. */
export function firstDifference(a: ParsedResult, b: ParsedResult): { where: string; first: number; second: number } | null {
  if (!Object.is(a.loss, b.loss)) return { where: 'loss E', first: a.loss, second: b.loss };
  for (let l = 0; l < a.layers.length; l++) {
    const [x, y] = [a.layers[l]!, b.layers[l]!];
    for (let k = 0; k < x.W.length; k++) if (!Object.is(x.W[k], y.W[k])) return { where: `layer ${l + 1}, dE/dW entry ${k}`, first: x.W[k]!, second: y.W[k]! };
    if (x.b && y.b) for (let k = 0; k < x.b.length; k++) if (!Object.is(x.b[k], y.b[k])) return { where: `layer ${l + 1}, dE/db[i=${k}]`, first: x.b[k]!, second: y.b[k]! };
  }
  return null;
}

/** The outcome rank of an evaluation. */
const rankOf = (ev: CaseEvaluation): number => OUTCOME_RANK[ev.outcome];

/**
 * How two answers to the same case differ, or null when they are the same (bit for bit in every
 * judged value, or two refusals). The difference is *beyond the bound* when, at an entry where the
 * answers differ, one of them is judged wrong (or one answer is a value and the other a refusal):
 * then the case is wrong, whatever the first answer was. Within the bound (both answers correct or
 * inaccurate wherever they differ) it is a warning: a parallel sum may legitimately vary.
 */
export function compareAnswers(first: CaseEvaluation, second: CaseEvaluation): RepeatedAnswers | null {
  if (!first.result || !second.result) {
    if (!first.result && !second.result) return null;
    const value = (ev: CaseEvaluation): number | null => (ev.result ? ev.result.loss : null);
    return { where: 'result', first: value(first), second: value(second), beyondBound: true };
  }
  let within: RepeatedAnswers | null = null;
  const n = Math.min(first.judgements.length, second.judgements.length);
  for (let k = 0; k < n; k++) {
    const a = first.judgements[k]!;
    const b = second.judgements[k]!;
    if (Object.is(a.value, b.value)) continue;
    const where = formatLocation(a.where);
    if (a.outcome === 'wrong' || b.outcome === 'wrong') return { where, first: a.value, second: b.value, beyondBound: true };
    within ??= { where, first: a.value, second: b.value, beyondBound: false };
  }
  if (within) return within;
  const diff = firstDifference(first.result, second.result);
  return diff ? { ...diff, beyondBound: false } : null;
}

/** A case asked once or twice: every answer judged, the worst one reported. */
export interface JudgedCase {
  /** The worst of the answers' outcomes. */
  readonly outcome: Outcome;
  /** The evaluation the case is reported by: the worst answer (the first when they tie). */
  readonly ev: CaseEvaluation;
  readonly first: CaseEvaluation;
  readonly second: CaseEvaluation | null;
  /** How the two answers differ (null when asked once or the same). */
  readonly repeat: RepeatedAnswers | null;
}

/** Both answers judged: the case is as bad as its worse answer. */
export function judgedCase(first: CaseEvaluation, second: CaseEvaluation | null = null): JudgedCase {
  if (!second) return { outcome: first.outcome, ev: first, first, second: null, repeat: null };
  const ev = rankOf(second) > rankOf(first) ? second : first;
  return { outcome: ev.outcome, ev, first, second, repeat: compareAnswers(first, second) };
}
