// No false alarm on correct code that is not ours (issue 10, part 6). Every correct fixture in
// fixtures/implementations/ is judged, exactly as the engine judges a case (askImplementation +
// judge against the oracle, the generation options the engine derives from the description), on
// N generated cases (default 2000) of every magnitude class and of `mixed` (a saturated layer next
// to a typical one, mixedSaturationArbitrary), the oracle computed once per case for all fixtures
// of a precision. Prints, per fixture and class: cases, correct / inaccurate / wrong under --strict,
// and the largest error / bound ratio, where the bound is the stable algorithm's derived bound
// WITHOUT STABLE_SLACK (so the share of STABLE_SLACK used is ratio / STABLE_SLACK), split by the
// quantity (loss, dE/dW, dE/db, outputs Z) over values whose bound is a normal number, and apart
// from those the ratio over underflow-governed values (bound below 2^-1022, resp. 2^-126, where
// errors and bounds are a few multiples of the smallest subnormal).
//
//   npm run build && node bench/falseAlarms.mjs [--cases N] [--seed S] [fixture.mjs or path ...]
import { caseArbitraryForClass, mixedSaturationArbitrary } from '../dist/generate/index.js';
import { loadModule } from '../dist/iut/index.js';
import { askImplementation } from '../dist/verify/evaluate.js';
import { generationFor } from '../dist/verify/engine.js';
import { judge, STABLE_SLACK } from '../dist/compare/judge.js';
import { formatLocation } from '../dist/types.js';
import { caseToJson } from '../dist/network/json.js';
import { createContext, oracle } from '../dist/oracle/index.js';
import fc from 'fast-check';

export const FIXTURES = [
  'correct.mjs',
  'correct-reversed.mjs',
  'correct-pairwise.mjs',
  'correct-blocked.mjs',
  'correct-kahan.mjs',
  'correct-logits-tf.mjs',
  'correct-logsigmoid.mjs',
  'correct-ulps.mjs',
  'correct-float32.mjs',
  'correct-float32-reversed.mjs',
  'correct-float32-pairwise.mjs',
  'correct-float32-blocked.mjs',
  'correct-float32-kahan.mjs',
  'correct-float32-wide.mjs',
  'correct-float32-ulps.mjs',
];
export const CLASSES = ['typical', 'zeros', 'tiny', 'saturating', 'mixed'];
const KINDS = ['loss', 'weight', 'bias', 'output'];

function casesOf(cls, precision, count, seed) {
  const options = generationFor({}, precision, 6);
  return fc.sample(cls === 'mixed' ? mixedSaturationArbitrary(options) : caseArbitraryForClass(cls, options), { seed, numRuns: count });
}

/**
 * Judges every fixture on `cases` cases per class. Returns rows { file, precision, cls, cases,
 * correct, inaccurate, wrong, ratio, kinds: { loss, weight, bias, output }, underflow, at, first }.
 */
