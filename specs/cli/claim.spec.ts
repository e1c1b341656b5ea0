import { mkdtempSync, readFileSync } from 'node:fs';
import { capture } from '../helpers/io.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_USAGE, parseCatalogueArgs, runCatalogue } from '../../src/cli/catalogue.js';
import { CLAIM_USAGE, claimResultJson, parseClaimArgs, runClaim } from '../../src/cli/claim.js';
import { mkdtempSync as mkdtempForCorpus } from 'node:fs';
import { tmpdir as tmpdirForCorpus } from 'node:os';
import { join as joinForCorpus } from 'node:path';
const corpusDir = (): string => mkdtempForCorpus(joinForCorpus(tmpdirForCorpus(), 'bo-claim-corpus-'));
import { UsageError } from '../../src/cli/errors.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'bo-claim-'));

function usage(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  return 'accepted';
}

describe('backprop-oracle claim', () => {
  it('parses its options with their defaults', () => {
    expect(parseClaimArgs(['(Z - t) * Y'])).toEqual({
      command: 'claim', formula: '(Z - t) * Y', layer: 'output', target: 'W', reduction: 'sum', layers: null, arithmetic: 'decimal',
      runs: 100, seed: 42, digits: 50, minDigits: null, cases: 'claim', json: null, corpus: '.backprop-oracle/corpus',
    });
    expect(parseClaimArgs(['--layer', 'hidden', '--target', 'b', '--reduction', 'mean', '--layers', '3', '--arithmetic', 'float64', '--runs', '7', '--seed=-1', '--digits', '60', '--min-digits', '15', '--cases', 'generic', '--json', 'r.json', 'Y_j'])).toMatchObject({
      layer: 'hidden', target: 'b', reduction: 'mean', layers: 3, arithmetic: 'float64', runs: 7, seed: -1, digits: 60, minDigits: 15, cases: 'generic', json: 'r.json', formula: 'Y_j',
    });
    expect(parseClaimArgs(['--layer', '2', '--', '-Y']).layer).toBe(2);
    expect(parseClaimArgs(['--target', 'loss', '--', '-(t * ln(Z))']).formula).toBe('-(t * ln(Z))');
    expect(CLAIM_USAGE).toContain('Exit codes: 0 true, 1 false, 2');
  });

  it('rejects malformed options with a message naming the option and the value', () => {
    expect([
      usage(() => parseClaimArgs([])),
      usage(() => parseClaimArgs(['a', 'b'])),
      usage(() => parseClaimArgs(['--layer', 'top', 'Y'])),
      usage(() => parseClaimArgs(['--target', 'V', 'Y'])),
      usage(() => parseClaimArgs(['--runs', 'ten', 'Y'])),
      usage(() => parseClaimArgs(['--digits', '10', 'Y'])),
      usage(() => parseClaimArgs(['--json', ' ', 'Y'])),
      usage(() => parseClaimArgs(['--bogus', 'Y'])),
    ]).toMatchInlineSnapshot(`
      [
        "claim: give exactly one formula (quoted), got none",
        "claim: give exactly one formula (quoted), got 2: "a" "b"",
        "claim: --layer must be output, hidden or a layer number from 1 to 6, got "top"",
        "claim: --target must be W, b, loss, dE/dZ, dZ/dS, dS/dW, dE/dS, dE/dY, dY/dS, dS/dV, got "V"",
        "claim: --runs must be an integer from 1 to 1000000, got "ten"",
        "claim: --digits must be an integer from 30 to 200, got "10"",
        "claim: --json needs a file name",
        "claim: unknown option --bogus (backprop-oracle claim --help lists the options)",
      ]
    `);
  });

  it('exits 0 for a true claim, saying how many cases and digits', () => {
    const io = capture();
    expect(runClaim(parseClaimArgs(['--corpus', corpusDir(), '--runs', '10', '(Z - t) * Y']), io)).toBe(0);
    expect(io.stdout).toMatch(/verdict: TRUE {2}\(10 cases, \d+ entries, each to \d+\.\d digits or more of 20 required; seed 42/);
  });

  it('exits 1 for a false claim with the worked example, and writes it as JSON with a replayable case', () => {
    const io = capture();
    const json = join(tmp(), 'claim.json');
    expect(runClaim(parseClaimArgs(['--corpus', corpusDir(), '--layer', 'hidden', '--runs', '20', '--json', json, 'sum_i((Z_i - t_i) * W_ji) * X_k']), io)).toBe(1);
    expect(io.stdout).toContain('verdict: FALSE');
    expect(io.stdout).toContain('=> the claim lacks dY_j/dS_j = Y_j (1 - Y_j)');
    const saved = JSON.parse(readFileSync(json, 'utf8')) as { verdict: string; case: { network: unknown; batch: unknown; claim: { text: string } }; counterexample: { digits: number | string } };
    expect(saved.verdict).toBe('false');
    expect(saved.case.claim.text).toBe('sum_i((Z_i - t_i) * W_ji) * X_k');
    expect(saved.case.network).toBeDefined();
  });

  it('exits 2 when the claim cannot be evaluated, pointing at the place', () => {
    const io = capture();
    expect(runClaim(parseClaimArgs(['--corpus', corpusDir(), '(Z - q) * Y']), io)).toBe(2);
    expect(io.stderr.split('\n').slice(0, 3).join('\n')).toBe('claim: unknown symbol "q"\n  (Z - q) * Y\n       ^');
    expect(runClaim(parseClaimArgs(['--corpus', corpusDir(), '--layer', 'hidden', '--layers', '1', 'Y']), capture())).toBe(2);
  });

  it('exits 2 when the JSON report cannot be written', () => {
    const io = capture();
    expect(runClaim(parseClaimArgs(['--corpus', corpusDir(), '--runs', '3', '--json', tmp(), 'Y * (Z - t)']), io)).toBe(2);
    expect(io.stderr).toContain('could not write the JSON report to --json');
  });

  it('writes non-finite digits as strings in JSON', () => {
    const io = capture();
    const json = join(tmp(), 'nan.json');
    runClaim(parseClaimArgs(['--corpus', corpusDir(), '--runs', '3', '--json', json, 'ln(-1)']), io);
    expect(readFileSync(json, 'utf8')).toContain('"digits": "-Infinity"');
    expect(claimResultJson({ verdict: 'true', claim: {} as never, cases: 1, entries: 1, worstDigits: Infinity, minDigits: 20, seed: 1, durationMs: 0 })).toContain('"worstDigits": "Infinity"');
  });
});

describe('claim and the corpus', () => {
  it('saves a false claim\'s counterexample and replays it first next time', () => {
    const dir = corpusDir();
    const first = { stdout: '', stderr: '', out: (t: string) => { first.stdout += t; }, err: (t: string) => { first.stderr += t; } };
    expect(runClaim(parseClaimArgs(['--corpus', dir, '--runs', '20', '(Z - t) * Z * (1 - Z) * Y']), first)).toBe(1);
    expect(first.stdout).toMatch(/saved: .*\.json/);
    const again = { stdout: '', stderr: '', out: (t: string) => { again.stdout += t; }, err: (t: string) => { again.stderr += t; } };
    expect(runClaim(parseClaimArgs(['--corpus', dir, '--runs', '20', '(Z - t) * Z * (1 - Z) * Y']), again)).toBe(1);
    expect(again.stdout).toContain('a stored counterexample still disproves it');
    // the full worked example and the factor analysis, as on the first run
    expect(again.stdout).toContain('network (1 layer');
    expect(again.stdout).toContain('  claimed            ');
    expect(again.stdout).toContain('which factor differs');
    expect(again.stdout).toContain('extra in the claim');
    const other = { stdout: '', stderr: '', out: (t: string) => { other.stdout += t; }, err: (t: string) => { other.stderr += t; } };
    expect(runClaim(parseClaimArgs(['--corpus', dir, '--runs', '20', '(Z - t) * Y']), other)).toBe(0);
  });
});

describe('backprop-oracle catalogue', () => {
  it('parses its options', () => {
    expect(parseCatalogueArgs([])).toEqual({ command: 'catalogue', runs: 200, claimRuns: 100, seed: 42, only: [], markdown: false, generic: false, json: null });
    expect(parseCatalogueArgs(['--runs', '5', '--claim-runs', '6', '--seed=-2', '--only', 'sign-flip', '--only', 'missing-y', '--markdown', '--generic', '--json', 'c.json'])).toEqual({
      command: 'catalogue', runs: 5, claimRuns: 6, seed: -2, only: ['sign-flip', 'missing-y'], markdown: true, generic: true, json: 'c.json',
    });
    expect([
      usage(() => parseCatalogueArgs(['--runs', '0'])),
      usage(() => parseCatalogueArgs(['--only', 'typo'])),
      usage(() => parseCatalogueArgs(['--seed', 'x'])),
      usage(() => parseCatalogueArgs(['--json', ''])),
      usage(() => parseCatalogueArgs(['extra'])),
    ]).toMatchInlineSnapshot(`
      [
        "catalogue: --runs must be a positive integer, got "0"",
        "catalogue: --only typo is not a mistake of the catalogue; ids: mse-delta, sign-flip, missing-y, slope-of-s, hidden-missing-slope, hidden-transposed, hard-targets, bias-one-sample, mean-batch-only, ln-probability, weight-for-input, bias-forgotten, hidden-unweighted, own-output, softmax-diagonal, cce-delta-slope, cce-mean-all, sigmoid-slope-for-tanh, tanh-slope-of-output, relu-kink-right, leaky-alpha-ignored, leaky-alpha-positive, mse-factor-2, mse-cce-delta, mse-no-slope, softmax-no-shift, ln-rounded-softmax",
        "catalogue: --seed must be an integer, got "x"",
        "catalogue: --json needs a file name",
        "catalogue: unexpected argument "extra": catalogue takes options only (backprop-oracle catalogue --help lists them)",
      ]
    `);
    expect(CATALOGUE_USAGE).toContain('mse-delta');
  });

  it('runs the kills live and prints the table with their status', async () => {
    const io = capture();
    expect(await runCatalogue(parseCatalogueArgs(['--only', 'hard-targets', '--runs', '20', '--claim-runs', '20']), io)).toBe(0);
    const [head, row] = io.stdout.split('\n');
    expect(head!.split(/ {2,}/)).toEqual(['id', 'family', 'layer', 'claimed formula', 'claim', 'implementation', 'claim counterexample']);
    expect(row!.split(/ {2,}/)).toEqual(['hard-targets', 'sigmoid, bce', 'output', '(Z - round(t)) * Y', 'killed (case 1)', 'killed (wrong)', '1 layer 1-1, batch 1, 2 digits']);
    expect(io.stdout).toContain('1 of 1 mistakes killed both ways (claims: 20 cases, implementations: 20 cases, seed 42;');
  });

  it('prints Markdown tables with the shrink sizes, and JSON', async () => {
    const io = capture();
    const json = join(tmp(), 'catalogue.json');
    expect(await runCatalogue(parseCatalogueArgs(['--only', 'bias-forgotten', '--runs', '10', '--claim-runs', '10', '--markdown', '--generic', '--json', json]), io)).toBe(0);
    expect(io.stdout).toContain('| `bias-forgotten` | bias gradient forgotten:');
    expect(io.stdout).toContain('| mistake | claim: layers | units | batch | digits | generic cases: layers | units | batch | digits | implementation: layers | units | batch | digits |');
    const saved = JSON.parse(readFileSync(json, 'utf8')) as { id: string; killed: boolean; genericCounterexampleSize: unknown }[];
    expect(saved[0]).toMatchObject({ id: 'bias-forgotten', killed: true });
    expect(saved[0]!.genericCounterexampleSize).not.toBe(null);
    expect(await runCatalogue(parseCatalogueArgs(['--only', 'bias-forgotten', '--runs', '5', '--claim-runs', '5', '--json', tmp()]), capture())).toBe(2);
  });
});
