// Soak run (not a test; `node bench/soak.mjs [cases]`, default 10 000): verifies the Python JSON
// Lines example on many generated cases in one run and reports resident memory at the start and
// the end, and whether any child process or file handle leaked.
import { execSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { RestartingIut, startCommand, verifyGenerated } from '../dist/index.js';

const runs = Number(process.argv[2] ?? 10_000);
const marker = `soak-${process.pid}`;
const command = `python3 fixtures/implementations/correct.py ${marker}`;
const pythons = () => execSync('ps -eo args', { encoding: 'utf8' }).split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo')).length;
const fds = () => readdirSync('/proc/self/fd').length;
const mb = (b) => (b / 2 ** 20).toFixed(1);

const fdStart = fds();
const start = () => startCommand(command, { timeoutMs: 30_000 });
const iut = new RestartingIut(start, command, 10, await start());
const rss = [];
const sample = () => rss.push(process.memoryUsage().rss);
sample();
const t0 = performance.now();
const report = await verifyGenerated(iut, {
  runs,
  seed: 7,
  determinismChecks: 0,
  onProgress: (p) => {
    if (p.done % Math.ceil(runs / 20) === 0) {
      sample();
      process.stderr.write(`${p.done}/${runs} cases, rss ${mb(process.memoryUsage().rss)} MB\n`);
    }
  },
});
const seconds = (performance.now() - t0) / 1000;
sample();
const during = pythons();
await iut.close();
await new Promise((r) => setTimeout(r, 500));
const after = pythons();
const fdEnd = fds();
console.log(`soak: ${report.casesRun} cases against the Python JSON Lines example in ${seconds.toFixed(0)} s (${((seconds * 1000) / report.casesRun).toFixed(1)} ms per case), verdict ${report.verdict}`);
console.log(`resident memory: start ${mb(rss[0])} MB, after 5% ${mb(rss[1] ?? rss[0])} MB, end ${mb(rss.at(-1))} MB (max ${mb(Math.max(...rss))} MB)`);
console.log(`child processes: ${during} while running, ${after} after close; file descriptors: ${fdStart} at start, ${fdEnd} at end`);
