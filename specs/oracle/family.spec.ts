import { describe, it } from 'vitest';
import fc from 'fast-check';
import { CaseOracle, createContext } from '../../src/oracle/api.js';
import type { EntryLocation } from '../../src/types.js';
import type { Network } from '../../src/network/types.js';
import { families, familyArbitrary, familyName } from '../helpers/families.js';

/**
 * The oracle's analytic gradient (forward through each layer's module, the head's loss and output
 * delta, hidden slopes from the modules) against its own finite differences (the independently
 * differenced network of src/oracle/perturbed.ts: the modules' change identities, the row-wise
 * head's termChange / termChangeOfRow), in every family of protocol version 2: each hidden
 * activation alone and all mixed, with sigmoid+bce, softmax+cce and every elementwise f+mse, on
 * version 1's generated shapes and magnitude classes (1-10 layers). dE/dS of every pre-activation
 * and dE/dW, dE/db of every entry agree to >= 20 digits relative to their magnitude; differences
 * that are not comparable (a rectifier at an exact kink no step can keep on its side) are counted
 * and left out, never silently: the figures printed say how many were one-sided and not comparable.
 */
const RUNS = Number(process.env.BACKPROP_ORACLE_RUNS ?? 6);
const MIN_DIGITS = 20;
const ctx = createContext(50);

function entries(network: Network): EntryLocation[] {
  const out: EntryLocation[] = [];
  network.layers.forEach(({ nIn, nOut, b }, layer) => {
    for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) out.push({ kind: 'weight', layer, j, i });
    if (b) for (let i = 0; i < nOut; i++) out.push({ kind: 'bias', layer, i });
  });
  return out;
}

describe('the oracle agrees with its own finite differences in every family', () => {
  for (const family of families()) {
    it(`${familyName(family)}: dE/dS and dE/dW to ${MIN_DIGITS} digits`, () => {
      let worstS = Infinity;
      let worstW = Infinity;
      let oneSided = 0;
      let notComparable = 0;
      fc.assert(
        fc.property(familyArbitrary(family), ({ network, batch }) => {
          const o = CaseOracle.of(ctx, network, batch);
          const a = o.differenceAgreement();
          worstS = Math.min(worstS, a.worstDigits);
          oneSided += a.oneSided;
          notComparable += a.notComparable;
          let caseW = Infinity;
          for (const where of entries(network)) {
            if (o.differenceKind(where) === 'not-comparable') continue;
            caseW = Math.min(caseW, o.entryAgreement(where)!);
          }
          worstW = Math.min(worstW, caseW);
          return a.worstDigits >= MIN_DIGITS && caseW >= MIN_DIGITS;
        }),
        { seed: 1201, numRuns: RUNS },
      );
      console.log(`${familyName(family)}: worst dE/dS ${worstS.toFixed(1)}, dE/dW ${worstW.toFixed(1)} digits; one-sided ${oneSided}, not comparable ${notComparable}`);
    }, 600_000);
  }
});
