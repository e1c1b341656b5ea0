import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/** Options of `backprop-oracle verify` (built-in reference). */
export interface VerifyArgs {
  command: 'verify';
  runs: number;
  seed: number;
  maxLayers: number;
  precision: number;
  json: string | null;
  quiet: boolean;
}

/** What the command line asks for. */
export type Command = VerifyArgs | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: backprop-oracle <command> [options]

Commands:
  verify     check the float64 reference against the decimal oracle and finite differences
             on generated networks (the built-in default)
  help       show this text

verify options:
  --runs N          generated cases (default 200)
  --seed S          seed of the generator (default 42); the same seed gives the same cases
  --max-layers L    largest number of layers generated, 1 to 12 (default 6)
  --precision P     oracle precision in significant digits, 30 to 200 (default 50)
  --json FILE       also write the full report as JSON
  --quiet           print only the summary

Exit codes: 0 correct, 1 wrong, 2 the verifier could not do its job (bad arguments, unreadable input).`;

function integer(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`verify: --${option} must be an integer from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`verify: --${option} must be an integer from ${min} to ${max}, got ${raw}`);
  return value;
}

/** Parses a command line (without `node` and the script); throws UsageError on anything malformed. */
export function parseCommandLine(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === '--version' || command === 'version') return { command: 'version' };
  if (command !== 'verify') throw new UsageError(`unknown command "${command}"; commands: verify, help`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        'max-layers': { type: 'string' },
        precision: { type: 'string' },
        json: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`verify: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
  const text = (key: string): string | undefined => values[key] as string | undefined;
  const json = text('json');
  if (json !== undefined && json.trim() === '') throw new UsageError('verify: --json needs a file name');
  return {
    command: 'verify',
    runs: integer('runs', text('runs'), 200, 1, 10_000_000),
    seed: integer('seed', text('seed'), 42, -(2 ** 31), 2 ** 31 - 1),
    maxLayers: integer('max-layers', text('max-layers'), 6, 1, 12),
    precision: integer('precision', text('precision'), 50, 30, 200),
    json: json ?? null,
    quiet: values.quiet === true,
  };
}
