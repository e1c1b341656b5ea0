import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReference } from '../../src/compare/index.js';
import { errorBoundWithKinks, FLOAT64_STABLE, forwardBound, SAFETY } from '../../src/compare/bound.js';
import { flatBounds } from '../../src/compare/entries.js';
import { arithmeticOf } from '../../src/compare/textbook.js';
import { modulesOf } from '../../src/layers/index.js';
import { forward } from '../../src/reference/forward.js';
import { loss } from '../../src/reference/loss.js';
import { judge, STABLE_SLACK, type Judgement } from '../../src/compare/judge.js';
import { formatLocation } from '../../src/types.js';
import { referenceGradients } from '../../src/reference/index.js';
import { createContext, oracle } from '../helpers/oracle.js';
import { caseArbitrary, CLASSES, FAMILIES, float32Reference, medianAndWorst, type Family } from '../helpers/familyBound.js';
import { caseArbitrary as generatedCases, STRESS_CLASSES, type MagnitudeClass } from '../../src/generate/index.js';
import { isVersion1 } from '../../src/network/types.js';

/**
 * The running error bound of every version-2 family (issue 12): the float64 reference, and a float32
 * reference (every operation rounded by Math.fround), lie within their derived bounds on every
 * magnitude class, for hidden mixes of tanh, relu, leaky_relu, linear and sigmoid and the outputs
 * sigmoid+bce, softmax+cce (one-hot and soft rows) and mse with any elementwise output and any
 * finite targets; no bound is infinite or NaN; the bound is not loose (median and worst ratio
 * error / bound per family and class are printed, and a 1e-10 relative slip in one gradient entry
 * of a typical case is judged wrong).
 */

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 60);
const ctx = createContext(50);

type Ratios = Map<string, number[]>;
const key = (family: Family, cls: MagnitudeClass): string => `${family} / ${cls}`;

function record(ratios: Ratios, k: string, error: number, bound: number, minNormal: number): void {
  // below the normal range errors and bounds are single multiples of the underflow unit
  if (!(bound >= minNormal)) return;
  const list = ratios.get(k) ?? [];
  list.push(error / bound);
  ratios.set(k, list);
}

function table(title: string, ratios: Ratios): string {
  const rows = [...ratios.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, xs]) => {
    const { median, worst, count } = medianAndWorst(xs);
    return `  ${k.padEnd(46)} median ${median.toExponential(2)}  worst ${worst.toExponential(2)}  (${count} entries)`;
  });
  return `${title}\n${rows.join('\n')}`;
}

describe('the float64 reference within its derived bound, every family and class', () => {
  const ratios: Ratios = new Map();
  for (const family of FAMILIES) {
    it(`${family}: every loss value, gradient entry and output within a finite bound`, () => {
      const seen = new Set<MagnitudeClass>();
      fc.assert(
        fc.property(caseArbitrary({ families: [family] }), (c) => {
          seen.add(c.magnitude);
          const check = checkReference(c.network, c.batch, oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false }));
          // entries whose bound includes a kink crossing are tallied apart (their ratio reaches 1: the other piece's slope)
          const pass = forward(c.network, c.batch);
          const { uncrossed } = errorBoundWithKinks(c.network, c.batch, pass, loss(c.network, c.batch, pass), FLOAT64_STABLE);
          const without = uncrossed ? flatBounds(uncrossed, check.entries.length, false) : null;
          check.entries.forEach((e, k) => {
            if (!Number.isFinite(e.value) || !Number.isFinite(e.bound) || !(e.bound >= 0)) throw new Error(`${c.label}: ${formatLocation(e.where)} value ${e.value}, bound ${e.bound}`);
            const near = without !== null && e.bound > without[k]! * SAFETY;
            record(ratios, key(family, c.magnitude) + (near ? ' near a kink' : ''), e.error, e.bound, 2 ** -1022);
          });
          const v = check.violations[0];
          if (v) throw new Error(`${c.label} (${c.magnitude}): ${formatLocation(v.where)} error ${v.error.toExponential(3)} > bound ${v.bound.toExponential(3)}`);
        }),
        { seed: 1201 + FAMILIES.indexOf(family), numRuns: RUNS },
      );
      expect([...seen].sort()).toEqual([...CLASSES].sort());
    });
  }
  it('prints the ratios', () => {
    console.log(table('float64 reference, error / bound:', ratios));
    for (const family of FAMILIES) for (const cls of CLASSES) expect(ratios.has(key(family, cls)), key(family, cls)).toBe(true);
  });
});

