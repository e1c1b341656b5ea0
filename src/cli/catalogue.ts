/**
 * `backprop-oracle catalogue`: runs every classic mistake of the catalogue through the claim
 * checker and the verifier (live, a few seconds each) and prints the table of kill status.
 * Exit 0 when every mistake is killed both ways, 1 otherwise.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { killMistake, type KillResult } from '../catalogue/kill.js';
import { familyOf, MISTAKES } from '../catalogue/mistakes.js';
import { catalogueMarkdown, formatCatalogue, shrinkMarkdown } from '../catalogue/table.js';
import { checkClaim } from '../claims/check.js';
import { caseSize } from '../claims/size.js';
import type { ClaimResult } from '../claims/types.js';
import type { CommandIo } from './claim.js';
import { joinNegativeValues, parseErrorMessage } from './args.js';
import { UsageError } from './errors.js';

/** Options of `backprop-oracle catalogue`. */
export interface CatalogueArgs {
  command: 'catalogue';
  /** Cases for each buggy implementation (default 200). */
  runs: number;
  /** Cases for each claim (default 100). */
  claimRuns: number;
  seed: number;
  /** Only these mistakes (by id); empty: all. */
  only: string[];
  /** Print Markdown tables (kill status and shrink sizes) instead of the terminal table. */
  markdown: boolean;
  /** Also check each claim on the verifier's generic cases, for the shrink-size comparison. */
  generic: boolean;
  json: string | null;
}

/** The help text of `catalogue`. */
export const CATALOGUE_USAGE = `Usage: backprop-oracle catalogue [options]

Runs each classic mistake of the catalogue as a claim and as a buggy implementation, live, and
prints whether the verifier killed it both ways, with the network family of each (version 1's
sigmoid/bce, or the version-2 activation and loss it is about) and the size of each shrunk
counterexample.

  --runs N         cases for each buggy implementation (default 200)
  --claim-runs N   cases for each claim (default 100)
  --seed S         seed (default 42)
  --only ID        only this mistake (repeatable); ids: ${MISTAKES.map((m) => m.id).join(', ')}
  --markdown       print Markdown tables (kill status, shrink sizes)
  --generic        also check each version-1 claim on the verifier's generic cases (shrink-size
                   comparison; that generator makes version-1 networks only)
  --json FILE      write every result as JSON
  --help           show this text

Examples:
  backprop-oracle catalogue
  backprop-oracle catalogue --only sign-flip --runs 50

Exit codes: 0 every mistake killed both ways, 1 one survived, 2 bad options.`;

function integer(option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1) throw new UsageError(`catalogue: --${option} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

/** Parses the arguments after `catalogue`; throws UsageError on anything malformed. */
export function parseCatalogueArgs(argv: readonly string[]): CatalogueArgs {
  let v: Record<string, string | boolean | string[] | undefined>;
  const options = { runs: { type: 'string' }, 'claim-runs': { type: 'string' }, seed: { type: 'string' }, only: { type: 'string', multiple: true }, markdown: { type: 'boolean' }, generic: { type: 'boolean' }, json: { type: 'string' } } as const;
  const args = joinNegativeValues(argv, options);
  try {
    v = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(parseErrorMessage('catalogue', error as Error, args));
  }
  const only = (v.only as string[] | undefined) ?? [];
  const unknown = only.filter((id) => !MISTAKES.some((m) => m.id === id));
  if (unknown.length > 0) throw new UsageError(`catalogue: --only ${unknown[0]} is not a mistake of the catalogue; ids: ${MISTAKES.map((m) => m.id).join(', ')}`);
  const seed = v.seed as string | undefined;
  if (seed !== undefined && !/^\s*-?\d+\s*$/.test(seed)) throw new UsageError(`catalogue: --seed must be an integer, got "${seed}"`);
  const json = v.json as string | undefined;
  if (json !== undefined && json.trim() === '') throw new UsageError('catalogue: --json needs a file name');
  return {
    command: 'catalogue',
    runs: integer('runs', v.runs as string | undefined, 200),
    claimRuns: integer('claim-runs', v['claim-runs'] as string | undefined, 100),
    seed: seed === undefined ? 42 : Number(seed),
    only,
    markdown: v.markdown === true,
    generic: v.generic === true,
    json: json ?? null,
  };
}

function resultJson(k: KillResult, generic: ClaimResult | undefined): unknown {
  const size = (r: ClaimResult | undefined): unknown => (r && r.verdict === 'false' ? caseSize(r.counterexample) : null);
  return {
    id: k.mistake.id,
    name: k.mistake.name,
    family: familyOf(k.mistake),
    claim: k.mistake.claim,
    killed: k.killed,
    claimVerdict: k.claim.verdict,
    claimCases: k.claim.cases,
    claimCounterexample: k.claim.verdict === 'false' ? { network: k.claim.counterexample.network, batch: k.claim.counterexample.batch, size: size(k.claim) } : null,
    genericCounterexampleSize: size(generic),
    implementation: { ...k.implementation, size: k.implementation.case ? caseSize(k.implementation.case) : null },
    durationMs: k.durationMs,
  };
}

/** Runs `catalogue`: every kill live, then the table; returns the exit code. */
export async function runCatalogue(args: CatalogueArgs, io: CommandIo): Promise<number> {
  const mistakes = args.only.length > 0 ? MISTAKES.filter((m) => args.only.includes(m.id)) : MISTAKES;
  const results: KillResult[] = [];
  const generic = new Map<string, ClaimResult>();
  for (const m of mistakes) {
    io.err(`catalogue: ${m.id}...\n`);
    results.push(await killMistake(m, { runs: args.runs, claimRuns: args.claimRuns, seed: args.seed }));
    // the verifier's generic generator makes version-1 networks: a version-2 mistake's cells stay '-'
    if (args.generic && !m.v2) generic.set(m.id, checkClaim(m.claim, { runs: args.claimRuns, seed: args.seed, cases: 'generic' }));
  }
  if (args.markdown) io.out(`${catalogueMarkdown(results)}\n\n${shrinkMarkdown(results, generic)}\n`);
  else io.out(formatCatalogue(results, args) + '\n');
  if (args.json) {
    try {
      writeFileSync(args.json, JSON.stringify(results.map((k) => resultJson(k, generic.get(k.mistake.id))), null, 2) + '\n');
    } catch (error) {
      io.err(`catalogue: could not write the JSON report to --json ${args.json}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return results.every((k) => k.killed) ? 0 : 1;
}
