/** `verify --mode directional` on version-2 networks through the CLI: a correct module passes, the relu-kink bug is found at an exact kink. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';

/** A 12-8-3 relu / softmax / cce case; sample 0's inputs are all 0 and unit 3's bias is 0: that unit sits exactly at its kink there. */
function kinkFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bo-dir2-'));
  const file = join(dir, 'kink.json');
  const w = (n: number, m: number, k: number): number[][] => Array.from({ length: n }, (_, j) => Array.from({ length: m }, (_, i) => Math.sin(17 * j + 5 * i + k) / 2));
  const bias = Array.from({ length: 8 }, (_, i) => (i === 3 ? 0 : 0.1 + 0.01 * i));
  const inputs = [Array(12).fill(0), w(1, 12, 3)[0]!, w(1, 12, 4)[0]!];
  const targets = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  writeFileSync(file, JSON.stringify({ network: { layers: [{ weights: w(12, 8, 1), bias, activation: 'relu' }, { weights: w(8, 3, 2), bias: [0.1, -0.1, 0], activation: 'softmax' }], loss: 'cce' }, batch: { inputs, targets } }));
  return file;
}

describe('verify --mode directional on a version-2 case at an exact kink', () => {
  it('v2-correct.mjs passes, differenced one-sided; v2-buggy-relu-kink.mjs (relu\'(0) = 1, declared left) is wrong at the kink unit', async () => {
    const file = kinkFile();
    const ok = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/v2-correct.mjs', '--case', file, '--mode', 'directional', '--quiet'], ok)).toBe(0);
    expect(ok.stdout).toContain('verdict: CORRECT');
    expect(ok.stdout).toMatch(/directional \S*kink\.json: 4 random signed directions over 131 parameters, 0 flagged \(4 one-sided at kinks\)/);
    const bad = capture();
    expect(await run(['verify', '--impl', 'fixtures/implementations/v2-buggy-relu-kink.mjs', '--case', file, '--mode', 'directional', '--quiet'], bad)).toBe(1);
    expect(bad.stdout).toContain('verdict: WRONG');
    expect(bad.stdout).toContain('layer 1, dE/db[i=3]');
  });
});
