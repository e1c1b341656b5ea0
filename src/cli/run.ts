import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { referenceImplementation } from '../iut/builtin.js';
import { IutError } from '../iut/errors.js';
import { startCommand } from '../iut/jsonLines.js';
import { RestartingIut } from '../iut/restarting.js';
import { inProcess, loadModule } from '../iut/module.js';
import type { Iut } from '../iut/types.js';
import { saveCounterexamples } from '../report/counterexamples.js';
import { writeFileAtomically as writeAtomically } from '../verify/corpus.js';
import { githubAnnotations, reportToJson, reportToJunit, shouldAnnotate } from '../report/formats.js';
import { formatSelfCheck, selfCheckToJson } from '../report/selfCheckText.js';
import { formatReport } from '../report/text.js';
import { verifyCases } from '../verify/cases.js';
import { readCorpus } from '../verify/corpus.js';
import { settleReport, verifyGenerated, type Progress } from '../verify/engine.js';
import type { ExitCode, VerifyReport } from '../verify/report.js';
import { selfCheck } from '../verify/selfCheck.js';
import { asksForHelp, parseCommandLine, USAGE, type SelfCheckArgs, type VerifyArgs } from './args.js';
import { readCases } from './cases.js';
import { UsageError } from './errors.js';
import { DECAY_USAGE, parseDecayArgs, runDecay } from './decay.js';
import { verifyDirectional } from '../verify/directional.js';
import { resolveGenerateOptions } from '../generate/options.js';
import { ACTIVATION_NAMES, LOSS_NAMES } from '../network/types.js';

/** Where the CLI writes and what it knows of its environment; injected so specs can capture it. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  env?: NodeJS.ProcessEnv;
}

/** How often, at most, a display that is not a terminal prints a line about the shrinking. */
const PLAIN_SHRINK_INTERVAL_MS = 5_000;

/** A progress display: one rewritten line on a terminal, a plain line per tenth (and while shrinking, every few seconds) otherwise. */
function progressDisplay(io: Io, quiet: boolean, timeBudget: number | null): { update: (p: Progress) => void; end: () => void } {
  let lastPlain = -1;
  let lastShrinkLine = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const line = (p: Progress): string => {
    const left = timeBudget !== null ? `, ${Math.max(0, timeBudget - p.elapsedMs / 1000).toFixed(0)} s left` : '';
    const base = `${p.done}/${p.total} cases, ${p.wrong} wrong, ${p.inaccurate} inaccurate`;
    if (p.phase !== 'shrink') return `${base}${left}`;
    const s = p.shrink;
    return s ? `${base}; shrinking: ${s.steps} steps, best so far ${s.best}, ${(s.leftMs / 1000).toFixed(s.leftMs < 10_000 ? 1 : 0)} s left` : `${base}; shrinking (${p.shrinkSteps} steps)`;
  };
  return {
    update: (p) => {
      if (quiet) return;
      if (io.isTTY) {
        io.err(`\r\x1b[2K${line(p)}`);
        drawn = true;
      } else if (p.phase === 'shrink') {
        if (p.elapsedMs - lastShrinkLine >= PLAIN_SHRINK_INTERVAL_MS) {
          lastShrinkLine = p.elapsedMs;
          io.err(`${line(p)}\n`);
        }
      } else if (p.done === p.total || Math.floor((10 * p.done) / p.total) > lastPlain) {
        lastPlain = Math.floor((10 * p.done) / p.total);
        io.err(`${line(p)}\n`);
      }
    },
    end: () => {
      if (drawn) io.err('\n');
    },
  };
}

/** The implementation a run verifies: a module, a command, or the built-in reference. */
type Target = { impl: string } | { cmd: string } | { builtin: true };

/** The label of the built-in reference (reports and the corpus name it so). */
const BUILTIN_LABEL = 'built-in float64 reference';

const MODULE_FILE = /\.(m|c)?(j|t)s$/;

/**
 * The implementation a saved counterexample records (`replay FILE` without --impl or --cmd): the
 * `found.target` the verifier writes, or for an older file its key when that is the built-in
 * reference or an existing module file. A message instead when it records none.
 */
