import { expect, it } from 'vitest';
import { killMistake } from '../../src/catalogue/kill.js';
import { pinOf } from '../../src/catalogue/pins.js';
import type { Mistake } from '../../src/catalogue/mistakes.js';
import { caseSize } from '../../src/claims/size.js';
import { fileURLToPath } from 'node:url';

/** The pins' folder as an absolute path: a relative one resolves against the spec file that calls killSpecs, not this helper. */
const PINS = fileURLToPath(new URL('../../fixtures/counterexamples/', import.meta.url));

/** Cases per buggy implementation (BACKPROP_ORACLE_RUNS for a longer run) and per claim (half). */
export const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 200);
const pinned = process.env.BACKPROP_ORACLE_RUNS === undefined;

/**
 * Defines the kill spec of each mistake: killed as a claim (false, with a shrunk counterexample of
 * at most 2 layers, 2 units per layer (3 for a version-2 mistake), batch 2 and 2 significant digits) and as a buggy
 * implementation (wrong; non-correct under --strict for the numerics mistake), its counterexample
 * pinned in fixtures/counterexamples/<id>.json (vitest -u rewrites the pins after a deliberate change).
 */
export function killSpecs(mistakes: readonly Mistake[]): void {
  for (const m of mistakes) {
    it(`kills "${m.id}" (${m.name}) as a claim and as a buggy implementation`, async () => {
      const k = await killMistake(m, { runs: RUNS, claimRuns: Math.max(50, RUNS / 2), seed: 42 });
      expect(k.claim.verdict).toBe('false');
      expect(k.implementation.verdict).toMatch(m.numerics ? /^(wrong|inaccurate)$/ : /^wrong$/);
      expect(k.killed).toBe(true);
      if (k.claim.verdict !== 'false') return;
      const size = caseSize(k.claim.counterexample);
      expect(size.layers).toBeLessThanOrEqual(2);
      expect(size.maxUnits).toBeLessThanOrEqual(m.v2 ? 3 : 2);
      expect(size.batch).toBeLessThanOrEqual(m.id === 'bias-one-sample' ? 2 : 1);
      expect(size.maxDigits).toBeLessThanOrEqual(2);
      if (pinned) await expect(JSON.stringify(pinOf(k), null, 2) + '\n').toMatchFileSnapshot(`${PINS}${m.id}.json`);
    });
  }
}
