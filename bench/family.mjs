// Issue 12 figures: protocol version 2's family (tanh, relu, leaky_relu, linear, softmax layers;
// bce, cce, mse losses), measured side by side in one run. Figures, never assertions (these
// machines are shared and noisy: wall times are the best of a few runs, CPU times beside them).
//
//   npm run build && node bench/family.mjs [--quick] [--cases N]
//
// 1. Certifying a 784-128-10 network with a ReLU hidden layer and a softmax / cce output (every
//    entry against finite differences), batch 1, against the sigmoid / bce network of the same
//    sizes and numbers in the same run (target: at most 1.5 times its time); batch 64 (target: < 6 s).
// 2. Generated runs on the mixed family (every activation and loss, networks up to 8-8-8): cases
//    per CPU second of the whole command on the built-in reference (target: >= 200).
// 3. Zero false alarms: the correct version-2 examples (JavaScript, Python over JSON Lines,
//    TensorFlow.js in float32) on N generated cases per family (default 2000): CORRECT under
//    --strict (the float32 TensorFlow.js one: never wrong); every buggy example WRONG with a
//    counterexample of at most 2 layers and 3 units.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { bigCase } from '../fixtures/big/generate.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const casesArg = args.indexOf('--cases');
const CASES = casesArg >= 0 ? Number(args[casesArg + 1]) : quick ? 200 : 2000;
const root = new URL('..', import.meta.url).pathname;
const impl = (f) => join(root, 'fixtures/implementations', f);
const dir = mkdtempSync(join(os.tmpdir(), 'bpo-family-'));
const load = () => os.loadavg()[0].toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const row = (target, figure, value, goal, met) => {
  rows.push({ target, figure, value, goal, met });
  console.log(`  ${figure}: ${value}   (target ${goal}: ${met === null ? 'n/a' : met ? 'met' : 'MISSED'})`);
};

/** The whole command, timed: wall, CPU (user + system) and peak memory from /usr/bin/time, the JSON report. */
function command(argv) {
  const json = join(dir, `report-${rows.length}-${Math.random().toString(36).slice(2)}.json`);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, join(root, 'dist/cli/main.js'), 'verify', ...argv, '--quiet', '--json', json, '--corpus', join(dir, `corpus-${rows.length}-${Math.random().toString(36).slice(2)}`)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  let report = null;
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    // no report: the command failed before writing one (its stderr says why)
  }
  return { wall, cpu, rss, status: r.status, out: r.stdout, err: r.stderr, report };
}

