import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';
import { scaledTimeout } from '../../src/iut/timeout.js';


function caseFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bo-dir-'));
  const file = join(dir, 'mid.json');
  const w = (n: number, m: number, k: number) => Array.from({ length: n }, (_, j) => Array.from({ length: m }, (_, i) => Math.sin(17 * j + 5 * i + k) / 2));
  writeFileSync(file, JSON.stringify({ network: { layers: [{ weights: w(12, 8, 1), bias: Array(8).fill(0.1) }, { weights: w(8, 3, 2), bias: null }] }, batch: { inputs: [w(1, 12, 3)[0], w(1, 12, 4)[0]], targets: [[1, 0, 0.5], [0, 1, 0.25]] } }));
  return file;
}

describe('verify --mode directional', () => {
  it('passes a correct implementation and localises the entries of a buggy one', async () => {
    const file = caseFile();
    const ok = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/correct.mjs', '--case', file, '--mode', 'directional', '--quiet'], ok)).toBe(0);
    expect(ok.stdout).toContain('verdict: CORRECT');
    const bad = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/buggy-scaled.mjs', '--case', file, '--mode', 'directional', '--directions', '6', '--quiet'], bad)).toBe(1);
    expect(bad.stdout).toContain('verdict: WRONG');
    expect(bad.stdout).toMatch(/layer 1, dE\/d(W|b)/);
  });

  it('needs --case, and a known mode', async () => {
    const a = capture();
    expect(await run(['verify', '--mode', 'directional'], a)).toBe(2);
    expect(a.stderr).toContain('--mode directional checks given cases: add --case PATH');
    const b = capture();
    expect(await run(['verify', '--mode', 'sideways'], b)).toBe(2);
    expect(b.stderr).toContain('verify: --mode must be cases or directional, got "sideways"');
  });
});

describe('per-request timeouts', () => {
  it('grow by 1 ms per thousand weights x samples, and no limit stays no limit', () => {
    const network = { layers: [{ weights: Array.from({ length: 1000 }, () => Array(100).fill(0)), bias: Array(100).fill(0) }] };
    expect(scaledTimeout(5000, network, { inputs: [[], []], targets: [[], []] })).toBe(5000 + Math.ceil((100_100 * 2) / 1000));
    expect(scaledTimeout(0, network, { inputs: [], targets: [] })).toBe(0);
    expect(scaledTimeout(Infinity, network, { inputs: [], targets: [] })).toBe(Infinity);
    expect(scaledTimeout(100, { layers: 'junk' } as never, {} as never)).toBe(100);
  });
});
