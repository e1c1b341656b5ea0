/**
 * The version-1 default generation is pinned: for a given seed the generators draw exactly the
 * cases they drew before protocol version 2's activations and losses were added (pinned
 * counterexamples, snapshots and doc examples depend on it). Each line of
 * `version1Pin.json` is the sha256 of a seed's first cases as protocol JSON (every float64 to the
 * bit, -0 included, through `writeJsonText`) with their magnitude classes and descriptions,
 * recorded before the change. `BACKPROP_ORACLE_PIN_WRITE=1` rewrites the file (never do that to
 * make a failing spec pass: a changed draw is the failure this spec exists for).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { batchToJson, networkToJson, writeJsonText } from '../../src/network/json.js';
import {
  caseArbitrary,
  caseArbitraryForClass,
  describeCase,
  mixedSaturationArbitrary,
  networkArbitrary,
  sampleCases,
  type GeneratedCase,
  type GenerateOptions,
} from '../../src/generate/index.js';

const PIN_FILE = fileURLToPath(new URL('./version1Pin.json', import.meta.url));

function digestCases(cases: readonly GeneratedCase[]): string {
  const text = cases
    .map((c) => `${c.magnitude} ${describeCase(c)} ${writeJsonText({ network: networkToJson(c.network), batch: batchToJson(c.batch) })}`)
    .join('\n');
  return createHash('sha256').update(text).digest('hex');
}

function digestNetworks(networks: readonly import('../../src/network/types.js').Network[]): string {
  return createHash('sha256').update(networks.map((n) => writeJsonText(networkToJson(n))).join('\n')).digest('hex');
}

const OPTION_SETS: readonly [string, Partial<GenerateOptions>][] = [
  ['defaults', {}],
  ['float32', { float32: true }],
  ['narrow', { minLayers: 2, maxLayers: 3, maxWidth: 3, maxBatch: 2, bias: true, reductions: ['mean'], targets: 'hard' }],
  ['soft two classes', { bias: false, reductions: ['sum'], targets: 'soft', classes: ['typical', 'tiny'] }],
];

/** Every pinned draw, by name. */
function digests(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, options] of OPTION_SETS) {
    for (const seed of [1, 7, 42, 2024]) out[`sampleCases ${name} seed ${seed}`] = digestCases(sampleCases(options, 200, seed));
  }
  for (const cls of ['typical', 'zeros', 'tiny', 'saturating'] as const) {
    out[`caseArbitraryForClass ${cls}`] = digestCases(fc.sample(caseArbitraryForClass(cls), { seed: 5, numRuns: 100 }));
    out[`caseArbitraryForClass ${cls} float32`] = digestCases(fc.sample(caseArbitraryForClass(cls, { float32: true }), { seed: 6, numRuns: 100 }));
  }
  out['caseArbitrary fc.sample'] = digestCases(fc.sample(caseArbitrary(), { seed: 11, numRuns: 200 }));
  out['mixedSaturationArbitrary'] = digestCases(fc.sample(mixedSaturationArbitrary(), { seed: 3, numRuns: 100 }));
  out['networkArbitrary'] = digestNetworks(fc.sample(networkArbitrary(), { seed: 9, numRuns: 100 }));
  // shrinking paths: the counterexample of a property failing on large cases
  const shrunk = fc.check(fc.property(caseArbitrary(), (c) => c.network.layers.length < 3 || c.batch.size < 2), { seed: 13, numRuns: 200 });
  out['shrunk counterexample'] = digestCases(shrunk.counterexample ? [shrunk.counterexample[0]] : []);
  return out;
}

describe('version-1 default generation', () => {
  it('draws, for every pinned seed and option set, the cases it drew before version 2', () => {
    const now = digests();
    if (process.env.BACKPROP_ORACLE_PIN_WRITE === '1') writeFileSync(PIN_FILE, `${JSON.stringify(now, null, 2)}\n`);
    const pinned = JSON.parse(readFileSync(PIN_FILE, 'utf8')) as Record<string, string>;
    expect(now).toEqual(pinned);
  });
});