function recordedTarget(file: string): Target | string {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `replay: cannot read ${file}: ${(error as Error).message}`;
  }
  const entry = (typeof data === 'object' && data !== null ? data : {}) as { key?: unknown; found?: { target?: { impl?: unknown; cmd?: unknown; builtin?: unknown } } };
  const target = entry.found?.target;
  if (typeof target?.impl === 'string' && target.impl !== '') return { impl: target.impl };
  if (typeof target?.cmd === 'string' && target.cmd.trim() !== '') return { cmd: target.cmd };
  if (target?.builtin === true || entry.key === BUILTIN_LABEL) return { builtin: true };
  const none = `replay: ${file} does not record the implementation it failed on: name it with --impl FILE or --cmd "COMMAND"`;
  if (typeof entry.key !== 'string' || entry.key === '') return none;
  if (MODULE_FILE.test(entry.key) && existsSync(entry.key)) return { impl: entry.key };
  return `replay: ${file} records the implementation ${JSON.stringify(entry.key)} but not whether it is a module or a command: name it with --impl FILE or --cmd "COMMAND"`;
}

function targetOf(args: VerifyArgs): Target {
  return args.impl ? { impl: args.impl } : args.cmd ? { cmd: args.cmd } : { builtin: true };
}

function targetWords(target: Target): string {
  return 'impl' in target ? `--impl ${target.impl}` : 'cmd' in target ? `--cmd ${JSON.stringify(target.cmd)}` : 'the built-in reference';
}

async function openIut(args: VerifyArgs, target: Target, io: Io): Promise<Iut> {
  const log = (text: string): void => io.err(`[implementation] ${text}\n`);
  if ('impl' in target) return loadModule(target.impl, { timeoutMs: args.timeout, log });
  if ('cmd' in target) {
    // a crashed process is started again (bounded), so one crash does not end the run
    const cmd = target.cmd;
    const start = (): Promise<Iut> => startCommand(cmd, { timeoutMs: args.timeout, log });
    return new RestartingIut(start, cmd, args.maxCrashes, await start());
  }
  return inProcess(referenceImplementation, BUILTIN_LABEL, { timeoutMs: args.timeout });
}

/**
 * Writes what the run found and the reports the options ask for, in that order: the corpus first
 * (counterexamples set their replay paths), then the JSON and JUnit reports, whose exit code is
 * the process's (130 / 143 after a signal, 2 when the corpus could not be written). A failure to
 * write is reported. Returns the report as written, with the process's exit code.
 */
function writeReports(found: VerifyReport, args: VerifyArgs, target: Target, io: Io, signalExit: 130 | 143 | null, wrote: string[]): VerifyReport {
  let failed = false;
  const attempt = (what: string, write: () => void, file?: string): void => {
    try {
      write();
      if (file !== undefined && !wrote.includes(file)) wrote.push(file);
    } catch (error) {
      failed = true;
      io.err(`verify: could not write ${what}: ${(error as Error).message}\n`);
    }
  };
  const notes = [...found.notes];
  if (found.failures.some((f) => f.origin !== 'given' || f.shrinkSteps !== null) || found.error?.case) {
    attempt(`the counterexamples to the corpus ${args.saveCounterexamples}`, () => saveCounterexamples(found, args.saveCounterexamples, target));
    if (failed) notes.push(`the counterexamples could not be written to the corpus ${args.saveCounterexamples} (exit 2)`);
  }
  const exit = (): ExitCode => signalExit ?? (failed ? 2 : 0);
  let report = settleReport({ ...found, notes }, exit());
  if (args.json) attempt(`the JSON report to --json ${args.json}`, () => writeAtomically(args.json!, reportToJson(report) + '\n'), `the JSON report ${args.json}`);
  if (args.junit) {
    const before = failed;
    attempt(`the JUnit report to --junit ${args.junit}`, () => writeAtomically(args.junit!, reportToJunit(report)), `the JUnit report ${args.junit}`);
    // the JSON already written must say the exit code the process ends with
    if (failed && !before && args.json) {
      report = settleReport(report, exit());
      attempt(`the JSON report to --json ${args.json}`, () => writeAtomically(args.json!, reportToJson(report) + '\n'));
    }
  }
  return settleReport(report, exit());
}

