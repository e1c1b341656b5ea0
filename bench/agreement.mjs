// The worst agreement, in digits relative to scale, of an oracle result's analytic gradients with
// its finite differences (every weight and bias): what specs/oracle/twoLayer.spec.ts demands >= 20 of.
import { caseOracle } from '../dist/oracle/api.js';

export function digitsOfAgreement(o) {
  const exact = caseOracle(o);
  let worst = Infinity;
  for (let k = 0; k < exact.layout.count; k++) worst = Math.min(worst, exact.entryAgreement(exact.layout.locate(k)) ?? Infinity);
  return worst;
}
