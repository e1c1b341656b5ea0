import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import { DEFAULT_CORPUS_DIR } from '../verify/corpus.js';
import { ACTIVATION_NAMES, LOSS_NAMES, type ActivationName, type LossName } from '../network/types.js';

/** Options of `backprop-oracle verify`. */
export interface VerifyArgs {
  command: 'verify';
  impl: string | null;
  cmd: string | null;
  runs: number;
  seed: number;
  path: string | null;
  maxLayers: number;
  precision: 'float32' | 'float64' | null;
  strict: boolean;
  timeBudget: number | null;
  /** Most seconds spent shrinking a failure (default 30). */
  shrinkBudget: number;
  timeout: number;
  maxCrashes: number;
  json: string | null;
  junit: string | null;
  saveCounterexamples: string;
  shard: { index: number; count: number } | null;
  cases: string[];
  digits: number;
  quiet: boolean;
  mode: 'cases' | 'directional';
  directions: number;
  /** `--activations`: generate only networks of these (null: every activation the implementation declares). */
  activations: ActivationName[] | null;
  /** `--losses`: generate only networks of these (null: every loss the implementation declares). */
  losses: LossName[] | null;
  /** `replay FILE`: the file may name the implementation when neither --impl nor --cmd does. */
  replay?: string;
}

/** Options of `backprop-oracle self-check`: the three-way check of reference, oracle and finite differences. */
export interface SelfCheckArgs {
  command: 'self-check';
  runs: number;
  seed: number;
  maxLayers: number;
  digits: number;
  json: string | null;
  quiet: boolean;
  /** `--activations` (null: sigmoid only, unless --losses is given: then every activation). */
  activations: ActivationName[] | null;
  /** `--losses` (null: bce only, unless --activations is given: then every loss). */
  losses: LossName[] | null;
}

/** What the command line asks for. */
export type Command = VerifyArgs | SelfCheckArgs | { command: 'help'; text: string } | { command: 'usage' } | { command: 'version' };



/** Where counterexamples are kept (and replayed from) unless --corpus says otherwise. */
/** Where counterexamples are kept unless --corpus says otherwise: the corpus's own default. */
export const DEFAULT_COUNTEREXAMPLE_DIR = DEFAULT_CORPUS_DIR;

/** Seconds of shrinking unless --shrink-budget says otherwise (the engine's default). */
export const DEFAULT_SHRINK_BUDGET = 30;

/** The usage of `backprop-oracle` alone: every command, with its main options. */
export const USAGE = `Usage: backprop-oracle <command> [options]       (backprop-oracle <command> --help for its options)

Commands:
  verify       verify an implementation (or, with neither --impl nor --cmd, the built-in reference)
               against the decimal oracle on generated networks or on given cases
               --impl FILE | --cmd "COMMAND", --runs N, --seed S, --case PATH, --strict, --json FILE, --junit FILE, ...
  replay FILE  run one saved counterexample (or case file) again, against the implementation it records
  claim        check a claimed formula for a gradient entry; a false one gets a worked counterexample
               "FORMULA", --layer L, --target T, --reduction R, --arithmetic A, --runs N, --json FILE, ...
  catalogue    run the classic wrong derivations live and print their kill status
               --runs N, --claim-runs N, --only ID, --markdown, --json FILE, ...
  decay        measure the vanishing gradient: gradient norm per layer against the derived bound
               --layers L, --width N, --init NAME, --samples K, --plot FILE, --html FILE, --json FILE, ...
  self-check   check the built-in reference, the oracle and finite differences against each other
               --runs N, --seed S, --max-layers L, --digits D, --json FILE, --quiet
  help         show this text (backprop-oracle help COMMAND: that command's options)

Examples:
  backprop-oracle verify --impl ./my-backprop.mjs
  backprop-oracle verify --cmd "python3 my_backprop.py" --json report.json
  backprop-oracle claim "(Z - t) * Y"

Exit codes: 0 correct (or inaccurate without --strict), 1 wrong (or inaccurate with --strict),
2 the verifier could not do its job (bad arguments, unreadable case, the implementation would
not start, crashed or broke the protocol, no case could be judged, what was found could not be
written), 130 / 143 interrupted by SIGINT / SIGTERM. The JSON and JUnit reports say the same.`;

