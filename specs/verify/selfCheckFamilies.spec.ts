/**
 * The self-check (the float64 reference within its bound of the oracle, the oracle's analytic
 * gradients equal to its finite differences) on every family of protocol version 2.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, LOSS_NAMES } from '../../src/network/types.js';
import { selfCheck } from '../../src/verify/selfCheck.js';
import { formatSelfCheck } from '../../src/report/selfCheckText.js';

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 60);

describe('self-check on every family', () => {
  it.each(['typical', 'saturating', 'kinks', 'saturatedTanh', 'logitGap'] as const)('the reference, the oracle and its finite differences agree on %s cases of every activation and loss', (cls) => {
    const report = selfCheck({ runs: RUNS, seed: 11, generate: { activations: ACTIVATION_NAMES, losses: LOSS_NAMES, classes: [cls], maxLayers: 4 } });
    expect(report.failures.map((f) => `${f.description} ${f.where}: ${f.kind}: ${f.detail}`)).toEqual([]);
    expect(report.classes[cls]?.cases).toBe(RUNS);
    expect(formatSelfCheck(report)).toContain(`${cls.padEnd(Math.max(12, cls.length))} ${String(RUNS).padStart(5)}`);
  });

  // The oracle's finite differences still disagree with its analytic gradients where a rectifier's
  // S is 0 or within the difference step of 0 (zeros: exact zeros below a relu; tiny, nearKink:
  // |S| <= 1e-290): a central difference across the kink gives the mean of the two slopes (half the
  // analytic value for relu). One-sided differences there are the oracle's (src/oracle) to do.
  it.todo('the reference, the oracle and its finite differences agree on zeros, tiny and nearKink cases of every activation and loss');
});
