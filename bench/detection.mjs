// Detection power of the default run (200 cases, seed 42) for a float64 implementation: the
// built-in reference with ONE gradient entry (layer 1, dE/dW[0][0]) scaled by (1 + eps).
// Prints, per eps, whether the run says wrong and on how many of 200 cases alone it would.
import { inProcess, referenceImplementation, verify } from '../dist/index.js';

function injected(eps) {
  return {
    describe: referenceImplementation.describe,
    gradients(network, batch) {
      const r = referenceImplementation.gradients(network, batch);
      r.gradients[0].weights[0][0] *= 1 + eps;
      return r;
    },
  };
}

export async function detection(epsilons = [1e-6, 1e-8, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15]) {
  const rows = [];
  for (const eps of epsilons) {
    const report = await verify(inProcess(injected(eps), `reference with dE/dW[0][0] * (1 + ${eps})`), { runs: 200, seed: 42 });
    rows.push({ eps, verdict: report.verdict, casesUntilCaught: report.casesRun });
  }
  const clean = await verify(referenceImplementation, { runs: 200, seed: 42 });
  return { rows, falseAlarm: clean.verdict !== 'correct' };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, falseAlarm } = await detection();
  console.log('injected relative error in one entry  verdict   cases run until caught');
  for (const r of rows) console.log(`${r.eps.toExponential(0).padStart(36)}  ${r.verdict.padEnd(9)} ${r.verdict === 'wrong' ? r.casesUntilCaught : '-'}`);
  console.log(`false alarm on the unmodified reference: ${falseAlarm ? 'YES' : 'no'}`);
}
