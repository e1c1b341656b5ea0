import { CANCELLATION_TEXT, type Judgement } from '../compare/judge.js';
import { formatLocation, type Outcome } from '../types.js';
import type { CaseEvaluation } from './evaluate.js';
import { PROPERTIES, type CaseOrigin, type ClassStats, type Property, type PropertyStats } from './report.js';

function emptyProperty(): PropertyStats {
  return { correct: 0, inaccurate: 0, wrong: 0, firstMessage: null };
}

/** Fresh counters for one origin. */
export function emptyStats(): ClassStats {
  return {
    cases: 0,
    correct: 0,
    inaccurate: 0,
    wrong: 0,
    worstDigits: Number.POSITIVE_INFINITY,
    worstDigitsLost: 0,
    cancellations: {},
    properties: Object.fromEntries(PROPERTIES.map((p) => [p, emptyProperty()])) as Record<Property, PropertyStats>,
  };
}

function propertyOf(j: Judgement): Property {
  return j.where.kind === 'loss' ? 'loss' : j.where.kind === 'output' ? 'outputs' : 'gradients';
}

/** One line about a judged value: where, values, error and bound. */
export function describeJudgement(j: Judgement): string {
  const base = `${formatLocation(j.where)}: implementation ${j.value}, oracle ${j.exact.toSignificantDigits(17).toString()}, error ${j.error.toExponential(2)}`;
  if (j.outcome === 'inaccurate') return `${base} (${j.digitsLost.toFixed(1)} digits lost: ${CANCELLATION_TEXT[j.cancellation ?? 'several']})`;
  if (j.reason === 'non-finite') return `${base}: a non-finite value where the exact one is finite`;
  const near = j.textbookValue !== null && j.textbookBound !== null ? `; no textbook computation gives it (the nearest gives ${j.textbookValue} within ${j.textbookBound.toExponential(2)})` : '; no textbook computation gives it';
  return `${base} > ${j.stableBound.toExponential(2)} allowed${near}`;
}

function count(p: PropertyStats, outcome: Outcome, message: string | null): void {
  p[outcome] += 1;
  if (outcome !== 'correct' && p.firstMessage === null) p.firstMessage = message;
}

/** Adds one evaluated case to the counters of its origin. */
export function record(all: Partial<Record<CaseOrigin, ClassStats>>, origin: CaseOrigin, ev: CaseEvaluation): void {
  const stats = (all[origin] ??= emptyStats());
  stats.cases += 1;
  stats[ev.outcome] += 1;
  if (ev.refusal) {
    count(stats.properties.result, 'wrong', `${ev.refusal.kind === 'shape' ? 'malformed result' : 'the implementation failed'}: ${ev.refusal.message}`);
    return;
  }
  count(stats.properties.result, 'correct', null);
  const worst: Partial<Record<Property, Judgement>> = {};
  for (const j of ev.judgements) {
    if (j.scale > 1e-290 && Number.isFinite(j.digits)) stats.worstDigits = Math.min(stats.worstDigits, j.digits);
    if (j.outcome !== 'correct' && Number.isFinite(j.digitsLost)) stats.worstDigitsLost = Math.max(stats.worstDigitsLost, j.digitsLost);
    if (j.outcome === 'inaccurate') {
      const name = j.cancellation ?? 'several';
      const c = (stats.cancellations[name] ??= { values: 0, maxDigitsLost: 0 });
      c.values += 1;
      c.maxDigitsLost = Math.max(c.maxDigitsLost, j.digitsLost);
    }
    const p = propertyOf(j);
    const seen = worst[p];
    const rank = { correct: 0, inaccurate: 1, wrong: 2 };
    if (!seen || rank[j.outcome] > rank[seen.outcome]) worst[p] = j;
  }
  for (const p of ['loss', 'gradients', 'outputs'] as const) {
    const j = worst[p];
    if (j) count(stats.properties[p], j.outcome, j.outcome === 'correct' ? null : describeJudgement(j));
  }
}
