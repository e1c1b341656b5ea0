/**
 * The self-check (the float64 reference within its bound of the oracle, the oracle's analytic
 * gradients equal to its finite differences) on every family of protocol version 2.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, LOSS_NAMES, type ActivationName, type LossName } from '../../src/network/types.js';
import { selfCheck, selfCheckVerdict, type SelfCheckReport } from '../../src/verify/selfCheck.js';
import { formatSelfCheck, selfCheckToJson } from '../../src/report/selfCheckText.js';
import { ALL_MAGNITUDE_CLASSES } from '../../src/generate/options.js';

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 60);

const failuresOf = (report: SelfCheckReport): string[] => report.failures.map((f) => `${f.description} ${f.where}: ${f.kind}: ${f.detail}`);

/** The class summaries' one-sided and not-comparable counts add up to the report's. */
function expectCountsConsistent(report: SelfCheckReport): void {
  const summaries = Object.values(report.classes);
  expect(summaries.reduce((n, s) => n + s.oneSided, 0)).toBe(report.oneSided);
  expect(summaries.reduce((n, s) => n + s.notComparable, 0)).toBe(report.notComparable);
  expect(report.oneSided).toBeLessThanOrEqual(report.entriesCompared);
}

describe('self-check on every family', () => {
  it.each(['typical', 'saturating', 'kinks', 'saturatedTanh', 'logitGap'] as const)('the reference, the oracle and its finite differences agree on %s cases of every activation and loss', (cls) => {
    const report = selfCheck({ runs: RUNS, seed: 11, generate: { activations: ACTIVATION_NAMES, losses: LOSS_NAMES, classes: [cls], maxLayers: 4 } });
    expect(failuresOf(report)).toEqual([]);
    expect(report.classes[cls]?.cases).toBe(RUNS);
    expect(formatSelfCheck(report)).toContain(`${cls.padEnd(Math.max(12, cls.length))} ${String(RUNS).padStart(5)}`);
    expectCountsConsistent(report);
  });

  // Where a rectifier's S is 0 or within the difference step of 0 (zeros: exact zeros below a relu;
  // tiny, nearKink: |S| <= 1e-290) a central difference across the kink gives the mean of the two
  // slopes. The oracle differences one-sided there, on the side that keeps every rectifier on its
  // piece (compared as usual, counted), and marks not comparable what no side can take (exact
  // kinks needing opposite steps: left out, counted and printed).
  it.each(['zeros', 'tiny', 'nearKink'] as const)('the reference, the oracle and its finite differences agree on %s cases of every activation and loss, one-sided at kinks', (cls) => {
    const report = selfCheck({ runs: RUNS, seed: 11, generate: { activations: ACTIVATION_NAMES, losses: LOSS_NAMES, classes: [cls], maxLayers: 4 } });
    expect(failuresOf(report)).toEqual([]);
    expect(report.verdict).toBe('correct');
    expect(report.classes[cls]?.cases).toBe(RUNS);
    // the kinks are there, and differenced one-sided
    expect(report.oneSided).toBeGreaterThan(0);
    expect(report.classes[cls]!.finiteDifferenceDigits).toBeGreaterThanOrEqual(20);
    expectCountsConsistent(report);
    const text = formatSelfCheck(report);
    expect(text).toContain(`at kinks: ${report.oneSided} differences one-sided (${cls} ${report.oneSided}), on the side that keeps every rectifier on its piece: compared as usual.`);
    if (report.notComparable > 0) expect(text).toContain(`${report.notComparable} differences not comparable at exact kinks (${cls} ${report.notComparable})`);
    else expect(text).not.toContain('not comparable');
  });

  it('counts and prints the entries not comparable at exact kinks (zeros below rectifiers), never silently', () => {
    const report = selfCheck({ runs: RUNS, seed: 11, generate: { activations: ACTIVATION_NAMES, losses: LOSS_NAMES, classes: ['zeros'], maxLayers: 4 } });
    expect(report.notComparable).toBeGreaterThan(0);
    expect(report.entriesCompared).toBeGreaterThan(10 * report.notComparable);
    expect(formatSelfCheck(report)).toMatch(new RegExp(`^${report.notComparable} differences not comparable at exact kinks \\(zeros ${report.notComparable}\\): no side keeps every rectifier on its piece`, 'm'));
    const json = JSON.parse(selfCheckToJson(report)) as SelfCheckReport;
    expect(json.notComparable).toBe(report.notComparable);
    expect(json.classes.zeros!.notComparable).toBe(report.notComparable);
  });

  // each rectifier's hidden layers with each loss its output allows, over every class, both alphas' worth of leaky_relu
  const rectifierFamilies: [ActivationName, LossName][] = [
    ['relu', 'bce'], ['relu', 'cce'], ['relu', 'mse'], ['leaky_relu', 'bce'], ['leaky_relu', 'cce'], ['leaky_relu', 'mse'],
  ];
  it.each(rectifierFamilies)('%s with %s: agrees on every class (one-sided at kinks, not-comparable left out and counted)', (activation, loss) => {
    const runs = Math.max(8, Math.round(RUNS / 4));
    const activations: ActivationName[] = loss === 'bce' ? [activation, 'sigmoid'] : loss === 'cce' ? [activation, 'softmax'] : [activation];
    for (const cls of ALL_MAGNITUDE_CLASSES) {
      const report = selfCheck({ runs, seed: 23, generate: { activations, losses: [loss], classes: [cls], maxLayers: 3 } });
      expect(failuresOf(report), `${activation}/${loss}, ${cls}`).toEqual([]);
      expect(report.verdict, `${activation}/${loss}, ${cls}`).toBe('correct');
      expect(report.entriesCompared).toBeGreaterThan(0);
      expectCountsConsistent(report);
    }
  });

  it('is not a pass when every entry was left out as not comparable', () => {
    expect(selfCheckVerdict(0, 0, 12)).toBe('inconclusive');
    expect(selfCheckVerdict(0, 1, 12)).toBe('correct');
    expect(selfCheckVerdict(1, 0, 12)).toBe('wrong');
    expect(selfCheckVerdict(0, 0, 0)).toBe('correct');
    const report: SelfCheckReport = {
      verdict: 'inconclusive', seed: 1, runs: 1, precision: 50, minDigits: 20, failures: [], entriesChecked: 5, entriesCompared: 0, oneSided: 0, notComparable: 3, durationMs: 1,
      classes: { kinks: { cases: 1, referenceDigits: 15, finiteDifferenceDigits: Infinity, referenceUlps: 1, oneSided: 0, notComparable: 3 } },
    };
    const text = formatSelfCheck(report);
    expect(text).toContain('verdict: INCONCLUSIVE');
    expect(text).toContain('3 differences not comparable at exact kinks (kinks 3)');
    expect(text).toContain('inconclusive: not one of the 3 gradient entries could be compared with its finite difference (exit 2).');
  });
});
