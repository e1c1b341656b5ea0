/**
 * Text and JSON of a claim's verdict. A false claim prints as a worked example: the network, each
 * sample's quantities, the claimed and the true value, and which factor of the chain rule differs.
 */
import type { CaseJson, LayerJson } from '../network/types.js';
import { formatSize } from './size.js';
import type { Claim, ClaimCounterexample, ClaimDescription, ClaimResult, FactorAnalysis } from './types.js';
import { formatDigits } from './values.js';

const list = (xs: readonly number[]): string => `[${xs.join(', ')}]`;
const matrix = (rows: readonly (readonly number[])[]): string => `[${rows.map(list).join(', ')}]`;

/** One line saying what the claim is and where it applies. */
export function formatClaimHeader(d: ClaimDescription): string {
  const layer = d.layer === 'output' || d.layer === 'hidden' ? `${d.layer} layer` : `layer ${d.layer}`;
  const depths = d.depths.length > 1 ? `${d.depths.join(' or ')}-layer networks` : `${d.depths[0]}-layer networks`;
  const family = d.loss === undefined ? '' : `, ${d.activation}${d.alpha !== undefined ? ` (alpha ${d.alpha})` : ''} layer, loss ${d.loss}`;
  return `claim: ${d.entryName} = ${d.text}   (${layer} of ${depths}${family}, reduction ${d.reduction}, ${d.arithmetic} arithmetic)`;
}

/** The network and batch of a case, a layer per line. */
export function formatCase(c: CaseJson): string[] {
  // a version-2 case names its loss and every layer's activation; a version-1 case prints as before
  const v2 = c.network.loss !== undefined || c.network.layers.some((layer) => layer.activation !== undefined);
  const loss = v2 ? `, loss ${c.network.loss ?? 'bce'}` : '';
  const lines = [`network (${formatSize(c)}, reduction ${c.network.reduction ?? 'sum'}${loss}); W[j][i] is the weight from input j to unit i:`];
  c.network.layers.forEach((layer: LayerJson, l) => {
    const activation = v2 ? ` (${layer.activation ?? 'sigmoid'}${layer.alpha !== undefined ? `, alpha ${layer.alpha}` : ''})` : '';
    lines.push(`  layer ${l + 1}${activation}: W = ${matrix(layer.weights)}   b = ${layer.bias ? list(layer.bias) : 'none'}`);
  });
  lines.push(`  inputs X = ${matrix(c.batch.inputs)}   targets t = ${matrix(c.batch.targets)}`);
  return lines;
}

function formatFactors(f: FactorAnalysis): string[] {
  const lines = ['which factor differs (factors compared on probe networks; values on sample 0):'];
  const width = Math.max(...f.matches.map((m) => `${m.piece} = ${m.formula}`.length), 10);
  for (const m of f.matches) {
    const claimed = m.claimed === null ? 'MISSING from the claim' : `${m.negated ? 'MINUS ' : ''}claim: ${m.claimed}`;
    lines.push(`  ${`${m.piece} = ${m.formula}`.padEnd(width)}  = ${m.value.padEnd(14)}  ${claimed}`);
  }
  if (f.extra.length > 0) lines.push(`  extra in the claim: ${f.extra.map((e) => `${e.text} (= ${e.value})`).join(', ')}`);
  for (const finding of f.findings) lines.push(`  => ${finding}`);
  return lines;
}

function formatCounterexample(c: ClaimCounterexample, d: ClaimDescription, minDigits: number): string[] {
  const summed = c.samples.length > 1 && c.entry.sample === undefined;
  const over = d.target === 'loss' ? 'samples and output units' : 'samples';
  const lines = [...formatCase(c), `at ${c.where}${summed ? ` (the claim is summed over the ${over})` : ''}:`];
  for (const sample of c.samples) {
    lines.push(`  sample ${sample.sample}: ${sample.quantities.map(([n, v]) => `${n} = ${v}`).join('   ')}`);
    for (const unit of sample.next) lines.push(`    unit i=${unit.i} above: ${unit.quantities.map(([n, v]) => `${n} = ${v}`).join('   ')}`);
    lines.push(`    claim ${d.text} = ${sample.claimed}`);
  }
  lines.push(`  claimed            ${c.claimed}`);
  const source = d.target === 'loss' ? "the oracle's loss" : d.target === 'dS/dW' ? 'exact: S is linear in the weight' : d.target === 'dZ/dS' ? `finite difference of ${d.activation === undefined || d.activation === 'sigmoid' ? 'sigma' : d.activation}` : 'finite difference of the loss';
  lines.push(`  true               ${c.truth}   (${source})`);
  lines.push(`  correct digits     ${formatDigits(c.digits)} of ${minDigits} required (relative to the magnitude ${c.magnitude})`);
  if (c.decimalValue !== null) {
    const verdict = c.decimalHolds ? 'right: the formula is exact, its float64 evaluation is not (a numerics mistake)' : 'wrong as well';
    lines.push(`  in decimal         ${c.decimalValue}   (${verdict})`);
  }
  if (c.factors) lines.push(...formatFactors(c.factors));
  return lines;
}

/** The verdict as text: one paragraph for a true claim, a worked example for a false one. */
export function formatClaimResult(result: ClaimResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const lines = [formatClaimHeader(result.claim)];
  if (result.verdict === 'true') {
    lines.push(`verdict: TRUE  (${result.cases} cases, ${result.entries} entries, each to ${formatDigits(result.worstDigits)} digits or more of ${result.minDigits} required; seed ${result.seed}, ${seconds} s)`);
    return lines.join('\n');
  }
  const c = result.counterexample;
  lines.push(`verdict: FALSE  (fails on case ${result.cases}, seed ${result.seed}; shrunk in ${c.shrinkSteps} steps, ${seconds} s)`);
  lines.push('', ...formatCounterexample(c, result.claim, result.minDigits));
  if (c.path !== null) lines.push(`replay: --seed ${result.seed} --path ${c.path}`);
  return lines.join('\n');
}

/**
 * A false claim's counterexample as data for a corpus file: a valid `--case` file
 * (`network`, `batch`) with the claim that fails on it and the values that show it.
 */
export function claimCounterexampleJson(result: ClaimResult & { verdict: 'false' }): CaseJson & { claim: ClaimDescription; where: string; claimed: string; truth: string } {
  const c = result.counterexample;
  return { network: c.network, batch: c.batch, claim: result.claim, where: c.where, claimed: c.claimed, truth: c.truth };
}

/**
 * The claim a description (as saved with a counterexample) stands for, to replay it with
 * `checkClaimOn`. For a function claim the text is only its label, so this gives an expression
 * claim only when the claim was an expression.
 */
export function claimFromDescription(d: ClaimDescription): Claim & { formula: string } {
  const family = d.loss === undefined ? {} : { loss: d.loss, ...(d.activation !== undefined ? { activation: d.activation } : {}), ...(d.alpha !== undefined ? { alpha: d.alpha } : {}) };
  return { formula: d.text, layer: d.layer, target: d.target, reduction: d.reduction, arithmetic: d.arithmetic, ...(d.depths.length === 1 ? { layers: d.depths[0]! } : {}), ...family };
}
