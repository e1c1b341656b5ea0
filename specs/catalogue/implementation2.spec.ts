import { describe, expect, it } from 'vitest';
import { inProcess } from '../../src/iut/module.js';
import { buildImplementation2 } from '../../src/catalogue/implementation2.js';
import { buggyImplementation, MISTAKES } from '../../src/catalogue/mistakes.js';
import { ACTIVATION_NAMES, LOSS_NAMES } from '../../src/network/types.js';
import { verifyGenerated } from '../../src/verify/engine.js';

const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 60);

describe('the shared version-2 implementation of the catalogue', () => {
  it(`is correct under --strict with no hook swapped, declaring every activation and loss (${RUNS} generated cases x 2 seeds, up to 3 layers)`, async () => {
    const iut = inProcess(buildImplementation2('correct', { activations: ACTIVATION_NAMES, losses: LOSS_NAMES }), 'correct');
    for (const seed of [3, 4]) {
      const report = await verifyGenerated(iut, { runs: RUNS, seed, strict: true, maxLayers: 3, determinismChecks: 1 });
      expect(report.verdict, `seed ${seed}: ${report.failures[0]?.message}`).toBe('correct');
      expect(report.casesRun).toBe(RUNS);
    }
    await iut.close();
  });

  it('declares the family each version-2 mistake needs, and the verifier generates only that family', async () => {
    for (const m of MISTAKES.filter((x) => x.v2)) {
      const d = await buggyImplementation(m).describe!();
      expect(d).toMatchObject({ precision: 'float64', activations: m.v2!.family.activations, losses: m.v2!.family.losses });
      expect(d).not.toHaveProperty('kink');
    }
  });
});
