import { describe, expect, it } from 'vitest';
import { selfCheck } from '../../src/verify/index.js';
import { formatSelfCheck, selfCheckToJson } from '../../src/report/index.js';

describe('the built-in three-way self-check', () => {
  it('finds the reference, the oracle and the finite differences in agreement, and covers every class', () => {
    const report = selfCheck({ runs: 16, seed: 9, generate: { maxLayers: 3 } });
    expect(report.verdict).toBe('correct');
    expect(report.failures).toEqual([]);
    expect(Object.values(report.classes).every((c) => c.cases > 0)).toBe(true);
    for (const c of Object.values(report.classes)) {
      expect(c.finiteDifferenceDigits).toBeGreaterThanOrEqual(20);
      expect(c.referenceDigits).toBeGreaterThan(12);
    }
  });

  it('fails, naming the entry and keeping the case, when the agreement demanded exceeds what the precision gives', () => {
    const report = selfCheck({ runs: 2, seed: 1, minDigits: 60, generate: { maxLayers: 1, classes: ['typical'] } });
    expect(report.verdict).toBe('wrong');
    const first = report.failures[0]!;
    expect(first.kind).toBe('finite-difference-disagreement');
    expect(first.where).toMatch(/^layer 1, dE\/d(W\[j=\d+\]\[i=\d+\]|b\[i=\d+\])$/);
    expect(first.case.network.layers).toHaveLength(1);
    const text = formatSelfCheck(report);
    expect(text).toContain('verdict: WRONG');
    expect(text).toContain('failure(s); the first');
    expect(text).toContain(`case: ${JSON.stringify(first.case)}`);
    expect(JSON.parse(selfCheckToJson(report)).failures).toHaveLength(report.failures.length);
  });

  it('writes exact agreement (infinite digits) as null in JSON', () => {
    const report = selfCheck({ runs: 1, seed: 3, generate: { maxLayers: 1, classes: ['zeros'] } });
    const json = JSON.parse(selfCheckToJson(report)) as { classes: Record<string, { referenceDigits: number | null }> };
    expect(Object.values(json.classes).some((c) => c.referenceDigits === null)).toBe(true);
  });
});
