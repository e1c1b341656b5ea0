import { describe, expect, it } from 'vitest';
import type { KillResult } from '../../src/catalogue/kill.js';
import { mistakeById } from '../../src/catalogue/mistakes.js';
import { pinOf, replayPin, type PinnedCounterexample } from '../../src/catalogue/pins.js';
import { catalogueMarkdown, claimSize, formatCatalogue, shrinkMarkdown } from '../../src/catalogue/table.js';
import { LazyScope } from '../../src/claims/math.js';
import type { ClaimResult } from '../../src/claims/types.js';

const survivor = (id: string, numerics = false): KillResult => ({
  mistake: { ...mistakeById(id)!, numerics },
  claim: { verdict: 'true', claim: {} as never, cases: 10, entries: 10, worstDigits: 48, minDigits: 20, seed: 42, durationMs: 1000 } as ClaimResult,
  implementation: { verdict: 'correct', killed: false, strict: numerics, case: null, where: null, message: null, casesRun: 10 },
  killed: false,
  durationMs: 1500,
});

describe('the catalogue tables', () => {
  it('says NOT KILLED, and counts, when a mistake survives', () => {
    const text = formatCatalogue([survivor('bias-forgotten'), survivor('ln-probability', true), survivor('slope-of-s')], { claimRuns: 10, runs: 10, seed: 42 });
    expect(text.split('\n')[1]!.split(/ {2,}/)).toEqual(['bias-forgotten', 'sigmoid, bce', 'output bias', '0', 'NOT KILLED', 'NOT KILLED (correct)', '-']);

    expect(text).toContain('NOT KILLED (correct, --strict)');
    expect(text).toContain('0 of 3 mistakes killed both ways (claims: 10 cases, implementations: 10 cases, seed 42; 4.5 s)');
    expect(catalogueMarkdown([survivor('ln-probability', true)])).toContain('| `ln-probability` | ln of the probability instead of the logit form: the loss from ln Z and ln(1 - Z) of a rounded Z loses digits in saturation and is infinite past \\|S\\| = 37');
    expect(shrinkMarkdown([survivor('sign-flip')])).toBe('| mistake | claim: layers | units | batch | digits | implementation: layers | units | batch | digits |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n| `sign-flip` | - | - | - | - | - | - | - | - |');
    expect(claimSize(undefined)).toBe(null);
  });

  it('pins nothing for a surviving claim, and replays a pin without an implementation case', async () => {
    expect(pinOf(survivor('sign-flip'))).toBe(null);
    const m = mistakeById('sign-flip')!;
    const pin: PinnedCounterexample = {
      mistake: m.id, claim: { formula: m.claim.formula, layer: 'output', target: 'W', reduction: 'sum', arithmetic: 'decimal' }, where: '', claimed: '', truth: '',
      network: { layers: [{ weights: [[0]], bias: null }], reduction: 'sum' }, batch: { inputs: [[1]], targets: [[0]] }, implementation: null,
    };
    expect(await replayPin(pin, m)).toEqual({ claimFails: true, implementationFails: null });
  });

  it('converts a claim scope lazily', () => {
    const one = { toString: () => '1', toNumber: () => 1 };
    const parent = new LazyScope({ a: one }, (d) => d.toNumber());
    const child = new LazyScope({ b: one }, (d) => d.toNumber() + 1, parent, { c: 3 });
    expect([child.get('a'), child.get('b'), child.get('c'), child.get('nothing')]).toEqual([1, 2, 3, undefined]);
    expect(child.set('d', 4).get('d')).toBe(4);
    expect([child.has('a'), child.has('d'), child.has('z')]).toEqual([true, true, false]);
    expect([...child.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
