import { describe, expect, it } from 'vitest';
import { inProcess } from '../../src/iut/module.js';
import { buildImplementation } from '../../src/catalogue/implementation.js';
import { correctImplementation, mistakeById, MISTAKES } from '../../src/catalogue/mistakes.js';
import { PIN_DIR, readPins, replayPin } from '../../src/catalogue/pins.js';
import { checkClaimOn } from '../../src/claims/check.js';
import { parseCase } from '../../src/network/validate.js';
import { verifyCases } from '../../src/verify/cases.js';
import { verifyGenerated } from '../../src/verify/engine.js';

const pins = readPins(PIN_DIR);

describe('the shared implementation of the catalogue', () => {
  it('is correct with no hook swapped (the verifier on generated cases of every magnitude class)', async () => {
    const iut = inProcess(buildImplementation('correct'), 'correct');
    const report = await verifyGenerated(iut, { runs: 40, seed: 3, maxLayers: 3, determinismChecks: 1 });
    expect(report.verdict).toBe('correct');
  });
});

describe('the pinned counterexamples of the catalogue (fixtures/counterexamples), replayed', () => {
  it('has one pin per mistake, each a valid --case file', () => {
    expect(pins.map((p) => p.pin.mistake).sort()).toEqual(MISTAKES.map((m) => m.id).sort());
    for (const { file, pin } of pins) {
      expect(file.endsWith(`${pin.mistake}.json`)).toBe(true);
      expect(() => parseCase(pin, file)).not.toThrow();
    }
  });

  it('pins a version-2 mistake with its loss and the activation of its layer, a version-1 one without them', () => {
    for (const { pin } of pins) {
      const m = mistakeById(pin.mistake)!;
      if (m.v2) expect(pin.claim.loss).toBe(m.claim.loss ?? 'bce');
      else expect(Object.keys(pin.claim)).toEqual(['formula', 'layer', 'target', 'reduction', 'arithmetic']);
    }
  });

  for (const { file, pin } of pins) {
    it(`${file}: the mistake still fails there, the right formula and the correct implementation do not`, async () => {
      const m = mistakeById(pin.mistake)!;
      expect(pin.claim.formula).toBe(m.claim.formula);
      expect(await replayPin(pin, m)).toEqual({ claimFails: true, implementationFails: true });
      // the control: the same cases do not fail the derivation itself
      expect(checkClaimOn({ ...m.claim, formula: m.right }, parseCase(pin)).holds).toBe(true);
      const iut = inProcess(correctImplementation(m), 'correct');
      const report = await verifyCases(iut, [{ name: file, case: parseCase(pin.implementation!) }], { strict: true });
      expect(report.verdict).toBe('correct');
    });
  }
});