/** The help text of `backprop-oracle verify`. */
export const VERIFY_USAGE = `Usage: backprop-oracle verify [--impl FILE | --cmd "COMMAND"] [options]

Verifies an implementation of backpropagation (with neither --impl nor --cmd, the built-in float64
reference) against the decimal oracle and finite differences, on generated networks or on given
cases, and shrinks every failure to a small counterexample. The protocol: docs/protocol.md.

Options:
  --impl FILE           a JavaScript or TypeScript module (.js .mjs .cjs .ts .mts) exporting { gradients, describe? }
  --cmd "COMMAND"       a command speaking JSON Lines on stdin/stdout, quoted as one argument
  --runs N              generated cases (default 200)
  --seed S              generator seed (default 42); the same seed gives the same cases and report
  --path P              replay one generated case: the path printed with a counterexample (with its --seed)
  --max-layers L        most layers generated, 1 to 12 (default 6; the implementation's maxLayers also applies)
  --activations LIST    generate only networks of these activations, comma-separated, from
                        sigmoid, tanh, relu, leaky_relu, linear, softmax (default: every one the
                        implementation declares; none declared is sigmoid only)
  --losses LIST         generate only networks of these losses, comma-separated, from bce, cce, mse
                        (default: every one the implementation declares; none declared is bce only)
  --precision P         float32 or float64: the implementation's arithmetic, overriding its description
  --strict              fail on inaccurate values too (exit 1)
  --time-budget SEC     stop generating new cases after SEC seconds (shrinking ends by then too);
                        what was found is still reported
  --shrink-budget SEC   most seconds spent shrinking a failure (default ${DEFAULT_SHRINK_BUDGET}); then the smallest
                        case found so far is reported, saying that shrinking stopped early
  --max-crashes N       restart a crashed --cmd process at most N times (default 100; at most 10
                        while it has never answered a request), then stop
  --timeout MS          per-request timeout base (default 5000), plus 1 ms per thousand weights x samples
  --json FILE           write the full report as JSON
  --junit FILE          write JUnit XML (one test case per property and magnitude class)
  --corpus DIR          the counterexample corpus: every failing case is saved there, and the
                        cases stored for this implementation are replayed first on the next run
                        (default ${DEFAULT_COUNTEREXAMPLE_DIR}; --save-counterexamples DIR is the same option)
  --shard i/n           run the i-th of n disjoint slices of the cases (1 <= i <= n)
  --case PATH           verify this case file ({ "network": ..., "batch": ... }) or folder of them
                        instead of generated cases; repeatable
  --digits D            oracle precision in significant digits, 30 to 200 (default 50)
  --mode M              with --case: cases (default: every entry certified against finite
                        differences) or directional (a few random signed directions, then group
                        testing to localise: for networks too big for the full check)
  --directions K        directions of --mode directional (default 4)
  --quiet               no progress display
  --help                show this text

Examples:
  backprop-oracle verify --impl ./my-backprop.mjs
  backprop-oracle verify --cmd "python3 my_backprop.py" --runs 500 --json report.json --junit report.xml
  backprop-oracle verify --impl ./my-backprop.ts --case model.json

Exit codes: 0 correct (or inaccurate without --strict), 1 wrong (or inaccurate with --strict),
2 the verifier could not do its job, 130 / 143 interrupted by SIGINT / SIGTERM.`;

/** The help text of `backprop-oracle replay`. */
export const REPLAY_USAGE = `Usage: backprop-oracle replay FILE [--impl FILE | --cmd "COMMAND"] [verify options]

Runs one saved counterexample (or any case file) again: the same as verify --case FILE, against
the implementation the file records unless --impl or --cmd names one.

Options:
  --impl FILE       replay against this module instead of the one the file records
  --cmd "COMMAND"   replay against this command instead of the one the file records
  --json FILE       write the report as JSON; every other option of verify applies too (verify --help)
  --help            show this text

Example:
  backprop-oracle replay .backprop-oracle/corpus/<implementation>/<case>.json

Exit codes: as verify: 0 correct, 1 wrong, 2 the case or its implementation could not be run.`;

