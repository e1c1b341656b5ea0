import { describe, expect, it } from 'vitest';
import { annotation, escapeData, escapeProperty, githubAnnotations, MAX_ANNOTATIONS_PER_LEVEL, MAX_CASE_CHARS, shouldAnnotate } from '../../src/report/github.js';
import type { CaseJson } from '../../src/network/types.js';
import { CORRECT, ERROR, failure, GIVEN, INACCURATE, report, SMALL_CASE, WRONG } from './fixtures.js';

/** A workflow command line: `::level title=...::message`, with the title and message unescaped. */
function read(line: string): { level: string; title: string; message: string } {
  const m = /^::(error|warning|notice) title=([^:,]*)::(.*)$/s.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  return { level: m[1]!, title: unescape(m[2]!), message: unescape(m[3]!) };
}

describe('escaping', () => {
  it('escapes %, CR and LF in messages, and also : and , in property values', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext%3A a%2C b');
    expect(escapeData('%0A')).toBe('%250A');
    expect(annotation('warning', 'a: b, c', 'line 1\nline 2: 100%, done')).toBe('::warning title=a%3A b%2C c::line 1%0Aline 2: 100%25, done');
  });

  it('keeps every annotation on one line, whatever the messages hold', () => {
    const hostile = failure({ message: 'loss E: 1%\r\nno: really, 2%0A', replay: { seed: 1, path: '2:3', file: null } });
    const lines = githubAnnotations(report({ verdict: 'wrong', exitCode: 1, failures: [hostile] }));
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
    const first = read(lines[0]!);
    expect(first).toMatchObject({ level: 'error', title: 'backprop-oracle: wrong' });
    expect(first.message.split('\n')[0]).toBe('typical: loss E: 1%\r');
    expect(first.message).toContain('no: really, 2%0A');
    expect(lines[0]).toContain('no: really, 2%250A');
  });
});