describe('a float32 reference judged in float32: correct, within the derived bound', () => {
  const ratios: Ratios = new Map();
  for (const family of FAMILIES) {
    it(`${family}: every value correct`, () => {
      fc.assert(
        fc.property(caseArbitrary({ families: [family], float32: true }), (c) => {
          const answer = float32Reference(c.network, c.batch);
          const judgements = judge(c.network, c.batch, answer, oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false }), 'float32');
          for (const j of judgements) {
            if (!Number.isFinite(j.stableBound)) throw new Error(`${c.label}: ${formatLocation(j.where)} bound ${j.stableBound}`);
            record(ratios, key(family, c.magnitude) + (j.nearKink ? ' near a kink' : ''), j.error, j.stableBound / STABLE_SLACK, 2 ** -126);
          }
          const bad = judgements.find((j) => j.outcome !== 'correct');
          if (bad) throw new Error(`${c.label} (${c.magnitude}): ${formatLocation(bad.where)} ${bad.outcome}: value ${bad.value}, error ${bad.error.toExponential(3)} > ${bad.stableBound.toExponential(3)} allowed`);
        }),
        { seed: 1211 + FAMILIES.indexOf(family), numRuns: RUNS },
      );
    });
  }
  it('prints the ratios', () => {
    console.log(table('float32 reference, error / derived bound (STABLE_SLACK allows 4):', ratios));
    expect(ratios.size).toBeGreaterThan(0);
  });
});

describe('the bound is not loose: a 1e-10 relative slip in one gradient entry of a typical case is wrong', () => {
  const explained: string[] = [];
  afterAll(() => {
    if (explained.length > 0) console.log(`1e-10 slips the textbook tier called inaccurate (version-2 networks):\n  ${explained.join('\n  ')}`);
  });
  for (const family of FAMILIES) {
    it(family, () => {
      fc.assert(
        fc.property(caseArbitrary({ families: [family], classes: ['typical'] }), (c) => {
          const ref = referenceGradients(c.network, c.batch);
          const exact = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
          const clean = judge(c.network, c.batch, ref, exact, 'float64');
          expect(clean.every((j) => j.outcome === 'correct')).toBe(true);
          // the weight gradient least cancelled (largest |value| / scale), slipped by one part in 1e10 of its value
          let slipped: Judgement | undefined;
          for (const j of clean) if (j.where.kind === 'weight' && j.scale > 0 && (!slipped || Math.abs(j.value) / j.scale > Math.abs(slipped.value) / slipped.scale)) slipped = j;
          fc.pre(slipped !== undefined && Math.abs(slipped.value) / slipped.scale > 1e-3 && Math.abs(slipped.value) > 1e-200);
          const where = slipped!.where as { layer: number; j: number; i: number };
          const q = where.j * c.network.layers[where.layer]!.nOut + where.i;
          const layers = ref.layers.map((g, l) => ({ W: l === where.layer ? Float64Array.from(g.W, (v, k) => (k === q ? v * (1 + 1e-10) : v)) : g.W, b: g.b }));
          const judgements = judge(c.network, c.batch, { loss: ref.loss, layers }, exact, 'float64');
          const after = judgements.find((j) => formatLocation(j.where) === formatLocation(where as Judgement['where']))!;
          // beyond the stable bound: never correct; wrong unless a textbook computation of the case gives it
          // (`textbook.ts`, another part: a version-2 network's textbook allowances are counted, not asserted here)
          expect(after.withinBound, c.label).toBe(false);
          expect(after.outcome, c.label).not.toBe('correct');
          if (isVersion1(c.network)) expect(after.outcome, `${c.label}: ${after.cancellation ?? ''}`).toBe('wrong');
          else if (after.outcome === 'inaccurate') explained.push(`${c.label}: ${after.cancellation}`);
          expect(judgements.filter((j) => j !== after).every((j) => j.outcome === 'correct')).toBe(true);
        }),
        { seed: 1221 + FAMILIES.indexOf(family), numRuns: Math.ceil(RUNS / 2) },
      );
    });
  }
});

