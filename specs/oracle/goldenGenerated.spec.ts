import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitraryForClass, MAGNITUDE_CLASSES, type GeneratedCase } from '../../src/generate/index.js';
import { caseToJson } from '../../src/network/index.js';
import { createContext, oracle, runGoldenCheck } from '../helpers/oracle.js';

/**
 * The third truth in another language: fixtures/golden/check_golden.py recomputes generated cases
 * of every magnitude class (batches of 1 to 3, both reductions, up to 4 layers of up to 6 units) with Python's
 * standard-library decimal and the textbook formulas, at the digits each case needs, and checks
 * the oracle's loss, every gradient entry, the outputs Z and their complements 1 - Z to 45 digits
 * (the oracle's 50 less 5) relative to its own magnitudes. Fixed seeds; a missing python3 fails
 * the spec with a message (never a skip). The program is shown to fail on values wrong in their
 * 44th digit and on a file it cannot read.
 */

const ctx = createContext(50);
/** Cases per magnitude class (at least 100 in every CI run; BACKPROP_ORACLE_RUNS for more). */
const RUNS = Math.max(100, Number(process.env.BACKPROP_ORACLE_RUNS ?? 100));

interface Values {
  loss: string;
  gradients: { weights: string[][]; bias: string[] | null }[];
  outputs: string[];
  complements: string[];
}
interface Entry {
  name: string;
  class: string;
  case: unknown;
  values: Values;
}

/** The oracle's values of a case in the check's format (decimal strings of 50 digits). */
function entryOf(c: GeneratedCase, name: string): Entry {
  const o = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
  const grid = (values: readonly { toString(): string }[], nIn: number, nOut: number) => Array.from({ length: nIn }, (_, j) => values.slice(j * nOut, (j + 1) * nOut).map(String));
  return {
    name,
    class: c.magnitude,
    case: caseToJson(c),
    values: {
      loss: o.forward.loss.toString(),
      gradients: o.backward.layers.map((g, l) => ({ weights: grid(g.W, c.network.layers[l]!.nIn, c.network.layers[l]!.nOut), bias: g.b ? g.b.map(String) : null })),
      outputs: o.forward.Z.at(-1)!.map(String),
      complements: o.forward.Zc.at(-1)!.map(String),
    },
  };
}

/** The oracle's magnitude of dE/dW[0][0] of the last layer of an entry's case. */
function magnitudeOf(e: Entry): InstanceType<typeof ctx.D> {
  const c = generated.get(e.name)!;
  const o = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
  return o.backward.magnitudes.at(-1)!.W[0]!;
}

/** x moved by `relative` of the magnitude m in its last digits: (x + m relative) to 50 digits. */
function nudge(x: string, magnitude: string, relative: string): string {
  return new ctx.D(x).plus(new ctx.D(magnitude).abs().times(relative)).toString();
}

const dir = mkdtempSync(join(os.tmpdir(), 'bpo-golden-'));
const entries: Entry[] = [];
/** The generated case of each entry, by name. */
const generated = new Map<string, GeneratedCase>();
const write = (name: string, cases: Entry[]): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ precision: ctx.precision, generatedBy: 'specs/oracle/goldenGenerated.spec.ts', cases }));
  return file;
};

describe('the independent Python check on generated cases of every class', () => {
  beforeAll(() => {
    MAGNITUDE_CLASSES.forEach((cls, n) => {
      const cases = fc.sample(caseArbitraryForClass(cls, { maxLayers: 4, maxWidth: 6, maxBatch: 3 }), { seed: 4100 + n, numRuns: RUNS });
      cases.forEach((c, k) => {
        entries.push(entryOf(c, `${cls}-${k}`));
        generated.set(`${cls}-${k}`, c);
      });
    });
  });

  it(`${RUNS} cases of each class, batches and the mean reduction among them, all agree to 45 digits`, () => {
    for (const cls of MAGNITUDE_CLASSES) {
      const mine = entries.filter((e) => e.class === cls);
      expect(mine.length).toBe(RUNS);
      const json = mine.map((e) => e.case as { network: { reduction: string; layers: unknown[] }; batch: { inputs: unknown[] } });
      expect(json.filter((c) => c.network.reduction === 'mean').length, cls).toBeGreaterThan(RUNS / 5);
      expect(json.filter((c) => c.batch.inputs.length > 1).length, cls).toBeGreaterThan(RUNS / 5);
      expect(json.filter((c) => c.network.layers.length >= 3).length, cls).toBeGreaterThan(RUNS / 10);
    }
    const run = runGoldenCheck(write('generated.json', entries));
    for (const cls of MAGNITUDE_CLASSES) expect(run.stdout).toMatch(new RegExp(`class ${cls}: ${RUNS} cases, 0 failed, worst agreement \\d+\\.\\d digits \\(need 45`));
    expect(run.stdout).toContain(`${entries.length} passed, 0 failed`);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('fails on values wrong in their 44th digit: a loss, a gradient entry, an output, a complement', () => {
    const broken = JSON.parse(JSON.stringify(entries.filter((_, k) => k % RUNS < 3))) as Entry[];
    const pick = (cls: string, k: number) => broken.find((e) => e.name === `${cls}-${k}`)!;
    const wrong = [
      { entry: pick('typical', 1), change: (v: Values) => (v.loss = nudge(v.loss, v.loss, '1e-44')), where: 'loss' },
      { entry: pick('saturating', 2), change: (v: Values) => (v.complements[0] = nudge(v.complements[0]!, v.complements[0]!, '1e-44')), where: 'complements\\[0\\]' },
      { entry: pick('tiny', 1), change: (v: Values) => (v.outputs[0] = nudge(v.outputs[0]!, v.outputs[0]!, '-1e-44')), where: 'outputs\\[0\\]' },
    ];
    // a gradient entry of the last layer with a non-zero magnitude (nudged relative to the oracle's own, close enough)
    const g = broken.find((e) => e.class === 'zeros' && !wrong.some((w) => w.entry === e) && !magnitudeOf(e).isZero())!;
    const last = g.values.gradients.length - 1;
    g.values.gradients[last]!.weights[0]![0] = nudge(g.values.gradients[last]!.weights[0]![0]!, magnitudeOf(g).toString(), '1e-43');
    for (const { entry, change } of wrong) change(entry.values);
    const run = runGoldenCheck(write('broken.json', broken));
    expect(run.status, run.stdout).toBe(1);
    for (const { entry, where } of wrong) expect(run.stdout).toMatch(new RegExp(`FAIL ${entry.name}: ${where} agrees to 4[34]\\.\\d digits`));
    expect(run.stdout).toMatch(new RegExp(`FAIL ${g.name}: layer ${last + 1} dE/dW\\[0\\]\\[0\\] agrees to 4[23]\\.\\d digits`));
    expect(run.stdout).toContain(`${broken.length - 4} passed, 4 failed`);
  });

  it('fails, with exit status 2, on a file it cannot read; and a missing python3 is a failure with a message', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"precision": 50, "cases": [');
    const run = runGoldenCheck(bad);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/check_golden.py: cannot read .*bad\.json/);
    expect(() => runGoldenCheck(bad, { PATH: join(dir, 'no-such-dir') })).toThrow(/python3 is required by the independent golden check/);
  });
});

