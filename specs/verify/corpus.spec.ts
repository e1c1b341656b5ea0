import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';
import { keyFolder, readCorpus, saveToCorpus, writeFileAtomically } from '../../src/verify/corpus.js';

const entry = (w: number) => ({ key: 'impl', network: { layers: [{ weights: [[w]], bias: null }], reduction: 'sum' as const }, batch: { inputs: [[1]], targets: [[0]] }, found: { outcome: 'wrong' } });

describe('the counterexample corpus', () => {
  it('is content-addressed: the same case is one file, another case another', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-corpus-'));
    const a = saveToCorpus(dir, entry(1));
    expect(saveToCorpus(dir, entry(1))).toBe(a);
    const b = saveToCorpus(dir, entry(2));
    expect(b).not.toBe(a);
    expect(readdirSync(keyFolder(dir, 'impl')).sort()).toHaveLength(2);
    expect(readCorpus(dir, 'impl').cases.map((c) => c.name).sort()).toEqual([a, b].sort());
    expect(readCorpus(dir, 'another implementation').cases).toEqual([]);
  });

  it('reports and skips a corrupt or truncated file, never failing on it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-corpus-'));
    const good = saveToCorpus(dir, entry(1));
    writeFileSync(join(keyFolder(dir, 'impl'), 'truncated.json'), readFileSync(good, 'utf8').slice(0, 40));
    writeFileSync(join(keyFolder(dir, 'impl'), 'wrong-shape.json'), JSON.stringify({ network: { layers: [] }, batch: {} }));
    const read = readCorpus(dir, 'impl');
    expect(read.cases).toHaveLength(1);
    expect(read.skipped.map((s) => s.file.split('/').pop()).sort()).toEqual(['truncated.json', 'wrong-shape.json']);
    expect(read.skipped.find((s) => s.file.endsWith('truncated.json'))!.reason).toContain('is not valid JSON');
  });

  it('writes atomically: no temporary file is left, and a failed write leaves the old file whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-corpus-'));
    const file = join(dir, 'f.json');
    writeFileAtomically(file, 'first');
    writeFileAtomically(file, 'second');
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['f.json']);
    expect(() => writeFileAtomically(join(dir, 'no-such-dir', 'g.json'), 'x')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual(['f.json']);
  });

  it('a failure found by verify is saved and replayed first on the next run, before anything is generated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-corpus-'));
    const first = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/buggy-wrong-sign.mjs', '--runs', '30', '--quiet', '--corpus', dir], first)).toBe(1);
    const stored = readCorpus(dir, 'fixtures/implementations/buggy-wrong-sign.mjs');
    expect(stored.cases).toHaveLength(1);
    const second = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/buggy-wrong-sign.mjs', '--runs', '30', '--quiet', '--corpus', dir], second)).toBe(1);
    expect(second.stdout).toContain('replayed 1 stored counterexample(s) first: one still fails, so no new case was generated');
    expect(second.stdout).toContain(`WRONG at layer 1, dE/dW[j=0][i=0] (stored case ${stored.cases[0]!.name}, shrunk in `);
    expect(second.stdout).toMatch(/verdict: WRONG {2}\(1 stored case replayed, 0 of 30 generated cases/);
    // a fixed implementation passes its old counterexamples, then the generated cases
    const fixed = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/correct.mjs', '--runs', '10', '--quiet', '--corpus', dir], fixed)).toBe(0);
    const replayed = capture();
    mkdirSync(keyFolder(dir, 'fixtures/implementations/correct.mjs'), { recursive: true });
    writeFileSync(join(keyFolder(dir, 'fixtures/implementations/correct.mjs'), 'x.json'), readFileSync(stored.cases[0]!.name));
    expect(await run(['verify', '--impl', 'fixtures/implementations/correct.mjs', '--runs', '10', '--quiet', '--corpus', dir], replayed)).toBe(0);
    expect(replayed.stdout).toContain('replayed 1 stored counterexample(s) first: all pass now');
  });

  it('a replayed stored case counts in the headline, and when it still fails it is shrunk and the smaller case saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-corpus-'));
    const label = 'fixtures/implementations/buggy-wrong-sign.mjs';
    // a big stored case: 3 layers 3-4-4-2, batch 3, full doubles
    const row = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.round(Math.sin(7 * k + 3 * i) * 1e6) / 1e6 + 0.123456789);
    const network = { layers: [{ weights: [0, 1, 2].map((k) => row(4, k)), bias: row(4, 9) }, { weights: [3, 4, 5, 6].map((k) => row(4, k)), bias: null }, { weights: [7, 8, 9, 10].map((k) => row(2, k)), bias: row(2, 11) }], reduction: 'sum' as const };
    const batch = { inputs: [12, 13, 14].map((k) => row(3, k)), targets: [[1, 0], [0.25, 1], [0, 0.5]] };
    const stored = saveToCorpus(dir, { key: label, network, batch, found: { outcome: 'wrong' } });
    const io = capture();
    expect(await run(['verify', '--impl', label, '--runs', '30', '--quiet', '--corpus', dir], io)).toBe(1);
    expect(io.stdout).toMatch(/verdict: WRONG {2}\(1 stored case replayed, 0 of 30 generated cases/);
    expect(io.stdout).toContain(`(stored case ${stored}, shrunk in `);
    const shrunk = readCorpus(dir, label).cases.find((c) => c.name !== stored)!;
    expect(shrunk).toBeDefined();
    expect(shrunk.case.network.layers.length).toBeLessThanOrEqual(1);
    expect(shrunk.case.batch.size).toBe(1);
    expect(Math.max(...shrunk.case.network.layers.map((l) => l.nOut), shrunk.case.batch.nIn)).toBeLessThanOrEqual(1);
    expect(io.stdout).toContain(`--case ${shrunk.name}`);
  });

  it('replay FILE runs one saved counterexample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-corpus-'));
    const file = saveToCorpus(dir, entry(1));
    const io = capture();
    expect(await run(['replay', file, '--impl', 'fixtures/implementations/buggy-wrong-sign.mjs', '--quiet'], io)).toBe(1);
    expect(io.stdout).toContain(`(case ${file})`);
    const ok = capture();
    expect(await run(['replay', file, '--impl', 'fixtures/implementations/correct.mjs', '--quiet'], ok)).toBe(0);
    const bad = capture();
    expect(await run(['replay'], bad)).toBe(2);
    expect(bad.stderr).toContain('replay: name the counterexample file');
  });

  it('an unwritable corpus folder (here: below a file) is reported (exit 2) and the summary is still printed', async () => {
    const io = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/buggy-wrong-sign.mjs', '--runs', '5', '--quiet', '--corpus', '/etc/hostname/corpus'], io)).toBe(2);
    expect(io.stdout).toContain('verdict: WRONG');
    expect(io.stderr).toContain('could not write the counterexamples to the corpus /etc/hostname/corpus');
  });

  it('two verifier processes sharing one corpus folder do not corrupt it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-corpus-'));
    const writer = (seed: number): Promise<number> =>
      new Promise((resolve) => {
        const code = `import { saveToCorpus } from './src/verify/corpus.ts';
          for (let k = 0; k < 300; k++) saveToCorpus(${JSON.stringify(dir)}, { key: 'shared', network: { layers: [{ weights: [[k % 50]], bias: null }] }, batch: { inputs: [[${seed}]], targets: [[0]] }, found: { k } });`;
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'inherit' });
        child.on('exit', (c) => resolve(c ?? -1));
      });
    expect(await Promise.all([writer(1), writer(1), writer(2)])).toEqual([0, 0, 0]);
    const read = readCorpus(dir, 'shared');
    expect(read.skipped).toEqual([]);
    expect(read.cases).toHaveLength(100);
    expect(readdirSync(keyFolder(dir, 'shared')).every((f) => f.endsWith('.json'))).toBe(true);
  });
});