describe('the forward bound encloses every activation over [S - eS, S + eS] (float32-sized eS, so that the moves are resolved in float64)', () => {
  it('elementwise units at both ends, softmax rows at the corners that move a unit most', () => {
    const ar = arithmeticOf('float32');
    let units = 0;
    fc.assert(
      fc.property(caseArbitrary(), (c) => {
        const pass = forward(c.network, c.batch);
        const fb = forwardBound(c.network, c.batch, pass, ar);
        const modules = modulesOf(c.network);
        c.network.layers.forEach(({ nOut }, l) => {
          const a = modules.activation(l);
          const S = pass.S[l]!;
          const Z = pass.Z[l]!;
          const Zc = pass.Zc[l]!;
          const eS = fb.eS[l]!;
          // the float64 evaluation at S* errs by a few u64 of the value: allowed on top of the bound
          const within = (moved: number, at: number, bound: number): boolean => Math.abs(moved - at) <= bound * (1 + 1e-9) + 64 * 2 ** -53 * Math.abs(moved) + 1e-300;
          if (a.shape === 'elementwise') {
            for (let k = 0; k < S.length; k++) {
              for (const Sm of [S[k]! - eS[k]!, S[k]! + eS[k]!]) {
                units++;
                if (!within(a.value(Sm), Z[k]!, fb.eZ[l]![k]!)) throw new Error(`${c.label}: layer ${l + 1} ${a.name} Z at S = ${S[k]} + ${Sm - S[k]!}: moved ${Math.abs(a.value(Sm) - Z[k]!)} > eZ ${fb.eZ[l]![k]}`);
                if (!within(a.complement(Sm), Zc[k]!, fb.eZc[l]![k]!)) throw new Error(`${c.label}: layer ${l + 1} ${a.name} Zc at S = ${S[k]} + ${Sm - S[k]!}: moved ${Math.abs(a.complement(Sm) - Zc[k]!)} > eZc ${fb.eZc[l]![k]}`);
              }
            }
          } else {
            const Zm = new Float64Array(S.length);
            const Zcm = new Float64Array(S.length);
            for (let row = 0; row < S.length; row += nOut) {
              for (let k = row; k < row + nOut; k++) {
                for (const sign of [1, -1]) {
                  // unit k moved by sign eS_k, the others the other way: Z_k and Zc_k move most
                  const Sm = Float64Array.from(S, (x, q) => (q < row || q >= row + nOut ? x : q === k ? x + sign * eS[q]! : x - sign * eS[q]!));
                  a.forwardRow(Sm, Zm, Zcm, row, nOut);
                  units++;
                  if (!within(Zm[k]!, Z[k]!, fb.eZ[l]![k]!)) throw new Error(`${c.label}: softmax Z_${k - row} moved ${Math.abs(Zm[k]! - Z[k]!)} > eZ ${fb.eZ[l]![k]}`);
                  if (!within(Zcm[k]!, Zc[k]!, fb.eZc[l]![k]!)) throw new Error(`${c.label}: softmax Zc_${k - row} moved ${Math.abs(Zcm[k]! - Zc[k]!)} > eZc ${fb.eZc[l]![k]}`);
                }
              }
            }
          }
        });
      }),
      { seed: 1231, numRuns: RUNS * 2 },
    );
    expect(units).toBeGreaterThan(1000);
  });
});

describe("src/generate's version-2 stress classes (kinks, nearKink, saturatedTanh, logitGap): the float64 reference within its bound, a float32 one correct", () => {
  const ALL = { activations: ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'softmax'] as const, losses: ['bce', 'cce', 'mse'] as const, maxLayers: 4, maxWidth: 6, maxBatch: 3 };
  const ratios: Ratios = new Map();
  for (const cls of STRESS_CLASSES) {
    it(cls, () => {
      fc.assert(
        fc.property(generatedCases({ ...ALL, classes: [cls] }), (c) => {
          const o = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
          const check = checkReference(c.network, c.batch, o);
          const v = check.violations[0];
          if (v) throw new Error(`${cls}: ${formatLocation(v.where)} error ${v.error.toExponential(3)} > bound ${v.bound.toExponential(3)}`);
          for (const e of check.entries) if (!Number.isFinite(e.bound)) throw new Error(`${cls}: ${formatLocation(e.where)} bound ${e.bound}`);
          const judgements = judge(c.network, c.batch, referenceGradients(c.network, c.batch), o, 'float64');
          for (const j of judgements) record(ratios, `float64 ${cls}${j.nearKink ? ' near a kink' : ''}`, j.error, j.stableBound / STABLE_SLACK, 2 ** -1022);
        }),
        { seed: 1241 + STRESS_CLASSES.indexOf(cls), numRuns: RUNS },
      );
      fc.assert(
        fc.property(generatedCases({ ...ALL, classes: [cls], float32: true }), (c) => {
          const judgements = judge(c.network, c.batch, float32Reference(c.network, c.batch), oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false }), 'float32');
          for (const j of judgements) record(ratios, `float32 ${cls}${j.nearKink ? ' near a kink' : ''}`, j.error, j.stableBound / STABLE_SLACK, 2 ** -126);
          const bad = judgements.find((j) => j.outcome !== 'correct');
          if (bad) throw new Error(`${cls} float32: ${formatLocation(bad.where)} ${bad.outcome}: error ${bad.error.toExponential(3)} > ${bad.stableBound.toExponential(3)} allowed`);
        }),
        { seed: 1251 + STRESS_CLASSES.indexOf(cls), numRuns: RUNS },
      );
    });
  }
  it('prints the ratios', () => {
    console.log(table('stress classes, error / derived bound:', ratios));
    expect(ratios.size).toBeGreaterThan(0);
  });
});
