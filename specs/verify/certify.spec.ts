import { describe, expect, it } from 'vitest';
import { judge, worstJudgement } from '../../src/compare/judge.js';
import { inProcess } from '../../src/iut/module.js';
import { referenceImplementation } from '../../src/iut/builtin.js';
import { midCase } from './midCase.js';
import { createContext, oracle } from '../../src/oracle/index.js';
import { caseOracle } from '../../src/oracle/api.js';
import { referenceGradients } from '../../src/reference/index.js';
import { certify } from '../../src/verify/certify.js';
import { verifyCases } from '../../src/verify/cases.js';

const ctx = createContext(50);

describe('certification of every gradient entry against finite differences (50-30-10)', () => {
  const c = midCase();
  const clean = referenceGradients(c.network, c.batch);

  it('certifies the analytic oracle against finite differences through all 40 pre-activations, to >= 45 digits in every entry', () => {
    const o = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
    const judgements = judge(c.network, c.batch, clean, o, 'float64');
    const cert = certify(caseOracle(o), judgements);
    expect(cert.entries).toBe(50 * 30 + 30 + 30 * 10 + 10);
    expect(cert.preActivations).toBe(40);
    expect(cert.certified).toBe(true);
    expect(cert.worstDigits).toBeGreaterThan(45);
    expect(cert.decidedByDifference).toBe(0);
    // no false alarm: every value of the correct gradient is correct
    expect(judgements.every((j) => j.outcome === 'correct')).toBe(true);
  });

  it('finds one entry perturbed by a relative 1e-12, and names it', () => {
    const o = oracle(c.network, c.batch, { precision: ctx, finiteDifferences: false });
    const judgements = judge(c.network, c.batch, clean, o, 'float64');
    // an entry whose allowance is below 1e-12 of its value (the "above the rounding bound")
    const target = judgements.find((j) => j.where.kind === 'weight' && j.stableBound < 0.5e-12 * Math.abs(j.value))!;
    expect(target).toBeDefined();
    const w = target.where as { kind: 'weight'; layer: number; j: number; i: number };
    const perturbed = { ...clean, layers: clean.layers.map((g) => ({ W: Float64Array.from(g.W), b: g.b ? Float64Array.from(g.b) : null })) };
    perturbed.layers[w.layer]!.W[w.j * c.network.layers[w.layer]!.nOut + w.i]! *= 1 + 1e-12;
    const again = judge(c.network, c.batch, perturbed, o, 'float64');
    const wrong = again.filter((j) => j.outcome === 'wrong');
    expect(wrong).toHaveLength(1);
    expect(worstJudgement(again)!.where).toEqual(w);
  });

  it('the --case path notes the certification and keeps the verdict correct for the correct gradient', async () => {
    const iut = inProcess(referenceImplementation, 'reference', { timeoutMs: 10_000 });
    const report = await verifyCases(iut, [{ name: 'mid.json', case: c }], { digits: 50 });
    expect(report.verdict).toBe('correct');
    expect(report.notes.some((n) => /^certified mid\.json: all 1840 gradient entries against finite differences through 40 pre-activations/.test(n))).toBe(true);
  });
});
