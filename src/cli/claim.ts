/**
 * `backprop-oracle claim [options] FORMULA`: decide a claimed formula for one gradient entry.
 * Exit 0 when it holds on every case, 1 when it is false (with the worked counterexample), 2 when
 * it cannot be evaluated (syntax error, unknown symbol) or the options are bad.
 */
import { writeFileSync } from 'node:fs';
import { readCorpus, saveToCorpus, DEFAULT_CORPUS_DIR } from '../verify/corpus.js';
import { parseArgs } from 'node:util';
import { checkClaim, checkClaimOn } from '../claims/check.js';
import { ClaimError } from '../claims/errors.js';
import { buildCounterexample } from '../claims/counterexample.js';
import { claimCounterexampleJson, formatClaimResult } from '../claims/format.js';
import { resolveClaim, TARGETS } from '../claims/resolve.js';
import type { Arithmetic, ClaimLayer, ClaimResult, TargetName } from '../claims/types.js';
import { ACTIVATION_NAMES, LOSS_NAMES, type ActivationName, type LossName } from '../network/types.js';
import { joinNegativeValues, parseErrorMessage } from './args.js';
import { UsageError } from './errors.js';

/** Options of `backprop-oracle claim`. */
export interface ClaimArgs {
  command: 'claim';
  formula: string;
  layer: ClaimLayer;
  target: TargetName;
  reduction: 'sum' | 'mean';
  layers: number | null;
  arithmetic: Arithmetic;
  runs: number;
  seed: number;
  digits: number;
  minDigits: number | null;
  cases: 'claim' | 'generic';
  json: string | null;
  /** The counterexample corpus: false claims are saved there and their cases replayed first. */
  corpus: string;
  /** The family (protocol version 2), when given: the loss, the claim layer's activation, leaky_relu's alpha. */
  loss?: LossName;
  activation?: ActivationName;
  alpha?: number;
}

/** Where `claim` and `catalogue` write (structurally the `Io` of `src/cli/run.ts`). */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The help text of `claim`. */
export const CLAIM_USAGE = `Usage: backprop-oracle claim [options] "FORMULA"

Checks a formula for one gradient entry on generated networks against finite differences of
the oracle's loss; a false one gets its smallest counterexample as a worked example.

  --layer L          output (default), hidden, or a layer number (1 = first)
  --target T         W (a weight: dE/dW_ji, or dE/dV_kj in a hidden layer; default), b (a bias), loss (E),
                     or one factor of the chain rule per sample: dE/dZ, dZ/dS, dS/dW, dE/dS
                     (in a hidden layer also spelled dE/dY, dY/dS, dS/dV)
  --reduction R      sum (default) or mean (then the formula divides by B * n_L itself)
  --layers N         depth of the generated networks (default 1 or 2 for output, 2 for hidden)
  --arithmetic A     decimal (default: the oracle's precision, a calculus claim) or float64 (a numerics claim)
  --loss L           bce (default, a sigmoid output), cce (a softmax output) or mse (any other output; default linear)
  --activation NAME  the activation of the claim's layer: sigmoid, tanh, relu, leaky_relu, linear, softmax
                     (an output layer's must fit the loss; a hidden layer's default is sigmoid)
  --alpha A          leaky_relu's slope for S <= 0 (default 0.01)
  --runs N           generated cases (default 100)
  --seed S           generator seed (default 42)
  --digits D         oracle precision, 30 to 200 (default 50)
  --min-digits M     correct digits required relative to the entry's magnitude (default 20; 12 in float64)
  --cases C          claim (default: small networks of simple numbers) or generic (the verifier's generator)
  --json FILE        write the verdict as JSON (with the counterexample as a --case file under "case")
  --corpus DIR       the counterexample corpus: false claims are saved there, their cases tried first next time
                     (default .backprop-oracle/corpus)
  --help             show this text

The formula is per sample (the tool sums it over the batch). Output layer symbols: Y, S, Z, Zc,
t, W, b, B, n_L, s; hidden layer: X, S_j, Y_j, Yc_j, V, b_j, and inside sum_i(...): Z_i, t_i,
S_i, W_ji, W_ij, delta_i. With --loss or --activation also step(x) (1 for x > 0, else 0), tanh(x),
alpha (leaky_relu), and for a softmax output sum_k(...) with Z_k, t_k, S_k inside. Examples:
  backprop-oracle claim "(Z - t) * Y"
  backprop-oracle claim --layer hidden "sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k"
  backprop-oracle claim --loss cce "(Z - t) * Y"
  backprop-oracle claim --loss mse --activation linear "2 * (Z - t) * Y"
  backprop-oracle claim --layer hidden --activation tanh "sum_i((Z_i - t_i) * W_ji) * (1 - Y_j^2) * X_k"

A formula that starts with "-" goes after "--": backprop-oracle claim --target loss -- "-(t * ln(Z))".

Exit codes: 0 true, 1 false, 2 the claim cannot be evaluated or the options are bad.`;

