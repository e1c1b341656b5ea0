import { ALL_MAGNITUDE_CLASSES } from '../generate/options.js';
import { CANCELLATION_TEXT, type CancellationName } from '../compare/judge.js';
import { STATE_MESSAGE } from '../verify/failure.js';
import type { FailureReport, VerifyReport, CaseOrigin } from '../verify/report.js';
import { caseFamilyText, declaredFamilyText } from './family.js';

const ORIGINS: CaseOrigin[] = [...ALL_MAGNITUDE_CLASSES, 'given'];

function digits(d: number): string {
  return Number.isFinite(d) ? d.toFixed(1) : 'exact';
}

/** The replay instructions of a failure, as command-line words. */
export function replayHint(report: VerifyReport, f: FailureReport, command: string): string[] {
  const hints: string[] = [];
  if (f.replay.file) hints.push(`replay the saved case: ${command} --case ${f.replay.file}`);
  if (f.replay.seed !== null && f.replay.path !== null) {
    // shrinking through many steps makes long paths: a line nobody can copy is no hint, so a long
    // path is left to the JSON report (failures[].replay.path) when the saved case replays it
    if (f.replay.path.length <= 120) hints.push(`replay from the generator: ${command} --seed ${f.replay.seed} --path ${f.replay.path}`);
    else if (!f.replay.file) hints.push(`replay from the generator: ${command} --seed ${f.replay.seed} --path PATH, with PATH the ${f.replay.path.length}-character replay.path of this failure in the report written by --json FILE`);
  }
  if (report.mode === 'generated' && f.replay.seed !== null) hints.push(`rerun the whole property: ${command} --seed ${f.replay.seed} --runs ${report.runs}`);
  return hints;
}

/** A failure as a person reads it: where, labelled values, how to replay, the case, hints. */
export function formatFailure(report: VerifyReport, f: FailureReport, command: string): string {
  const lines: string[] = [];
  // a given case is the user's own and never shrunk; a stored case replayed from the corpus is
  const origin = f.origin === 'given' ? `${f.shrinkSteps !== null ? 'stored case' : 'case'} ${f.name ?? ''}`.trim() : `found among ${f.origin} cases`;
  lines.push(`${f.outcome.toUpperCase()} at ${f.where} (${origin}${f.shrinkSteps !== null ? `, shrunk in ${f.shrinkSteps} steps` : ''})`);
  const family = caseFamilyText(f.case);
  if (family !== null) lines.push(`  family             ${family}`);
  if (f.kind === 'shape' || f.kind === 'error') {
    lines.push(`  ${f.message}`);
  } else if (f.kind === 'repeat' && f.repeat) {
    lines.push(`  ${STATE_MESSAGE}`);
    lines.push(`  first answer       ${f.repeat.first ?? 'no value'}`);
    lines.push(`  second answer      ${f.repeat.second ?? 'no value'}`);
    if (f.oracle !== null) lines.push(`  oracle             ${f.oracle}`);
    if (f.finiteDifference !== null) lines.push(`  finite difference  ${f.finiteDifference}`);
    if (f.bound !== null) lines.push(`  allowed            ${f.bound.toExponential(3)}`);
  } else {
    lines.push(`  implementation     ${f.iut ?? 'non-finite (NaN or Infinity)'}`);
    lines.push(`  oracle             ${f.oracle}`);
    if (f.finiteDifference !== null) lines.push(`  finite difference  ${f.finiteDifference}`);
    if (f.error !== null) lines.push(`  error              ${f.error.toExponential(3)}${f.digits !== null ? ` (${f.digits > 0 ? `${digits(f.digits)} correct digits` : 'no correct digit'} relative to scale)` : ''}`);
    if (f.bound !== null && f.outcome === 'wrong') lines.push(`  allowed            ${f.bound.toExponential(3)}`);
    if (f.textbook) lines.push(`  ${f.outcome === 'inaccurate' ? 'textbook gives     ' : 'nearest textbook   '}${f.textbook.value} within ${f.textbook.allowed.toExponential(3)}${f.outcome === 'wrong' ? ` (${CANCELLATION_TEXT[f.textbook.computation]}): not this value` : ''}`);
    if (f.cancellation) lines.push(`  explained by       ${CANCELLATION_TEXT[f.cancellation]}${f.digitsLost !== null ? `: ${f.digitsLost.toFixed(1)} digits lost` : ''}`);
    if (f.valuesAffected > 1) lines.push(`  ${f.valuesAffected} values of this case are ${f.outcome}`);
    if (f.repeat && !f.repeat.beyondBound) lines.push(`  asked twice, it answered ${f.repeat.first} then ${f.repeat.second} at ${f.repeat.where} (within the bound)`);
  }
  if (f.shrinkStopped) lines.push(`  shrinking stopped early: ${f.shrinkStopped}`);
  for (const hint of replayHint(report, f, command)) lines.push(`  ${hint}`);
  lines.push(`  network: ${JSON.stringify(f.case.network)}`);
  lines.push(`  batch:   ${JSON.stringify(f.case.batch)}`);
  return lines.join('\n');
}

