// The worst agreement, in digits relative to scale, of an oracle result's analytic gradients with
// its finite differences (every weight and bias): what specs/oracle/twoLayer.spec.ts demands >= 20 of.
import { agreementDigits } from '../dist/verify/certify.js';

export function digitsOfAgreement(o) {
  const core = o.core;
  const g = o.coreDifferences.preActivation;
  let worst = Infinity;
  core.network.layers.forEach(({ nIn, nOut, b }, l) => {
    for (let j = 0; j < nIn; j++) {
      for (let i = 0; i < nOut; i++) {
        worst = Math.min(worst, agreementDigits(core, core.weightGradient(l, j, i), core.sumOverBatch(l, j, i, g[l], false), core.weightMagnitude(l, j, i)));
      }
    }
    if (b) for (let i = 0; i < nOut; i++) worst = Math.min(worst, agreementDigits(core, core.sumSamples(l, i, core.delta[l]), core.sumSamples(l, i, g[l]), core.sumSamples(l, i, core.deltaMagnitude[l])));
  });
  return worst;
}