function integer(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || value < min || value > max) throw new UsageError(`claim: --${option} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

function oneOf<T extends string>(option: string, raw: string | undefined, values: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!values.includes(raw as T)) throw new UsageError(`claim: --${option} must be ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

function parseLayer(raw: string | undefined): ClaimLayer {
  if (raw === undefined || raw === 'output' || raw === 'hidden') return raw ?? 'output';
  if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 6) return Number(raw);
  throw new UsageError(`claim: --layer must be output, hidden or a layer number from 1 to 6, got "${raw}"`);
}

/** Parses the arguments after `claim`; throws UsageError on anything malformed. */
export function parseClaimArgs(argv: readonly string[]): ClaimArgs {
  const str = { type: 'string' } as const;
  let parsed: { values: Record<string, string | undefined>; positionals: string[] };
  const options = { layer: str, target: str, reduction: str, layers: str, arithmetic: str, runs: str, seed: str, digits: str, 'min-digits': str, cases: str, json: str, corpus: str, loss: str, activation: str, alpha: str };
  const args = joinNegativeValues(argv, options);
  try {
    parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: true,
    }) as typeof parsed;
  } catch (error) {
    throw new UsageError(parseErrorMessage('claim', error as Error, args));
  }
  const v = parsed.values;
  if (parsed.positionals.length !== 1) {
    throw new UsageError(`claim: give exactly one formula (quoted), got ${parsed.positionals.length === 0 ? 'none' : `${parsed.positionals.length}: ${parsed.positionals.map((p) => JSON.stringify(p)).join(' ')}`}`);
  }
  if (v.json !== undefined && v.json.trim() === '') throw new UsageError('claim: --json needs a file name');
  let alpha: number | undefined;
  if (v.alpha !== undefined) {
    alpha = Number(v.alpha);
    if (v.alpha.trim() === '' || !(alpha >= 0 && alpha < 1)) throw new UsageError(`claim: --alpha must be a number with 0 <= alpha < 1, got "${v.alpha}"`);
  }
  const family = {
    ...(v.loss !== undefined ? { loss: oneOf('loss', v.loss, LOSS_NAMES, 'bce') } : {}),
    ...(v.activation !== undefined ? { activation: oneOf('activation', v.activation, ACTIVATION_NAMES, 'sigmoid') } : {}),
    ...(alpha !== undefined ? { alpha } : {}),
  };
  return {
    ...family,
    command: 'claim',
    formula: parsed.positionals[0]!,
    layer: parseLayer(v.layer),
    target: oneOf('target', v.target, TARGETS, 'W'),
    reduction: oneOf('reduction', v.reduction, ['sum', 'mean'] as const, 'sum'),
    layers: v.layers === undefined ? null : integer('layers', v.layers, 2, 1, 6),
    arithmetic: oneOf('arithmetic', v.arithmetic, ['decimal', 'float64'] as const, 'decimal'),
    runs: integer('runs', v.runs, 100, 1, 1_000_000),
    seed: integer('seed', v.seed, 42, -(2 ** 31), 2 ** 31 - 1),
    digits: integer('digits', v.digits, 50, 30, 200),
    minDigits: v['min-digits'] === undefined ? null : integer('min-digits', v['min-digits'], 20, 1, 200),
    cases: oneOf('cases', v.cases, ['claim', 'generic'] as const, 'claim'),
    json: v.json ?? null,
    corpus: v.corpus !== undefined && v.corpus.trim() !== '' ? v.corpus : DEFAULT_CORPUS_DIR,
  };
}