/** The human summary of a run: verdict, cases per class, worst digits, the minimal counterexample. */
export function formatReport(report: VerifyReport, command = 'backprop-oracle verify'): string {
  const lines: string[] = [];
  const { implementation: impl } = report;
  lines.push(`backprop-oracle verify: ${impl.label} (${impl.precision}${impl.precisionFrom === 'default' ? ', by default' : impl.precisionFrom === 'option' ? ', from --precision' : ''})`);
  const shard = report.shard ? `, shard ${report.shard.index}/${report.shard.count}` : '';
  const seed = report.seed !== null ? `, seed ${report.seed}` : '';
  const replayed = report.casesReplayed ?? 0;
  const counted = replayed > 0 ? `${replayed} stored case${replayed === 1 ? '' : 's'} replayed, ${report.casesRun} of ${report.runs} generated cases` : `${report.casesRun} of ${report.runs} cases`;
  lines.push(`verdict: ${report.verdict.toUpperCase()}${report.strict ? ' (strict)' : ''}  (${counted}${seed}${shard}, ${(report.durationMs / 1000).toFixed(1)} s)`);
  const declared = declaredFamilyText(impl.description);
  if (declared !== null) lines.push(`declares: ${declared}`);
  if (report.error) {
    lines.push('');
    lines.push(report.error.code === 'E_NO_CASES' ? `nothing was verified: ${report.error.message}` : `the verifier could not finish: ${report.error.code}: ${report.error.message}`);
    if (report.error.case) lines.push(`  the request that triggered it: ${JSON.stringify(report.error.case)}`);
  }
  const rows = ORIGINS.filter((o) => report.classes[o]);
  if (rows.length > 0) {
    lines.push('');
    // the class column as wide as version 1's (12), or the longest stress class's name
    const width = Math.max(12, ...rows.map((o) => o.length));
    lines.push(`${'class'.padEnd(width)} cases  correct  inaccurate  wrong  worst digits  most digits lost`);
    for (const o of rows) {
      const s = report.classes[o]!;
      lines.push(`${o.padEnd(width)} ${String(s.cases).padStart(5)}  ${String(s.correct).padStart(7)}  ${String(s.inaccurate).padStart(10)}  ${String(s.wrong).padStart(5)}  ${digits(s.worstDigits).padStart(12)}  ${s.worstDigitsLost.toFixed(1).padStart(16)}`);
    }
    const cancellations = new Map<CancellationName, { values: number; maxDigitsLost: number; classes: string[] }>();
    for (const o of rows) {
      for (const [name, c] of Object.entries(report.classes[o]!.cancellations) as [CancellationName, { values: number; maxDigitsLost: number }][]) {
        const acc = cancellations.get(name) ?? { values: 0, maxDigitsLost: 0, classes: [] };
        acc.values += c.values;
        acc.maxDigitsLost = Math.max(acc.maxDigitsLost, c.maxDigitsLost);
        acc.classes.push(o);
        cancellations.set(name, acc);
      }
    }
    if (cancellations.size > 0) {
      lines.push('');
      lines.push('inaccurate values, explained by the textbook algorithm\'s cancellations:');
      for (const [name, c] of cancellations) lines.push(`  ${c.values} value(s), up to ${c.maxDigitsLost.toFixed(1)} digits lost (${c.classes.join(', ')}): ${CANCELLATION_TEXT[name]}`);
    }
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  const within = report.nondeterminism.differing.find((d) => d.beyondBound !== true);
  if (within) lines.push(`warning: two calls on the same case gave different answers at ${within.where}: ${within.first} then ${within.second} (both within the bound)`);
  report.failures.forEach((f, k) => {
    lines.push('');
    lines.push(k > 0 ? 'another:' : f.shrinkStopped ? 'smallest case found so far:' : f.shrinkSteps !== null ? 'minimal counterexample:' : 'failing case:');
    lines.push(formatFailure(report, f, command));
  });
  return lines.join('\n');
}