/** The help text of `backprop-oracle self-check`. */
export const SELF_CHECK_USAGE = `Usage: backprop-oracle self-check [options]

Checks the built-in float64 reference, the decimal oracle and finite differences of the oracle's
loss against each other on generated networks: the verifier's own check of itself.

Options:
  --runs N          generated cases (default 200)
  --seed S          generator seed (default 42)
  --max-layers L    most layers generated, 1 to 12 (default 6)
  --activations LIST  generate networks of these activations, comma-separated, from sigmoid, tanh,
                    relu, leaky_relu, linear, softmax (default sigmoid; every one with --losses)
  --losses LIST     generate networks of these losses, comma-separated, from bce, cce, mse
                    (default bce; every one with --activations)
  --digits D        oracle precision in significant digits, 30 to 200 (default 50)
  --json FILE       write the report as JSON
  --quiet           no progress display
  --help            show this text

Example:
  backprop-oracle self-check --runs 50

Exit codes: 0 the three agree, 1 they disagree somewhere, 2 bad options or a report that could
not be written.`;

/** The help of each command parsed here; claim, catalogue and decay keep theirs in their own files. */
const HELP: Record<string, string> = { verify: VERIFY_USAGE, replay: REPLAY_USAGE, 'self-check': SELF_CHECK_USAGE };

/** Whether the words after a command ask for its help (`--help` or `-h` before any `--`). */
export function asksForHelp(rest: readonly string[]): boolean {
  for (const word of rest) {
    if (word === '--') return false;
    if (word === '--help' || word === '-h') return true;
  }
  return false;
}

/**
 * Joins a string option and a following value that starts with a dash and a digit or a point
 * (`--timeout -5`) into one word (`--timeout=-5`): node's parser would call the value ambiguous;
 * joined, the option's own check says what is wrong with it (or accepts it, as --seed -3).
 */
export function joinNegativeValues(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const option = word.startsWith('--') && !word.includes('=') ? options[word.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${word}=${next}`);
      i++;
    } else out.push(word);
  }
  return out;
}

/**
 * Node's parseArgs error, reworded: the option or argument it is about, what is wrong, what to
 * do. `--cmd python3 f.py` unquoted gets the quoted form to use.
 */
export function parseErrorMessage(command: string, error: Error & { code?: string }, args: readonly string[]): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const formula = command === 'claim' && !/^--[a-z][\w-]*$/.test(quoted) ? `; a formula that starts with "-" goes after "--": backprop-oracle claim -- "${quoted}"` : '';
    return `${command}: unknown option ${quoted} (backprop-oracle ${command} --help lists the options)${formula}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const at = args.indexOf('--cmd');
    if (at >= 0 && args[at + 1] !== undefined) {
      const words: string[] = [args[at + 1]!];
      for (let i = at + 2; i < args.length && !args[i]!.startsWith('--'); i++) words.push(args[i]!);
      return `${command}: unexpected argument "${quoted}": --cmd takes the whole command as one argument: quote it, as in --cmd "${words.join(' ')}"`;
    }
    return `${command}: unexpected argument "${quoted}": ${command} takes options only (backprop-oracle ${command} --help lists them)`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing/.test(error.message)) {
    const option = /'(--[\w-]+)/.exec(error.message)?.[1] ?? 'an option';
    return `${command}: ${option} needs a value (backprop-oracle ${command} --help)`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /ambiguous/.test(error.message)) {
    const option = /'(--[\w-]+)/.exec(error.message)?.[1] ?? 'an option';
    const next = args[args.indexOf(option) + 1] ?? '';
    return `${command}: ${option} needs a value, and "${next}" looks like an option (a value that starts with "-" is written ${option}=${next})`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${command}: ${error.message.split('\n')[0]} (backprop-oracle ${command} --help)`;
  return `${command}: ${error.message}`;
}

function integer(command: string, option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\s*-?\d+\s*$/.test(raw)) throw new UsageError(`${command}: --${option} must be an integer from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`${command}: --${option} must be an integer from ${min} to ${max}, got ${raw.trim()}`);
  return value;
}

