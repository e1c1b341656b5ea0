import { ALL_MAGNITUDE_CLASSES } from '../generate/options.js';
import type { SelfCheckReport } from '../verify/selfCheck.js';

function digits(d: number): string {
  return d === Infinity ? 'exact' : d.toFixed(1);
}

/** The self-check's human summary: verdict, cases per magnitude class, worst digits, first failures. */
export function formatSelfCheck(report: SelfCheckReport, maxFailures = 3): string {
  const lines: string[] = [];
  const verdict = report.verdict === 'correct' ? 'CORRECT' : report.verdict === 'inconclusive' ? 'INCONCLUSIVE' : 'WRONG';
  lines.push(`backprop-oracle self-check: built-in float64 reference against the decimal oracle (${report.precision} digits) and its finite differences`);
  lines.push(`verdict: ${verdict}  (${report.runs} generated cases, ${report.entriesChecked} values checked, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s)`);
  lines.push('');
  const shown = ALL_MAGNITUDE_CLASSES.filter((cls) => (report.classes[cls]?.cases ?? 0) > 0);
  // the class column as wide as version 1's (12), or the longest stress class's name
  const width = Math.max(12, ...shown.map((cls) => cls.length));
  lines.push(`${'class'.padEnd(width)} cases  reference digits  worst ulps of scale  analytic = FD digits`);
  for (const cls of shown) {
    const s = report.classes[cls]!;
    lines.push(
      `${cls.padEnd(width)} ${String(s.cases).padStart(5)}  ${digits(s.referenceDigits).padStart(16)}  ${s.referenceUlps.toFixed(1).padStart(19)}  ${digits(s.finiteDifferenceDigits).padStart(20)}`,
    );
  }
  lines.push('');
  lines.push(`reference digits: fewest correct digits relative to each value's scale (values above 1e-290); every value was checked against its derived error bound.`);
  lines.push(`analytic = FD: fewest digits shared by the oracle's backpropagation and its finite differences (required: ${report.minDigits}).`);
  // at kinks: one-sided differences compared, not-comparable ones left out; both counted (never said for a run without them)
  const byClass = (count: (s: NonNullable<SelfCheckReport['classes'][keyof SelfCheckReport['classes']]>) => number): string =>
    shown.filter((cls) => count(report.classes[cls]!) > 0).map((cls) => `${cls} ${count(report.classes[cls]!)}`).join(', ');
  if (report.oneSided > 0) lines.push(`at kinks: ${report.oneSided} differences one-sided (${byClass((s) => s.oneSided)}), on the side that keeps every rectifier on its piece: compared as usual.`);
  if (report.notComparable > 0) {
    lines.push(`${report.notComparable} differences not comparable at exact kinks (${byClass((s) => s.notComparable)}): no side keeps every rectifier on its piece; those entries are left out of analytic = FD (the reference is still checked against its bound).`);
  }
  if (report.verdict === 'inconclusive') lines.push(`inconclusive: not one of the ${report.notComparable} gradient entries could be compared with its finite difference (exit 2).`);
  if (report.failures.length > 0) {
    lines.push('');
    lines.push(`${report.failures.length} failure(s); the first ${Math.min(maxFailures, report.failures.length)}:`);
    for (const f of report.failures.slice(0, maxFailures)) {
      lines.push(`  case ${f.index} (${f.description}), ${f.where}: ${f.kind}`);
      lines.push(`    ${f.detail}`);
      lines.push(`    case: ${JSON.stringify(f.case)}`);
    }
  }
  return lines.join('\n');
}

/** The report as JSON text: infinities (exact agreement) are written as null. */
export function selfCheckToJson(report: SelfCheckReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}