describe('githubAnnotations', () => {
  it('a correct run: just the summary notice', () => {
    expect(githubAnnotations(CORRECT)).toEqual([
      '::notice title=backprop-oracle::verdict CORRECT: 20 cases, seed 42 (module fixtures/implementations/correct.mjs), 0 wrong, 0 inaccurate, 1.2 s',
    ]);
  });

  it('a wrong run: an error with the message, the shrunk case and the replay, then the notice', () => {
    const lines = githubAnnotations(WRONG);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.startsWith('::error title=backprop-oracle%3A wrong::typical: loss E: implementation 0.6, ')).toBe(true);
    expect(read(lines[0]!).message.split('\n')).toEqual([
      `typical: ${WRONG.failures[0]!.message}`,
      `case (shrunk in 7 steps): ${JSON.stringify(SMALL_CASE)}`,
      "replay: --seed 42 --path 8:0:0:1  or  --case 'counterexamples/wrong case 1.json'",
    ]);
    expect(read(lines[1]!)).toEqual({ level: 'notice', title: 'backprop-oracle', message: 'verdict WRONG: 9 cases, seed 42 (module buggy <wrong> & "scaled".mjs), 1 wrong, 0 inaccurate, 1.0 s' });
  });

  it('inaccurate failures are warnings, errors with --strict', () => {
    const lines = githubAnnotations(INACCURATE);
    expect(lines.map((l) => read(l).level)).toEqual(['warning', 'notice']);
    expect(read(lines[0]!).title).toBe('backprop-oracle: inaccurate');
    expect(read(lines[0]!).message).toMatch(/^saturating: layer 1, dE\/dW\[j=0\]\[i=0\]: implementation 1e-40/);
    expect(read(lines[1]!).message).toContain('0 wrong, 2 inaccurate');
    const strict = githubAnnotations({ ...INACCURATE, strict: true, exitCode: 1 });
    expect(strict.map((l) => read(l).level)).toEqual(['error', 'notice']);
    expect(read(strict[1]!).message).toMatch(/^verdict INACCURATE \(strict\): /);
  });

  it('a failure of the implementation is an error naming its code', () => {
    const [error, notice] = githubAnnotations(ERROR).map(read);
    expect(error).toEqual({ level: 'error', title: 'backprop-oracle: error E_TIMEOUT', message: `no answer within 10 s\n(the process was killed)\ncase: ${JSON.stringify(SMALL_CASE)}` });
    expect(notice!.message).toMatch(/^verdict ERROR: 3 cases, seed 42 /);
    const noCase = githubAnnotations({ ...ERROR, error: { code: 'E_LOAD', message: 'cannot load', case: null } }).map(read);
    expect(noCase[0]!.message).toBe('cannot load');
    expect(read(githubAnnotations({ ...ERROR, casesRun: 1 }).at(-1)!).message).toMatch(/^verdict ERROR: 1 case, seed 42 /);
  });

  it('given cases: the case name, a file to replay, and a warning for non-determinism', () => {
    const lines = githubAnnotations(GIVEN).map(read);
    expect(lines.map((l) => l.level)).toEqual(['error', 'warning', 'notice']);
    expect(lines[0]!.message.split('\n')[0]).toBe('given case "saturated, deep": output Z[sample=0][i=0]: implementation 0, oracle 1e-320 (2.0 digits lost)');
    expect(lines[0]!.message).toContain(`replay: --case 'cases/it'\\''s.json'`);
    expect(lines[0]!.message).toContain(`\ncase: ${JSON.stringify(SMALL_CASE)}`);
    expect(lines[1]).toEqual({
      level: 'warning',
      title: 'backprop-oracle: non-deterministic',
      message: `the implementation gave different answers to the same case (1 of 2 cases checked twice); first at layer 1, dE/db[i=0]: 0.125, then not finite\ncase: ${JSON.stringify(SMALL_CASE)}`,
    });
    expect(lines[2]!.message).toBe('verdict INACCURATE (strict): 2 cases (module fixtures/implementations/correct.mjs), 0 wrong, 1 inaccurate, 1 non-deterministic, 1.2 s');
    const swapped = { ...GIVEN, nondeterminism: { checked: 3, differing: [{ where: 'loss E', first: null, second: 1, beyondBound: false, case: SMALL_CASE }] } };
    expect(read(githubAnnotations(swapped)[1]!).message).toContain('first at loss E: not finite, then 1');
  });

  it('names where a failure is when its message does not, and leaves out a replay it does not have', () => {
    const refusal = failure({ where: 'result', kind: 'error', message: 'the implementation failed: TypeError: x is undefined', replay: { seed: null, path: null, file: null }, shrinkSteps: 0 });
    const [line] = githubAnnotations(report({ verdict: 'wrong', exitCode: 1, failures: [refusal] })).map(read);
    expect(line!.message.split('\n')).toEqual(['typical, result: the implementation failed: TypeError: x is undefined', `case (shrunk in 0 steps): ${JSON.stringify(SMALL_CASE)}`]);
  });

  it('cuts a long case, and keeps at most 10 errors and 10 warnings (the last saying how many more)', () => {
    const big: CaseJson = { network: { layers: [{ weights: Array.from({ length: 400 }, () => [0.123456789]) }] }, batch: { inputs: [Array(400).fill(1)], targets: [[1]] } };
    const json = JSON.stringify(big);
    const [cut] = githubAnnotations(report({ failures: [failure({ case: big })] })).map(read);
    expect(cut!.message).toContain(`${json.slice(0, MAX_CASE_CHARS)}... (${json.length} characters: see the JSON report)`);
    const many = report({
      failures: [...Array.from({ length: 25 }, (_, i) => failure({ where: `layer ${i + 1}, dE/db[i=0]` })), ...Array.from({ length: 12 }, () => failure({ outcome: 'inaccurate' }))],
    });
    const lines = githubAnnotations(many).map(read);
    const errors = lines.filter((l) => l.level === 'error');
    const warnings = lines.filter((l) => l.level === 'warning');
    expect(errors).toHaveLength(MAX_ANNOTATIONS_PER_LEVEL);
    expect(warnings).toHaveLength(MAX_ANNOTATIONS_PER_LEVEL);
    expect(errors[8]!.message).toContain('layer 9, dE/db[i=0]');
    expect(errors[9]).toEqual({ level: 'error', title: 'backprop-oracle', message: '16 more errors: see the JSON or JUnit report' });
    expect(warnings[9]!.message).toBe('3 more warnings: see the JSON or JUnit report');
    expect(lines.at(-1)!.level).toBe('notice');
    const ten = githubAnnotations(report({ failures: Array.from({ length: 10 }, () => failure()) }));
    expect(ten.filter((l) => l.startsWith('::error')).every((l) => l.startsWith('::error title=backprop-oracle%3A wrong::'))).toBe(true);
    expect(ten).toHaveLength(11);
  });
});

describe('shouldAnnotate', () => {
  it('only inside GitHub Actions (GITHUB_ACTIONS=true)', () => {
    expect(shouldAnnotate({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(shouldAnnotate({ GITHUB_ACTIONS: 'false' })).toBe(false);
    expect(shouldAnnotate({ CI: 'true' })).toBe(false);
    expect(shouldAnnotate({})).toBe(false);
  });
});