export async function falseAlarms({ cases = 2000, seed = 2026, files = FIXTURES, dir = 'fixtures/implementations', onClass } = {}) {
  const ctx = createContext(50);
  const iuts = [];
  for (const given of files) {
    const iut = await loadModule(given.includes('/') ? given : `${dir}/${given}`);
    const file = given.split('/').pop();
    iuts.push({ file, iut, precision: (await iut.describe()).precision ?? 'float64' });
  }
  const rows = [];
  try {
    for (const precision of ['float64', 'float32']) {
      const group = iuts.filter((x) => x.precision === precision);
      if (group.length === 0) continue;
      const minNormal = precision === 'float32' ? 2 ** -126 : 2 ** -1022;
      for (const [k, cls] of CLASSES.entries()) {
        const started = performance.now();
        const stats = group.map(({ file }) => ({ file, precision, cls, cases: 0, correct: 0, inaccurate: 0, wrong: 0, ratio: 0, kinds: { loss: 0, weight: 0, bias: 0, output: 0 }, underflow: 0, at: '', first: null }));
        for (const c of casesOf(cls, precision, cases, seed + k)) {
          const exact = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
          for (const [n, { iut }] of group.entries()) {
            const row = stats[n];
            row.cases += 1;
            const answer = await askImplementation(iut, c);
            if (!('result' in answer)) {
              row.wrong += 1;
              row.first ??= { where: 'result', message: JSON.stringify(answer), case: caseToJson(c) };
              continue;
            }
            const judgements = judge(c.network, c.batch, answer.result, exact, precision);
            let worst = 'correct';
            for (const j of judgements) {
              if (j.outcome === 'wrong' || (j.outcome === 'inaccurate' && worst === 'correct')) worst = j.outcome;
              const bound = j.stableBound / STABLE_SLACK;
              const ratio = j.error === 0 ? 0 : j.error / bound;
              if (bound < minNormal) {
                row.underflow = Math.max(row.underflow, ratio);
                continue;
              }
              row.kinds[j.where.kind] = Math.max(row.kinds[j.where.kind], ratio);
              if (ratio > row.ratio) {
                row.ratio = ratio;
                row.at = `${formatLocation(j.where)}: error ${j.error.toExponential(2)}, bound ${bound.toExponential(2)}`;
              }
              if (j.outcome !== 'correct' && !row.first) row.first = { where: formatLocation(j.where), message: `${j.outcome}: value ${j.value}, exact ${j.exact.toSignificantDigits(17).toString()}, error ${j.error.toExponential(3)}, allowed ${j.stableBound.toExponential(3)}`, case: caseToJson(c) };
            }
            row[worst] += 1;
          }
        }
        rows.push(...stats);
        onClass?.(stats, (performance.now() - started) / 1000);
      }
    }
  } finally {
    await Promise.all(iuts.map(({ iut }) => iut.close()));
  }
  return rows;
}

const fmt = (x) => (x === 0 ? '0' : x < 0.001 ? x.toExponential(1) : x >= 1e4 ? x.toExponential(2) : x.toFixed(3));

export function printHeader(log = console.log) {
  log(`fixture                       class        cases  correct  inacc.  wrong   max ratio  (of STABLE_SLACK=${STABLE_SLACK})   loss     dE/dW    dE/db    Z        underflow`);
}

export function printRows(rows, seconds, log = console.log) {
  for (const r of rows) {
    const share = r.ratio > STABLE_SLACK ? 'beyond' : `${((100 * r.ratio) / STABLE_SLACK).toFixed(0)}%`;
    log(`${r.file.padEnd(29)} ${r.cls.padEnd(11)} ${String(r.cases).padStart(6)} ${String(r.correct).padStart(8)} ${String(r.inaccurate).padStart(7)} ${String(r.wrong).padStart(6)}   ${fmt(r.ratio).padStart(9)}  ${share.padStart(8)}               ${KINDS.map((k) => fmt(r.kinds[k]).padEnd(8)).join(' ')} ${fmt(r.underflow)}`);
  }
  if (seconds !== undefined && rows.length > 0) log(`  (${rows[0].precision} ${rows[0].cls}: ${seconds.toFixed(1)} s)`);
}

export function printSummary(rows, log = console.log) {
  log('\nlargest error / stable-bound ratio per fixture (normal-range values; all classes), and where:');
  for (const file of [...new Set(rows.map((r) => r.file))]) {
    const mine = rows.filter((r) => r.file === file);
    const top = mine.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const bad = mine.reduce((n, r) => n + r.inaccurate + r.wrong, 0);
    log(`  ${file.padEnd(29)} ${fmt(top.ratio).padStart(9)} (${top.cls}, ${top.at})${bad > 0 ? `  NOT CORRECT on ${bad} case(s)` : ''}`);
  }
  const failures = rows.filter((r) => r.first);
  if (failures.length > 0) {
    log('\nfirst value not correct, per fixture and class:');
    for (const r of failures) log(`  ${r.file} ${r.cls}: ${r.first.where} ${r.first.message}\n    case ${JSON.stringify(r.first.case)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const k = args.indexOf(name);
    if (k < 0) return fallback;
    const value = Number(args[k + 1]);
    args.splice(k, 2);
    return value;
  };
  const cases = option('--cases', 2000);
  const seed = option('--seed', 2026);
  const files = args.length > 0 ? args : FIXTURES;
  console.log(`false alarms: ${files.length} correct fixtures, ${cases} cases per class (${CLASSES.join(', ')}), seed ${seed}, judged under --strict`);
  printHeader();
  const rows = await falseAlarms({ cases, seed, files, onClass: (stats, seconds) => printRows(stats, seconds) });
  printSummary(rows);
}
