import { writeFileSync } from 'node:fs';
import { formatSelfCheck, selfCheckToJson } from '../report/selfCheckText.js';
import { selfCheck } from '../verify/selfCheck.js';
import { parseCommandLine, USAGE, type VerifyArgs } from './args.js';
import { UsageError } from './errors.js';

/** Where the CLI writes; injected so specs can capture it. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
}

function runVerify(args: VerifyArgs, io: Io): number {
  let lastLine = 0;
  const report = selfCheck({
    runs: args.runs,
    seed: args.seed,
    precision: args.precision,
    generate: { maxLayers: args.maxLayers },
    onCase: (done, total, failures) => {
      if (args.quiet) return;
      if (io.isTTY) io.err(`\r${done}/${total} cases, ${failures} failure(s)`);
      else if (done === total || done - lastLine >= Math.max(1, Math.ceil(total / 10))) {
        io.err(`${done}/${total} cases, ${failures} failure(s)\n`);
        lastLine = done;
      }
    },
  });
  if (io.isTTY && !args.quiet) io.err('\n');
  // the summary first: whatever happens to the files, what was computed is shown
  io.out(formatSelfCheck(report) + '\n');
  if (args.json) {
    try {
      writeFileSync(args.json, selfCheckToJson(report) + '\n');
    } catch (error) {
      io.err(`verify: could not write the JSON report to --json ${args.json}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return report.verdict === 'correct' ? 0 : 1;
}

/** Runs one command line and returns the exit code (0 correct, 1 wrong, 2 could not do the job). */
export function run(argv: readonly string[], io: Io, version = '0.0.0'): number {
  try {
    const command = parseCommandLine(argv);
    switch (command.command) {
      case 'help':
        io.out(USAGE + '\n');
        return 0;
      case 'version':
        io.out(version + '\n');
        return 0;
      case 'verify':
        return runVerify(command, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.err(`backprop-oracle: ${(error as Error).message}\n`);
    return 2;
  }
}
