/**
 * GitHub Actions annotations of a report (workflow commands written to standard output):
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */

import type { FailureReport, VerifyReport } from '../verify/report.js';
import { caseFamilyText, declaredFamilyText } from './family.js';
import { replayText } from './junit.js';

/** GitHub shows at most this many error and this many warning annotations of one step. */
export const MAX_ANNOTATIONS_PER_LEVEL = 10;

/** A case's JSON longer than this is cut in an annotation (the JSON and JUnit reports hold it whole). */
export const MAX_CASE_CHARS = 2000;

/** Escapes a workflow command's message: `%`, CR and LF. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value: also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

type Level = 'error' | 'warning' | 'notice';

/** One workflow command line: `::level title=...::message`. */
export function annotation(level: Level, title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;
}

function caseText(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length <= MAX_CASE_CHARS ? json : `${json.slice(0, MAX_CASE_CHARS)}... (${json.length} characters: see the JSON report)`;
}

function failureMessage(f: FailureReport): string {
  const where = f.message.startsWith(f.where) ? '' : `, ${f.where}`;
  const lines = [`${f.origin}${f.name !== null ? ` case "${f.name}"` : ''}${where}: ${f.message}`];
  const family = caseFamilyText(f.case);
  if (family !== null) lines.push(`family: ${family}`);
  lines.push(`${f.shrinkSteps !== null ? `case (shrunk in ${f.shrinkSteps} steps)` : 'case'}: ${caseText(f.case)}`);
  const replay = replayText(f.replay);
  if (replay !== null) lines.push(`replay: ${replay}`);
  return lines.join('\n');
}

function verdictWord(report: VerifyReport): string {
  return report.verdict.toUpperCase();
}

function summary(report: VerifyReport): string {
  let wrong = 0;
  let inaccurate = 0;
  for (const s of Object.values(report.classes)) {
    wrong += s.wrong;
    inaccurate += s.inaccurate;
  }
  const seed = report.seed !== null ? `, seed ${report.seed}` : '';
  const replayed = report.casesReplayed ?? 0;
  const cases = `${report.casesRun} ${report.casesRun === 1 ? 'case' : 'cases'}${replayed > 0 ? ` and ${replayed} stored ${replayed === 1 ? 'case' : 'cases'} replayed` : ''}`;
  const declared = declaredFamilyText(report.implementation.description);
  const parts = [`verdict ${verdictWord(report)}${report.strict ? ' (strict)' : ''}: ${cases}${seed} (${report.implementation.label}${declared !== null ? `; declares ${declared}` : ''})`];
  parts.push(`${wrong} wrong, ${inaccurate} inaccurate`);
  if (report.nondeterminism.differing.length > 0) parts.push(`${report.nondeterminism.differing.length} non-deterministic`);
  parts.push(`${(report.durationMs / 1000).toFixed(1)} s`);
  return parts.join(', ');
}

/** Keeps the first `MAX_ANNOTATIONS_PER_LEVEL` annotations of a level; the last one kept says how many more there were. */
function capped(level: 'error' | 'warning', lines: { title: string; message: string }[]): string[] {
  if (lines.length <= MAX_ANNOTATIONS_PER_LEVEL) return lines.map((l) => annotation(level, l.title, l.message));
  const kept = lines.slice(0, MAX_ANNOTATIONS_PER_LEVEL - 1).map((l) => annotation(level, l.title, l.message));
  const more = lines.length - kept.length;
  return [...kept, annotation(level, 'backprop-oracle', `${more} more ${level === 'error' ? 'errors' : 'warnings'}: see the JSON or JUnit report`)];
}

/**
 * The report as GitHub Actions workflow commands, one per line: an error for each wrong failure
 * (and for inaccurate ones under `strict`) and for a failure of the implementation to take part, a
 * warning for each inaccurate failure and for non-determinism, and a notice with the verdict.
 */
export function githubAnnotations(report: VerifyReport): string[] {
  const errors: { title: string; message: string }[] = [];
  const warnings: { title: string; message: string }[] = [];
  if (report.error) errors.push({ title: `backprop-oracle: error ${report.error.code}`, message: report.error.message + (report.error.case ? `\ncase: ${caseText(report.error.case)}` : '') });
  for (const f of report.failures) {
    const item = { title: `backprop-oracle: ${f.outcome}`, message: failureMessage(f) };
    if (f.outcome === 'wrong' || report.strict) errors.push(item);
    else warnings.push(item);
  }
  // beyond the bound, two answers make the case wrong (a failure above); within it they are a warning
  const differing = report.nondeterminism.differing.filter((d) => d.beyondBound !== true);
  if (differing.length > 0) {
    const first = differing[0]!;
    warnings.push({
      title: 'backprop-oracle: non-deterministic',
      message: `the implementation gave different answers to the same case (${differing.length} of ${report.nondeterminism.checked} cases checked twice); first at ${first.where}: ${first.first ?? 'not finite'}, then ${first.second ?? 'not finite'}\ncase: ${caseText(first.case)}`,
    });
  }
  return [...capped('error', errors), ...capped('warning', warnings), annotation('notice', 'backprop-oracle', summary(report))];
}

/** Whether to write annotations: only inside GitHub Actions. */
export function shouldAnnotate(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}
