import { writeFileSync } from 'node:fs';
import { referenceImplementation } from '../iut/builtin.js';
import { IutError } from '../iut/errors.js';
import { startCommand } from '../iut/jsonLines.js';
import { RestartingIut } from '../iut/restarting.js';
import { inProcess, loadModule } from '../iut/module.js';
import type { Iut } from '../iut/types.js';
import { saveCounterexamples, writeAtomically } from '../report/counterexamples.js';
import { githubAnnotations, reportToJson, reportToJunit, shouldAnnotate } from '../report/formats.js';
import { formatSelfCheck, selfCheckToJson } from '../report/selfCheckText.js';
import { formatReport } from '../report/text.js';
import { verifyCases } from '../verify/cases.js';
import { readCorpus } from '../verify/corpus.js';
import { verifyGenerated, type Progress } from '../verify/engine.js';
import type { VerifyReport } from '../verify/report.js';
import { selfCheck } from '../verify/selfCheck.js';
import { parseCommandLine, USAGE, type SelfCheckArgs, type VerifyArgs } from './args.js';
import { readCases } from './cases.js';
import { UsageError } from './errors.js';
import { parseDecayArgs, runDecay } from './decay.js';
import { verifyDirectional } from '../verify/directional.js';

/** Where the CLI writes and what it knows of its environment; injected so specs can capture it. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A progress display: one rewritten line on a terminal, a plain line per tenth otherwise. */
function progressDisplay(io: Io, quiet: boolean, timeBudget: number | null): { update: (p: Progress) => void; end: () => void } {
  let lastPlain = -1;
  let drawn = false;
  const line = (p: Progress): string => {
    const left = timeBudget !== null ? `, ${Math.max(0, timeBudget - p.elapsedMs / 1000).toFixed(0)} s left` : '';
    const base = `${p.done}/${p.total} cases, ${p.wrong} wrong, ${p.inaccurate} inaccurate${left}`;
    return p.phase === 'shrink' ? `${base}; shrinking (${p.shrinkSteps} steps)` : base;
  };
  return {
    update: (p) => {
      if (quiet) return;
      if (io.isTTY) {
        io.err(`\r\x1b[2K${line(p)}`);
        drawn = true;
      } else if (p.phase === 'generate' && (p.done === p.total || Math.floor((10 * p.done) / p.total) > lastPlain)) {
        lastPlain = Math.floor((10 * p.done) / p.total);
        io.err(`${line(p)}\n`);
      }
    },
    end: () => {
      if (drawn) io.err('\n');
    },
  };
}

async function openIut(args: VerifyArgs, io: Io): Promise<Iut> {
  const log = (text: string): void => io.err(`[implementation] ${text}\n`);
  if (args.impl) return loadModule(args.impl, { timeoutMs: args.timeout, log });
  if (args.cmd) {
    // a crashed process is started again (bounded), so one crash does not end the run
    const cmd = args.cmd;
    const start = (): Promise<Iut> => startCommand(cmd, { timeoutMs: args.timeout, log });
    return new RestartingIut(start, cmd, args.maxCrashes, await start());
  }
  return inProcess(referenceImplementation, 'built-in float64 reference', { timeoutMs: args.timeout });
}

/** Writes every report the options ask for; a failure to write is reported and makes the exit code 2. */
function writeReports(report: VerifyReport, args: VerifyArgs, io: Io): boolean {
  let ok = true;
  const attempt = (what: string, write: () => void): void => {
    try {
      write();
    } catch (error) {
      ok = false;
      io.err(`verify: could not write ${what}: ${(error as Error).message}\n`);
    }
  };
  if (report.failures.some((f) => f.origin !== 'given') || report.error?.case) attempt(`the counterexamples to the corpus ${args.saveCounterexamples}`, () => saveCounterexamples(report, args.saveCounterexamples));
  if (args.json) attempt(`the JSON report to --json ${args.json}`, () => writeAtomically(args.json!, reportToJson(report) + '\n'));
  if (args.junit) attempt(`the JUnit report to --junit ${args.junit}`, () => writeAtomically(args.junit!, reportToJunit(report)));
  return ok;
}