async function runVerify(args: VerifyArgs, io: Io): Promise<number> {
  const cases = args.cases.length > 0 ? readCases(args.cases) : null;
  let target = targetOf(args);
  if (args.replay !== undefined && !args.impl && !args.cmd) {
    // replay FILE: the implementation the file failed on, never silently the built-in reference
    const recorded = recordedTarget(args.replay);
    if (typeof recorded === 'string') {
      io.err(`${recorded}\n`);
      return 2;
    }
    target = recorded;
    io.err(`replay: the file records the implementation ${targetWords(target)}; verifying that\n`);
  }
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
    iut = await openIut(args, target, io);
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
  let found: VerifyReport;
  try {
    const options = {
      runs: args.runs,
      seed: args.seed,
      maxLayers: args.maxLayers,
      strict: args.strict,
      digits: args.digits,
      shrinkBudgetSeconds: args.shrinkBudget,
      onProgress: display.update,
      signal: controller.signal,
      ...(stored && stored.cases.length > 0 ? { replay: stored.cases } : {}),
      ...(args.path !== null ? { path: args.path } : {}),
      ...(args.precision !== null ? { precision: args.precision } : {}),
      ...(args.timeBudget !== null ? { timeBudgetSeconds: args.timeBudget } : {}),
      ...(args.shard !== null ? { shard: args.shard } : {}),
      ...(args.activations !== null ? { activations: args.activations } : {}),
      ...(args.losses !== null ? { losses: args.losses } : {}),
    };
    found = !cases
      ? await verifyGenerated(opened, options)
      : args.mode === 'directional'
        ? await verifyDirectional(opened, cases, { digits: args.digits, seed: args.seed, strict: args.strict, directions: args.directions, ...(args.precision !== null ? { precision: args.precision } : {}) })
        : await verifyCases(opened, cases, options);
  } finally {
    unlisten();
    display.end();
    await opened.close();
  }
  const signalExit = stoppedBy === null ? null : stoppedBy === 'SIGINT' ? 130 : 143;
  // files first (counterexamples set their replay paths), then the summary that names them
  const wrote: string[] = [];
  const report = writeReports(found, args, target, io, signalExit, wrote);
  const who = 'builtin' in target ? '' : targetWords(target);
  io.out(formatReport(report, `backprop-oracle verify ${who}`.trim()) + '\n');
  if (wrote.length > 0) io.out(`wrote ${wrote.join(', ')}\n`);
  if (shouldAnnotate(io.env ?? {})) for (const line of githubAnnotations(report)) io.out(line + '\n');
  return report.exitCode;
}

function runSelfCheck(args: SelfCheckArgs, io: Io): number {
  // the families: sigmoid / bce unless asked; one option given, the other is every name
  const families = args.activations === null && args.losses === null
    ? {}
    : { activations: args.activations ?? [...ACTIVATION_NAMES], losses: args.losses ?? [...LOSS_NAMES] };
  try {
    resolveGenerateOptions({ maxLayers: args.maxLayers, ...families });
  } catch (error) {
    io.err(`self-check: ${(error as Error).message}\n`);
    return 2;
  }
  const display = progressDisplay(io, args.quiet, null);
  const report = selfCheck({
    runs: args.runs,
    seed: args.seed,
    precision: args.digits,
    generate: { maxLayers: args.maxLayers, ...families },
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
    io.out(`wrote the JSON report ${args.json}\n`);
  }
  // nothing compared with finite differences: the check could not do its job
  return report.verdict === 'correct' ? 0 : report.verdict === 'inconclusive' ? 2 : 1;
}

/** Runs one command line and returns the exit code (0 correct, 1 wrong, 2 could not do the job). */
export async function run(argv: readonly string[], io: Io, version = '0.0.0'): Promise<number> {
  try {
    const [first, ...rest] = argv;
    const helpFor = first === 'help' ? rest[0] : first !== undefined && asksForHelp(rest) ? first : undefined;
    if (helpFor === 'decay') {
      io.out(DECAY_USAGE + '\n');
      return 0;
    }
    if (helpFor === 'claim' || helpFor === 'catalogue') {
      io.out((helpFor === 'claim' ? (await import('./claim.js')).CLAIM_USAGE : (await import('./catalogue.js')).CATALOGUE_USAGE) + '\n');
      return 0;
    }
    if (first === 'decay') return runDecay(parseDecayArgs(rest), io);
    // claims need mathjs, whose loading costs about half a second: only these commands load it
    if (first === 'claim') {
      const { parseClaimArgs, runClaim } = await import('./claim.js');
      return runClaim(parseClaimArgs(rest), io);
    }
    if (first === 'catalogue') {
      const { parseCatalogueArgs, runCatalogue } = await import('./catalogue.js');
      return await runCatalogue(parseCatalogueArgs(rest), io);
    }
    const command = parseCommandLine(argv);
    switch (command.command) {
      case 'usage':
        io.err(USAGE + '\n');
        return 2;
      case 'help':
        io.out(command.text + '\n');
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
      const known = ['verify', 'replay', 'claim', 'catalogue', 'decay', 'self-check'].includes(argv[0] ?? '');
      io.err(`${error.message}\n\nRun "backprop-oracle ${known ? `${argv[0]} --help` : 'help'}" for the options.\n`);
      return 2;
    }
    io.err(`backprop-oracle: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}