/** The verdict as JSON: the result, and for a false claim its counterexample as a case file. */
export function claimResultJson(result: ClaimResult): string {
  const data = result.verdict === 'false' ? { ...result, case: claimCounterexampleJson(result) } : result;
  return JSON.stringify(data, (_k, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2);
}

/** Runs `claim`: prints the verdict (or why the claim cannot be evaluated) and returns the exit code. */
export function runClaim(args: ClaimArgs, io: CommandIo): number {
  let result: ClaimResult;
  const claim = {
    formula: args.formula,
    layer: args.layer,
    target: args.target,
    reduction: args.reduction,
    arithmetic: args.arithmetic,
    ...(args.layers !== null ? { layers: args.layers } : {}),
    ...(args.loss !== undefined ? { loss: args.loss } : {}),
    ...(args.activation !== undefined ? { activation: args.activation } : {}),
    ...(args.alpha !== undefined ? { alpha: args.alpha } : {}),
  };
  // the corpus key names everything that decides the claim's truth (the family only when given: version-1 keys unchanged)
  const named = [args.loss !== undefined ? ` loss=${args.loss}` : '', args.activation !== undefined ? ` activation=${args.activation}` : '', args.alpha !== undefined ? ` alpha=${args.alpha}` : ''].join('');
  const key = `claim layer=${String(args.layer)} target=${args.target} reduction=${args.reduction} arithmetic=${args.arithmetic} layers=${args.layers ?? ''}${named}: ${args.formula}`;
  try {
    // stored counterexamples first: a claim disproved before is tried on its old counterexample
    const stored = readCorpus(args.corpus, key);
    for (const bad of stored.skipped) io.err(`claim: skipped a corrupt corpus file: ${bad.file}: ${bad.reason}\n`);
    const evaluation = { precision: args.digits, ...(args.minDigits !== null ? { minDigits: args.minDigits } : {}) };
    for (const named of stored.cases) {
      const started = performance.now();
      const check = checkClaimOn(claim, named.case, evaluation);
      if (!check.holds && check.worst) {
        // the full worked example and the factor analysis, as when the counterexample was found
        const r = resolveClaim(claim, evaluation);
        const twin = r.arithmetic === 'decimal' ? r : resolveClaim({ ...claim, arithmetic: 'decimal' }, evaluation);
        const counterexample = buildCounterexample(r, twin, check, 0, null);
        const replayed: ClaimResult = { verdict: 'false', claim: r.description, cases: 1, minDigits: r.minDigits, seed: args.seed, counterexample, durationMs: performance.now() - started };
        const lines = formatClaimResult(replayed).split('\n');
        lines[1] = `verdict: FALSE  (a stored counterexample still disproves it: ${named.name}; ${((performance.now() - started) / 1000).toFixed(1)} s)`;
        io.out(`${lines.join('\n')}\n`);
        io.out(`the counterexample (a --case file): ${named.name}\n`);
        return 1;
      }
    }
    result = checkClaim(claim, { runs: args.runs, seed: args.seed, precision: args.digits, cases: args.cases, ...(args.minDigits !== null ? { minDigits: args.minDigits } : {}) });
  } catch (error) {
    if (error instanceof ClaimError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  io.out(formatClaimResult(result) + '\n');
  if (result.verdict === 'false') {
    try {
      const { network, batch, ...found } = claimCounterexampleJson(result);
      io.out(`saved: ${saveToCorpus(args.corpus, { key, network, batch, found })}\n`);
    } catch (error) {
      io.err(`claim: could not save the counterexample to the corpus ${args.corpus}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  if (args.json) {
    try {
      writeFileSync(args.json, claimResultJson(result) + '\n');
    } catch (error) {
      io.err(`claim: could not write the JSON report to --json ${args.json}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return result.verdict === 'true' ? 0 : 1;
}
