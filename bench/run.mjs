// npm run bench: throughput of the three sources of truth, measured side by side in one run.
// Figures, not assertions: these machines are noisy, so no timing is ever a test.
import os from 'node:os';
import { sampleCases } from '../dist/generate/index.js';
import { referenceGradients } from '../dist/reference/index.js';
import { createContext, oracle } from '../dist/oracle/index.js';
import { checkReference } from '../dist/compare/index.js';

function time(fn, minMs = 300) {
  let n = 0;
  const start = performance.now();
  do { fn(); n++; } while (performance.now() - start < minMs);
  return (performance.now() - start) / n;
}

console.log(`backprop-oracle bench: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'})`);
const ctx = createContext(50);
const rows = [];
for (const [label, opts] of [
  ['1-2 layers, width <= 4', { maxLayers: 2, maxWidth: 4, classes: ['typical'] }],
  ['up to 8-8-8 (3 layers)', { minLayers: 3, maxLayers: 3, maxWidth: 8, classes: ['typical'] }],
  ['up to 6 layers of 8', { minLayers: 6, maxLayers: 6, maxWidth: 8, classes: ['typical'] }],
]) {
  const cases = sampleCases(opts, 20, 1);
  let k = 0;
  const next = () => cases[k++ % cases.length];
  const ref = time(() => { const c = next(); referenceGradients(c.network, c.batch); });
  const analytic = time(() => { const c = next(); oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false }); });
  const full = time(() => { const c = next(); checkReference(c.network, c.batch, oracle(c.network, c.batch, { precision: ctx })); }, 1000);
  rows.push({ label, ref, analytic, full });
}
console.log('\ncases                      reference/case  oracle(analytic)/case  three-way check/case  cases/s (three-way)  oracle/reference');
for (const r of rows) {
  console.log(`${r.label.padEnd(26)} ${(r.ref * 1000).toFixed(1).padStart(11)} us ${r.analytic.toFixed(2).padStart(18)} ms ${r.full.toFixed(2).padStart(17)} ms ${(1000 / r.full).toFixed(1).padStart(20)} ${(r.analytic / r.ref).toFixed(0).padStart(16)}x`);
}

// Issue 6: certification of a full-size network, detection, directional mode, throughput,
// scaling, the reference against TensorFlow.js, memory and the tuned precision.
await import('./performance.mjs');

// Issue 3: the smallest relative error in ONE gradient entry that the default run detects
const { detection } = await import('./detection.mjs');
const det = await detection();
console.log('\n[issue 3] detection power of the default run (200 cases, seed 42), one entry scaled by (1 + eps):');
for (const r of det.rows) console.log(`  eps ${r.eps.toExponential(0).padStart(6)}: ${r.verdict}${r.verdict === 'wrong' ? ` (after ${r.casesUntilCaught} case(s))` : ''}`);
console.log(`  false alarm on the unmodified reference: ${det.falseAlarm ? 'YES' : 'no'}`);

// Issue 10, part 6: no false alarm on correct code that is not ours (every correct fixture, 2000
// cases per class, judged under --strict), and how much of STABLE_SLACK their errors use
const falseAlarms = await import('./falseAlarms.mjs');
console.log('\n[issue 10] false alarms on correct fixtures (2000 cases per class, --strict); max ratio = error / stable bound without STABLE_SLACK:');
falseAlarms.printHeader();
falseAlarms.printSummary(await falseAlarms.falseAlarms({ cases: 2000, onClass: (stats, seconds) => falseAlarms.printRows(stats, seconds) }));

// Issue 12: protocol version 2's family: the full-size ReLU / softmax certification beside the
// sigmoid one, throughput of generated runs on the mixed family, false alarms and detection
// (a child process: it times whole commands, as a user runs them)
{
  const { spawnSync } = await import('node:child_process');
  console.log('');
  const r = spawnSync(process.execPath, [new URL('./family.mjs', import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`bench/family.mjs exited with ${r.status}`);
}