async function runVerify(args: VerifyArgs, io: Io): Promise<number> {
  const cases = args.cases.length > 0 ? readCases(args.cases) : null;
  // Ctrl-C or SIGTERM: stop the implementation, keep everything found, report it, exit 130 / 143
  const controller = new AbortController();
  let stoppedBy: 'SIGINT' | 'SIGTERM' | null = null;
  let iut: Iut | null = null;
  const stop = (signal: 'SIGINT' | 'SIGTERM') => (): void => {
    stoppedBy ??= signal;
    controller.abort(signal);
    void iut?.close();
  };
  const onInt = stop('SIGINT');
  const onTerm = stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const unlisten = (): void => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  try {
    iut = await openIut(args, io);
  } catch (error) {
    unlisten();
    if (error instanceof IutError) {
      io.err(`verify: the implementation could not be started: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (stoppedBy) {
    unlisten();
    await iut.close();
    io.err(`verify: interrupted (${stoppedBy}) before any case was run\n`);
    return stoppedBy === 'SIGINT' ? 130 : 143;
  }
  const opened: Iut = iut;
  const display = progressDisplay(io, args.quiet, args.timeBudget);
  const stored = cases ? null : readCorpus(args.saveCounterexamples, opened.label);
  for (const s of stored?.skipped ?? []) io.err(`verify: skipped a corrupt corpus file: ${s.file}: ${s.reason}\n`);
  let report: VerifyReport;
  try {
    const options = {
      runs: args.runs,
      seed: args.seed,
      maxLayers: args.maxLayers,
      strict: args.strict,
      digits: args.digits,
      onProgress: display.update,
      signal: controller.signal,
      ...(stored && stored.cases.length > 0 ? { replay: stored.cases } : {}),
      ...(args.path !== null ? { path: args.path } : {}),
      ...(args.precision !== null ? { precision: args.precision } : {}),
      ...(args.timeBudget !== null ? { timeBudgetSeconds: args.timeBudget } : {}),
      ...(args.shard !== null ? { shard: args.shard } : {}),
    };
    report = !cases
      ? await verifyGenerated(opened, options)
      : args.mode === 'directional'
        ? await verifyDirectional(opened, cases, { digits: args.digits, seed: args.seed, strict: args.strict, directions: args.directions, ...(args.precision !== null ? { precision: args.precision } : {}) })
        : await verifyCases(opened, cases, options);
  } finally {
    unlisten();
    display.end();
    await opened.close();
  }
  // files first (counterexamples set their replay paths), then the summary that names them
  const written = writeReports(report, args, io);
  const who = args.impl ? `--impl ${args.impl}` : args.cmd ? `--cmd ${JSON.stringify(args.cmd)}` : '';
  io.out(formatReport(report, `backprop-oracle verify ${who}`.trim()) + '\n');
  if (shouldAnnotate(io.env ?? {})) for (const line of githubAnnotations(report)) io.out(line + '\n');
  if (stoppedBy) return stoppedBy === 'SIGINT' ? 130 : 143;
  return written ? report.exitCode : 2;
}

function runSelfCheck(args: SelfCheckArgs, io: Io): number {
  const display = progressDisplay(io, args.quiet, null);
  const report = selfCheck({
    runs: args.runs,
    seed: args.seed,
    precision: args.digits,
    generate: { maxLayers: args.maxLayers },
    onCase: (done, total, failures) => display.update({ phase: 'generate', done, total, wrong: failures, inaccurate: 0, elapsedMs: 0, shrinkSteps: 0 }),
  });
  display.end();
  io.out(formatSelfCheck(report) + '\n');
  if (args.json) {
    try {
      writeFileSync(args.json, selfCheckToJson(report) + '\n');
    } catch (error) {
      io.err(`self-check: could not write the JSON report to --json ${args.json}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return report.verdict === 'correct' ? 0 : 1;
}

/** Runs one command line and returns the exit code (0 correct, 1 wrong, 2 could not do the job). */
export async function run(argv: readonly string[], io: Io, version = '0.0.0'): Promise<number> {
  try {
    if (argv[0] === 'decay') return runDecay(parseDecayArgs(argv.slice(1)), io);
    // claims need mathjs, whose loading costs about half a second: only these commands load it
    if (argv[0] === 'claim') {
      const { parseClaimArgs, runClaim } = await import('./claim.js');
      return runClaim(parseClaimArgs(argv.slice(1)), io);
    }
    if (argv[0] === 'catalogue') {
      const { parseCatalogueArgs, runCatalogue } = await import('./catalogue.js');
      return await runCatalogue(parseCatalogueArgs(argv.slice(1)), io);
    }
    const command = parseCommandLine(argv);
    switch (command.command) {
      case 'help':
        io.out(USAGE + '\n');
        return 0;
      case 'version':
        io.out(version + '\n');
        return 0;
      case 'self-check':
        return runSelfCheck(command, io);
      case 'verify':
        return await runVerify(command, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\nRun "backprop-oracle help" for the options.\n`);
      return 2;
    }
    io.err(`backprop-oracle: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}
