import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';
import { exampleFiles, findExamples, mask, render, ROOT, withCorpus, words } from '../../docs/examples.mjs';

/**
 * Every example output in README.md and docs/*.md is what the command prints now (durations and
 * hashes masked): `npm run examples` rewrites them after a deliberate change.
 */
const examples = exampleFiles().flatMap((file) => findExamples(readFileSync(join(ROOT, file), 'utf8')).map((e) => ({ file, ...e })));

describe('the example outputs of the README and docs', () => {
  it('there are examples, each command splits into words as a shell would', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
    expect(words(`claim --target loss -- "-(t * ln(Z))" 'a b'`)).toEqual(['claim', '--target', 'loss', '--', '-(t * ln(Z))', 'a b']);
    expect(mask('seed 42, 0.4 s)\n.backprop-oracle/corpus/ba64ac9f1b337665/4527d50b75072e3934374165.json')).toBe('seed 42, <time> s)\n.backprop-oracle/corpus/<hash>/<hash>.json');
    expect(mask('oracle 40.500000000000000003, 12 ms')).toBe('oracle 40.500000000000000003, <time> ms');
  });

  it.each(examples)('$file: backprop-oracle $command', async ({ kind, command, args, block }) => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-example-'));
    try {
      const io = capture();
      const code = await run(withCorpus(args, dir), io);
      expect(mask(render(kind, command, { code, stdout: io.stdout, stderr: io.stderr }, dir, ROOT)), 'npm run examples rewrites the block').toBe(mask(block));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