function positiveNumber(command: string, option: string, raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${command}: --${option} must be a positive number of seconds, got "${raw}"`);
  return value;
}

function fileName(command: string, option: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (raw.trim() === '') throw new UsageError(`${command}: --${option} needs a file name`);
  return raw;
}

/** A comma-separated list of protocol names (`--activations relu,softmax`), in the protocol's order; null when the option is absent. */
export function nameList<N extends string>(command: string, option: string, raw: string | undefined, known: readonly N[]): N[] | null {
  if (raw === undefined) return null;
  const words = raw.split(',').map((w) => w.trim());
  const expected = `a comma-separated list of ${known.join(', ')}`;
  if (words.every((w) => w === '')) throw new UsageError(`${command}: --${option} must be ${expected}, got "${raw}"`);
  for (const w of words) {
    if (w === '') throw new UsageError(`${command}: --${option} must be ${expected}, got an empty name in "${raw}"`);
    if (!known.includes(w as N)) throw new UsageError(`${command}: --${option} must be ${expected}, got "${w}"${words.length > 1 ? ` in "${raw}"` : ''}`);
  }
  return known.filter((n) => words.includes(n));
}

function parseShard(raw: string | undefined): { index: number; count: number } | null {
  if (raw === undefined) return null;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`verify: --shard must be i/n with 1 <= i <= n (for example 2/4), got "${raw}"`);
  return { index, count };
}

function parse(command: string, rest: readonly string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, string | boolean | string[] | undefined> {
  const args = joinNegativeValues(rest, options);
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | string[] | undefined>;
  } catch (error) {
    throw new UsageError(parseErrorMessage(command, error as Error, args));
  }
}

const str = { type: 'string' } as const;

/** Parses a command line (without `node` and the script); throws UsageError on anything malformed. */
export function parseCommandLine(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined) return { command: 'usage' };
  if (command === 'help' || command === '--help' || command === '-h') return { command: 'help', text: (rest[0] !== undefined ? HELP[rest[0]] : undefined) ?? USAGE };
  if (HELP[command] !== undefined && asksForHelp(rest)) return { command: 'help', text: HELP[command]! };
  if (command === '--version' || command === 'version') return { command: 'version' };
  if (command === 'self-check') {
    const v = parse(command, rest, { runs: str, seed: str, 'max-layers': str, digits: str, json: str, quiet: { type: 'boolean' }, activations: str, losses: str });
    const s = (k: string): string | undefined => v[k] as string | undefined;
    return {
      command: 'self-check',
      runs: integer(command, 'runs', s('runs'), 200, 1, 10_000_000),
      seed: integer(command, 'seed', s('seed'), 42, -(2 ** 31), 2 ** 31 - 1),
      maxLayers: integer(command, 'max-layers', s('max-layers'), 6, 1, 12),
      digits: integer(command, 'digits', s('digits'), 50, 30, 200),
      json: fileName(command, 'json', s('json')),
      quiet: v.quiet === true,
      activations: nameList(command, 'activations', s('activations'), ACTIVATION_NAMES),
      losses: nameList(command, 'losses', s('losses'), LOSS_NAMES),
    };
  }
  if (command === 'replay') {
    const [file, ...more] = rest;
    if (file === undefined || file.startsWith('--')) throw new UsageError('replay: name the counterexample file: backprop-oracle replay FILE [--impl F | --cmd C]');
    return { ...parseCommandLine(['verify', ...more]), cases: [file], replay: file } as VerifyArgs;
  }
  if (command === 'claim' || command === 'catalogue') throw new UsageError(`${command} has its own parser: parse${command === 'claim' ? 'Claim' : 'Catalogue'}Args in src/cli/${command}.ts`);
  if (command !== 'verify') throw new UsageError(`unknown command "${command}"; commands: verify, replay, claim, catalogue, decay, self-check, help`);
  const v = parse(command, rest, {
    impl: str, cmd: str, runs: str, seed: str, path: str, 'max-layers': str, precision: str, strict: { type: 'boolean' },
    'time-budget': str, 'shrink-budget': str, timeout: str, 'max-crashes': str, json: str, junit: str, 'save-counterexamples': str, corpus: str, shard: str,
    case: { type: 'string', multiple: true }, digits: str, quiet: { type: 'boolean' }, mode: str, directions: str,
    activations: str, losses: str,
  });
  const s = (k: string): string | undefined => v[k] as string | undefined;
  const impl = fileName(command, 'impl', s('impl'));
  const cmd = s('cmd');
  if (cmd !== undefined && cmd.trim() === '') throw new UsageError('verify: --cmd needs a command line');
  if (impl !== null && cmd !== undefined) throw new UsageError('verify: give either --impl or --cmd, not both');
  const precision = s('precision');
  if (precision !== undefined && precision !== 'float32' && precision !== 'float64') throw new UsageError(`verify: --precision must be float32 or float64, got "${precision}"`);
  const path = s('path');
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw new UsageError(`verify: --path must be a fast-check path such as 12:0:3, got "${path}"`);
  const cases = (v.case as string[] | undefined) ?? [];
  const mode = s('mode') ?? 'cases';
  if (mode !== 'cases' && mode !== 'directional') throw new UsageError(`verify: --mode must be cases or directional, got "${mode}"`);
  if (mode === 'directional' && cases.length === 0) throw new UsageError('verify: --mode directional checks given cases: add --case PATH');
  if (cases.some((c) => c.trim() === '')) throw new UsageError('verify: --case needs a file or folder name');
  if (s('save-counterexamples') !== undefined && s('corpus') !== undefined) throw new UsageError('verify: give --corpus or --save-counterexamples (the same option), not both');
  const saveDir = s('corpus') ?? s('save-counterexamples');
  const runs = integer(command, 'runs', s('runs'), 200, 1, 10_000_000);
  const shard = parseShard(s('shard'));
  if (shard && shard.index > runs && path === undefined && cases.length === 0) {
    throw new UsageError(`verify: shard ${shard.index}/${shard.count} of ${runs} run${runs === 1 ? '' : 's'} holds no case: use fewer shards or more runs`);
  }
  if (saveDir !== undefined && saveDir.trim() === '') throw new UsageError(`verify: --${s('corpus') !== undefined ? 'corpus' : 'save-counterexamples'} needs a folder name`);
  return {
    command: 'verify',
    impl,
    cmd: cmd ?? null,
    runs,
    seed: integer(command, 'seed', s('seed'), 42, -(2 ** 31), 2 ** 31 - 1),
    path: path ?? null,
    maxLayers: integer(command, 'max-layers', s('max-layers'), 6, 1, 12),
    precision: (precision as 'float32' | 'float64' | undefined) ?? null,
    strict: v.strict === true,
    timeBudget: positiveNumber(command, 'time-budget', s('time-budget')),
    shrinkBudget: positiveNumber(command, 'shrink-budget', s('shrink-budget')) ?? DEFAULT_SHRINK_BUDGET,
    timeout: integer(command, 'timeout', s('timeout'), 5_000, 1, 3_600_000),
    maxCrashes: integer(command, 'max-crashes', s('max-crashes'), 100, 0, 1_000_000),
    json: fileName(command, 'json', s('json')),
    junit: fileName(command, 'junit', s('junit')),
    saveCounterexamples: saveDir ?? DEFAULT_COUNTEREXAMPLE_DIR,
    shard,
    cases,
    digits: integer(command, 'digits', s('digits'), 50, 30, 200),
    quiet: v.quiet === true,
    mode,
    directions: integer(command, 'directions', s('directions'), 4, 1, 1000),
    activations: nameList(command, 'activations', s('activations'), ACTIVATION_NAMES),
    losses: nameList(command, 'losses', s('losses'), LOSS_NAMES),
  };
}
