/**
 * The report as JUnit XML, the format CI systems display (GitHub through dorny/test-reporter or
 * mikepenz/action-junit-report, GitLab, Jenkins): one test case per property and case origin.
 */

import { CANCELLATION_TEXT, type CancellationName } from '../compare/judge.js';
import { ALL_MAGNITUDE_CLASSES } from '../generate/options.js';
import { caseFamilyText } from './family.js';
import { PROPERTIES, type CaseOrigin, type ClassStats, type FailureReport, type Property, type Replay, type VerifyReport } from '../verify/report.js';

const ORIGINS: readonly CaseOrigin[] = [...ALL_MAGNITUDE_CLASSES, 'given'];

/** Characters XML 1.0 does not allow anywhere (C0 controls but tab, LF, CR; lone surrogates; U+FFFE, U+FFFF). */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: `&`, `<`, `>` escaped, characters XML cannot hold removed. */
export function escapeXmlText(s: string): string {
  return s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value: also quotes escaped, and tab, LF and CR as character references (a parser would turn them into spaces). */
export function escapeXmlAttribute(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** The property a failure's `where` belongs to: `loss E`, `layer ...` (gradients), `output ...`, `result`. */
export function propertyOfWhere(where: string): Property {
  if (where.startsWith('loss')) return 'loss';
  if (where.startsWith('layer')) return 'gradients';
  if (where.startsWith('output')) return 'outputs';
  return 'result';
}

function shellWord(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How to run a failing case again, as command-line options; null when there is no way. */
export function replayText(replay: Replay): string | null {
  const parts: string[] = [];
  if (replay.seed !== null && replay.path !== null) parts.push(`--seed ${replay.seed} --path ${shellWord(replay.path)}`);
  if (replay.file !== null) parts.push(`--case ${shellWord(replay.file)}`);
  return parts.length > 0 ? parts.join('  or  ') : null;
}

/** A failure in lines: message, values, the case (shrunk when generated) and how to replay it. */
export function describeFailure(f: FailureReport): string[] {
  const lines = [`${f.outcome} (${f.origin}${f.name !== null ? ` case "${f.name}"` : ''}): ${f.message}`];
  if (f.finiteDifference !== null) lines.push(`finite difference of the oracle's loss: ${f.finiteDifference}`);
  if (f.valuesAffected > 1) lines.push(`${f.valuesAffected} values of this case are ${f.outcome}`);
  if (f.repeat) lines.push(`asked twice: first ${f.repeat.first ?? 'no value'}, then ${f.repeat.second ?? 'no value'} at ${f.repeat.where}${f.repeat.beyondBound ? ' (beyond the bound)' : ' (within the bound)'}`);
  const family = caseFamilyText(f.case);
  if (family !== null) lines.push(`family: ${family}`);
  lines.push(`${f.shrinkSteps !== null ? `case (shrunk in ${f.shrinkSteps} steps)` : 'case'}: ${JSON.stringify(f.case)}`);
  if (f.shrinkStopped) lines.push(`shrinking stopped early: ${f.shrinkStopped}; the case is the smallest found so far`);
  const replay = replayText(f.replay);
  if (replay !== null) lines.push(`replay: ${replay}`);
  return lines;
}

/** Seconds with millisecond resolution, as JUnit's `time` wants them. */
function seconds(ms: number): string {
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

/** One JUnit test case, before it is written as XML. */
export interface JunitTestCase {
  readonly classname: string;
  readonly name: string;
  readonly timeMs: number;
  readonly failure?: { message: string; type: string; body: string };
  readonly error?: { message: string; type: string; body: string };
  readonly systemOut?: string;
  readonly systemErr?: string;
}

function judged(p: { correct: number; inaccurate: number; wrong: number }): number {
  return p.correct + p.inaccurate + p.wrong;
}

function cancellationLines(stats: ClassStats): string[] {
  return (Object.entries(stats.cancellations) as [CancellationName, { values: number; maxDigitsLost: number }][]).map(
    ([name, c]) => `  ${name}: ${c.values} value(s), up to ${c.maxDigitsLost.toFixed(1)} digits lost: ${CANCELLATION_TEXT[name]}`,
  );
}

function propertyCase(report: VerifyReport, origin: CaseOrigin, stats: ClassStats, property: Property, failures: readonly FailureReport[], timeMs: number): JunitTestCase {
  const p = stats.properties[property];
  const n = judged(p);
  const counts = `${property} of ${n} ${origin} case(s): ${p.correct} correct, ${p.inaccurate} inaccurate, ${p.wrong} wrong`;
  const details = failures.flatMap((f) => ['', ...describeFailure(f)]);
  // the first message, unless a failure below repeats it
  const first = p.firstMessage !== null && !failures.some((f) => f.message === p.firstMessage) ? [`first: ${p.firstMessage}`] : [];
  const base = { classname: origin, name: `${property} (${origin})`, timeMs };
  // a failure reported here (a shrunk case can fail worse than the cases counted) fails the test case too
  const worstFailure = failures.find((f) => f.outcome === 'wrong') ?? failures.find((f) => f.outcome === 'inaccurate');
  const wrong = p.wrong > 0 || worstFailure?.outcome === 'wrong';
  const inaccurate = p.inaccurate > 0 || worstFailure !== undefined;
  if (wrong || (inaccurate && report.strict)) {
    const type = wrong ? 'wrong' : 'inaccurate';
    const message = wrong
      ? p.wrong > 0 ? `${p.wrong} of ${n} case(s) wrong` : `a case found while shrinking is wrong`
      : p.inaccurate > 0 ? `${p.inaccurate} of ${n} case(s) inaccurate (strict)` : 'a case found while shrinking is inaccurate (strict)';
    const firstText = p.firstMessage !== null && (p.wrong > 0 || !wrong) ? p.firstMessage : worstFailure?.message ?? p.firstMessage;
    const body = [counts, ...first, ...details].join('\n');
    return { ...base, failure: { message: firstText !== null ? `${message}: ${firstText}` : message, type, body } };
  }
  if (p.inaccurate > 0) {
    const lines = [
      `${p.inaccurate} of ${n} case(s) inaccurate in ${property} (not a failure without --strict)`,
      ...first,
      `inaccurate values of the ${origin} cases by cancellation:`,
      ...cancellationLines(stats),
      ...details,
    ];
    return { ...base, systemOut: lines.join('\n') };
  }
  // a shrunk case may fail elsewhere than the case it was shrunk from: its report still shows here
  return details.length > 0 ? { ...base, systemOut: [counts, ...details].join('\n') } : base;
}

/** The failures that belong to a test case of the given origin and property. */
function failuresOf(report: VerifyReport, origin: CaseOrigin, property: Property): FailureReport[] {
  return report.failures.filter((f) => f.origin === origin && propertyOfWhere(f.where) === property);
}

/** Failures no property test case shows (their origin or property had no judged cases). */
function unplacedFailures(report: VerifyReport): FailureReport[] {
  return report.failures.filter((f) => {
    const stats = report.classes[f.origin];
    return !stats || judged(stats.properties[propertyOfWhere(f.where)]) === 0;
  });
}

/** The test cases of a report, in a fixed order: by origin, then property; then implementation and determinism. */
export function junitTestCases(report: VerifyReport): JunitTestCase[] {
  const cases: JunitTestCase[] = [];
  const origins = ORIGINS.filter((o) => report.classes[o] !== undefined);
  const total = origins.reduce((sum, o) => sum + report.classes[o]!.cases, 0);
  for (const origin of origins) {
    const stats = report.classes[origin]!;
    const properties = PROPERTIES.filter((p) => judged(stats.properties[p]) > 0);
    // NaN when no origin has cases (inconsistent counts): written as 0
    const share = (report.durationMs * stats.cases) / total / properties.length;
    for (const property of properties) cases.push(propertyCase(report, origin, stats, property, failuresOf(report, origin, property), share));
  }
  if (report.error) {
    const e = report.error;
    const body = [`${e.code}: ${e.message}`, ...(e.case ? [`case: ${JSON.stringify(e.case)}`] : [])].join('\n');
    cases.push({ classname: 'implementation', name: 'implementation', timeMs: 0, error: { message: e.message, type: e.code, body } });
  }
  // failures no property test case shows still fail a test case of their own
  for (const f of unplacedFailures(report)) {
    if (f.outcome !== 'wrong' && !report.strict) continue;
    cases.push({ classname: f.origin, name: `counterexample (${f.origin})`, timeMs: 0, failure: { message: f.message, type: f.outcome, body: describeFailure(f).join('\n') } });
  }
  const differing = report.nondeterminism.differing;
  if (differing.length > 0) {
    const beyond = differing.filter((d) => d.beyondBound === true);
    const lines = [
      `${beyond.length > 0 ? 'wrong' : 'warning'}: the implementation gave different answers to the same case (${differing.length} time(s), ${beyond.length} beyond the bound; ${report.nondeterminism.checked} cases checked twice)`,
      ...differing.flatMap((d) => [`${d.where}: first ${d.first ?? 'not finite'}, then ${d.second ?? 'not finite'}${d.beyondBound ? ' (beyond the bound: state kept between calls?)' : ' (within the bound)'}`, `  case: ${JSON.stringify(d.case)}`]),
    ];
    const testCase: JunitTestCase = { classname: 'determinism', name: 'determinism', timeMs: 0 };
    cases.push(beyond.length > 0
      ? { ...testCase, failure: { message: `answered the same case differently, beyond the bound, at ${beyond[0]!.where}: ${beyond[0]!.first ?? 'not finite'} then ${beyond[0]!.second ?? 'not finite'}`, type: 'wrong', body: lines.join('\n') } }
      : { ...testCase, systemErr: lines.join('\n') });
  }
  return cases;
}

function element(indent: string, name: string, attributes: Record<string, string | number>, body?: string): string {
  const attrs = Object.entries(attributes)
    .map(([k, v]) => ` ${k}="${escapeXmlAttribute(String(v))}"`)
    .join('');
  return body === undefined ? `${indent}<${name}${attrs}/>` : `${indent}<${name}${attrs}>${escapeXmlText(body)}</${name}>`;
}

function testCaseXml(tc: JunitTestCase): string {
  const open = { classname: tc.classname, name: tc.name, time: seconds(tc.timeMs) };
  const children: string[] = [];
  if (tc.failure) children.push(element('      ', 'failure', { message: tc.failure.message, type: tc.failure.type }, tc.failure.body));
  if (tc.error) children.push(element('      ', 'error', { message: tc.error.message, type: tc.error.type }, tc.error.body));
  if (tc.systemOut !== undefined) children.push(element('      ', 'system-out', {}, tc.systemOut));
  if (tc.systemErr !== undefined) children.push(element('      ', 'system-err', {}, tc.systemErr));
  if (children.length === 0) return element('    ', 'testcase', open);
  return [`${element('    ', 'testcase', open).slice(0, -2)}>`, ...children, '    </testcase>'].join('\n');
}

/**
 * The report as JUnit XML: one `<testsuite>` named after the implementation, with a `<testcase>`
 * per property (result, loss, gradients, outputs) and case origin (magnitude class or `given`)
 * that has judged cases. A test case fails when the property was wrong on some case (or inaccurate,
 * with `strict`); inaccurate values without `strict` pass with a `<system-out>` naming the
 * cancellations. A failure of the implementation to take part is an `<error>` of an
 * `implementation` test case; non-determinism a `<system-err>` warning on a passing `determinism`
 * one. Times are apportioned from `durationMs` by cases, so equal reports give equal XML.
 */
export function reportToJunit(report: VerifyReport): string {
  const cases = junitTestCases(report);
  const counts = {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => c.error).length,
  };
  const time = seconds(report.durationMs);
  const properties: Record<string, string | number> = {
    verdict: report.verdict,
    exitCode: report.exitCode,
    strict: String(report.strict),
    mode: report.mode,
    precision: report.implementation.precision,
    runs: report.runs,
    casesRun: report.casesRun,
  };
  if (report.seed !== null) properties.seed = report.seed;
  const { description } = report.implementation;
  // protocol version 2's declarations (a version-1 implementation has none)
  if (description.activations !== undefined) properties.activations = description.activations.join(',');
  if (description.losses !== undefined) properties.losses = description.losses.join(',');
  if (description.kink !== undefined) properties.kink = description.kink;
  if (report.shard) properties.shard = `${report.shard.index}/${report.shard.count}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    element('', 'testsuites', { name: 'backprop-oracle', ...counts, time }).replace(/\/>$/, '>'),
    element('  ', 'testsuite', { name: `backprop-oracle: ${report.implementation.label}`, ...counts, skipped: 0, time }).replace(/\/>$/, '>'),
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => element('      ', 'property', { name, value })),
    '    </properties>',
    ...cases.map(testCaseXml),
  ];
  const suiteOut = [...report.notes, ...unplacedFailures(report).flatMap((f) => ['', ...describeFailure(f)])];
  if (suiteOut.length > 0) lines.push(element('    ', 'system-out', {}, suiteOut.join('\n')));
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