/** The big case with the hidden layer's activation and the output's activation and loss set. */
function familyCase(batch, hidden, output, loss) {
  const c = bigCase({ sizes: [784, 128, 10], batch, seed: 6 });
  if (hidden !== 'sigmoid') c.network.layers[0].activation = hidden;
  if (output !== 'sigmoid') c.network.layers[1].activation = output;
  if (loss !== 'bce') c.network.loss = loss;
  const file = join(dir, `big-${hidden}-${output}-${loss}-${batch}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}

const best = (runs) => runs.reduce((a, b) => (b.wall < a.wall ? b : a));

console.log(`backprop-oracle family bench (issue 12): node ${process.version}, ${os.cpus().length} cores, load average ${load()}`);

// --- 1: certification of the full-size network, ReLU / softmax / cce beside sigmoid / bce ---
console.log('\n[1] full certification, 784-128-10, batch 1, the same numbers: `verify --impl fixtures/implementations/v2-correct.mjs --case big.json`');
const sigmoidFile = familyCase(1, 'sigmoid', 'sigmoid', 'bce');
const reluFile = familyCase(1, 'relu', 'softmax', 'cce');
const sig = [];
const rel = [];
for (let k = 0; k < (quick ? 2 : 4); k++) {
  // interleaved, so that a change of load hits both
  sig.push(command(['--impl', impl('v2-correct.mjs'), '--case', sigmoidFile]));
  rel.push(command(['--impl', impl('v2-correct.mjs'), '--case', reluFile]));
}
const s1 = best(sig);
const r1 = best(rel);
const verdictOf = (r) => r.report?.verdict ?? `exit ${r.status}: ${(r.err.split('\n').find((l) => /error|E_/.test(l)) ?? '').trim()}`;
console.log(`  sigmoid / bce:       ${s1.wall.toFixed(2)} s wall (median ${median(sig.map((r) => r.wall)).toFixed(2)} s), CPU ${s1.cpu.toFixed(2)} s, ${s1.rss.toFixed(0)} MB, verdict ${verdictOf(s1)}`);
console.log(`  relu / softmax, cce: ${r1.wall.toFixed(2)} s wall (median ${median(rel.map((r) => r.wall)).toFixed(2)} s), CPU ${r1.cpu.toFixed(2)} s, ${r1.rss.toFixed(0)} MB, verdict ${verdictOf(r1)}`);
const note = /note: (certified[^\n]*)/.exec(r1.out)?.[1];
if (note) console.log(`  ${note}`);
row(1, 'relu / softmax certification time / sigmoid certification time (best of runs, same run)', `${(r1.wall / s1.wall).toFixed(2)}x (CPU ${(r1.cpu / s1.cpu).toFixed(2)}x)`, '<= 1.5x', r1.wall / s1.wall <= 1.5 && r1.report?.verdict === 'correct');
const reluFile64 = familyCase(64, 'relu', 'softmax', 'cce');
const r64 = best(Array.from({ length: quick ? 1 : 2 }, () => command(['--impl', impl('v2-correct.mjs'), '--case', reluFile64])));
row(1, 'relu / softmax, cce, batch 64, whole command', `${r64.wall.toFixed(2)} s wall, CPU ${r64.cpu.toFixed(2)} s, ${r64.rss.toFixed(0)} MB, verdict ${verdictOf(r64)}`, '< 6 s', r64.wall < 6 && r64.report?.verdict === 'correct');

// --- 2: throughput of generated runs on the mixed family ---
console.log('\n[2] generated runs, every activation and loss, networks up to 8-8-8 (--max-layers 3), the built-in reference');
const ALL = ['--activations', 'sigmoid,tanh,relu,leaky_relu,linear,softmax', '--losses', 'bce,cce,mse'];
const runs = quick ? 300 : 1000;
const mixed = best(Array.from({ length: 2 }, () => command(['--runs', String(runs), '--max-layers', '3', '--seed', '12', ...ALL])));
const perCpu = (mixed.report?.casesRun ?? 0) / mixed.cpu;
row(2, 'cases per CPU second (whole command, startup included)', `${perCpu.toFixed(0)} (${mixed.report?.casesRun ?? 0} cases, CPU ${mixed.cpu.toFixed(2)} s, wall ${mixed.wall.toFixed(2)} s, verdict ${verdictOf(mixed)})`, '>= 200', perCpu >= 200 && mixed.report?.verdict === 'correct');

// --- 3: false alarms and detection, per family ---
const FAMILIES = [
  ['sigmoid / bce', ['--activations', 'sigmoid', '--losses', 'bce']],
  ['tanh / mse', ['--activations', 'tanh', '--losses', 'mse']],
  ['relu / mse', ['--activations', 'relu', '--losses', 'mse']],
  ['leaky_relu / mse', ['--activations', 'leaky_relu', '--losses', 'mse']],
  ['linear / mse', ['--activations', 'linear', '--losses', 'mse']],
  ['hidden mix / softmax, cce', ['--activations', 'sigmoid,tanh,relu,leaky_relu,linear,softmax', '--losses', 'cce']],
  ['hidden mix / sigmoid, bce', ['--activations', 'sigmoid,tanh,relu,leaky_relu,linear', '--losses', 'bce']],
  ['everything', ALL],
];
const CORRECT = [
  ['v2-correct.mjs', ['--impl', impl('v2-correct.mjs')], true],
  ['v2-correct.py', ['--cmd', `python3 ${impl('v2-correct.py')}`], true],
  ['v2-tfjs.mjs (float32)', ['--impl', impl('v2-tfjs.mjs')], false],
];
console.log(`\n[3] false alarms: the correct version-2 examples on ${CASES} generated cases per family (--strict, except the float32 TensorFlow.js one: never wrong)`);
console.log(`  ${'implementation'.padEnd(24)} ${'family'.padEnd(26)} ${'verdict'.padEnd(11)} ${'cases'.padStart(6)} ${'wall'.padStart(8)}`);
let alarms = 0;
let judgedFamilies = 0;
for (const [name, target, strict] of CORRECT) {
  for (const [family, flags] of FAMILIES) {
    const r = command([...target, '--runs', String(CASES), '--seed', '2026', ...flags, ...(strict ? ['--strict'] : [])]);
    const verdict = verdictOf(r);
    const ok = strict ? r.report?.verdict === 'correct' : r.report !== null && r.report.verdict !== 'wrong' && r.status !== 2;
    if (!ok) alarms++;
    judgedFamilies++;
    console.log(`  ${name.padEnd(24)} ${family.padEnd(26)} ${String(verdict).padEnd(11)} ${String(r.report?.casesRun ?? '-').padStart(6)} ${(r.wall.toFixed(1) + ' s').padStart(8)}${ok ? '' : '   <- FALSE ALARM'}`);
    if (!ok && r.report?.failures?.[0]) console.log(`      ${r.report.failures[0].where}: ${r.report.failures[0].message}`);
  }
}
row(3, 'false alarms on the correct examples', `${alarms} of ${judgedFamilies} (implementation, family) runs`, '0', alarms === 0);

const BUGGY = [
  ['v2-buggy-softmax-diagonal.mjs', ['--activations', 'sigmoid,tanh,relu,softmax', '--losses', 'cce']],
  ['v2-buggy-sigmoid-slope-everywhere.mjs', ['--activations', 'tanh,relu,linear,sigmoid', '--losses', 'bce,mse']],
  ['v2-buggy-relu-kink.mjs', ['--activations', 'relu,linear', '--losses', 'mse']],
  ['v2-buggy-mse-factor.mjs', ['--activations', 'tanh,linear,sigmoid', '--losses', 'mse']],
  ['v2-buggy-cce-mean.mjs', ['--activations', 'relu,softmax', '--losses', 'cce']],
  ['v2-buggy-tanh-slope.mjs', ['--activations', 'tanh,sigmoid', '--losses', 'bce,mse']],
];
console.log('\n[3] detection: every buggy version-2 example, 500 generated cases of the family it breaks');
let caught = 0;
for (const [file, flags] of BUGGY) {
  const r = command(['--impl', impl(file), '--runs', '500', '--seed', '42', ...flags]);
  const f = r.report?.failures?.[0];
  const layers = f?.case?.network?.layers ?? [];
  const units = Math.max(0, ...layers.map((l) => Math.max(l.weights.length, l.weights[0]?.length ?? 0)));
  const small = layers.length > 0 && layers.length <= 2 && units <= 3;
  const ok = r.report?.verdict === 'wrong' && small;
  if (ok) caught++;
  console.log(`  ${file.padEnd(40)} ${String(verdictOf(r)).padEnd(8)} ${f ? `at ${f.where}, counterexample ${layers.length} layer(s), at most ${units} unit(s) per layer${f.shrinkStopped ? ' (shrinking stopped early)' : ''}` : ''}${ok ? '' : '   <- MISSED'}`);
}
row(3, 'buggy examples wrong with a counterexample of <= 2 layers and <= 3 units', `${caught} of ${BUGGY.length}`, 'all', caught === BUGGY.length);

console.log('\n[issue 12] summary');
for (const r of rows) console.log(`  ${r.met === null ? 'n/a   ' : r.met ? 'met   ' : 'MISSED'} ${r.figure}: ${r.value} (target ${r.goal})`);
