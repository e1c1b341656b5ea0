/**
 * The decay report as text: the per-layer table (whose rows the HTML report shares), the
 * description of the experiment and of its training result, and powers of ten as text.
 */

import type { DecayMeasurement, LayerSummary } from '../../decay/experiment.js';
import { initLimit, initName } from '../../decay/init.js';
import { log10FactorPerLayer } from '../../decay/spread.js';

/**
 * 10^x as text with `digits` significant digits, e.g. -3.5 -> "3.2e-4"; "0" for -Infinity (a norm
 * that underflowed to 0), "-" for NaN. Works far outside the range of doubles (x = -400 -> "1.0e-400").
 */
export function formatPow10(x: number, digits = 2): string {
  if (Number.isNaN(x)) return '-';
  if (x === Number.NEGATIVE_INFINITY) return '0';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  let exponent = Math.floor(x);
  let mantissa = (10 ** (x - exponent)).toFixed(digits - 1);
  if (Number(mantissa) >= 10) {
    exponent += 1;
    mantissa = (1).toFixed(digits - 1);
  }
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
}

/** The columns of the decay table, in order. */
export const DECAY_COLUMNS = ['layer', 'above', 'gradient norm', 'middle half', 'full range', 'bound', 'ratio', 'ratio range'] as const;

/** One row of the decay table as text cells, in the order of {@link DECAY_COLUMNS} (medians over the networks). */
export function decayRow(s: LayerSummary): string[] {
  return [
    String(s.layer),
    String(s.above),
    formatPow10(s.gradient.median),
    `${formatPow10(s.gradient.q1)} .. ${formatPow10(s.gradient.q3)}`,
    `${formatPow10(s.gradient.min)} .. ${formatPow10(s.gradient.max)}`,
    formatPow10(s.bound.median),
    formatPow10(s.ratio.median),
    `${formatPow10(s.ratio.min)} .. ${formatPow10(s.ratio.max)}`,
  ];
}

/** The rows of the table, output layer first (the order in which backpropagation visits them). */
export function decayRows(m: DecayMeasurement): string[][] {
  return [...m.layers].reverse().map(decayRow);
}

/** The initialisation in words, with its limit for the experiment's widths. */
export function describeInit(m: DecayMeasurement): string {
  const { init, width } = m.experiment;
  const limit = initLimit(init, width, width).toPrecision(3);
  switch (init.kind) {
    case 'uniform':
      return 'uniform init (weights uniform in [-1, 1])';
    case 'xavier':
      return `xavier init (Glorot uniform: weights in [-a, a], a = sqrt(6/(fan_in+fan_out)) = ${limit})`;
    case 'he':
      return `he init (He uniform: weights in [-a, a], a = sqrt(6/fan_in) = ${limit})`;
    case 'scale':
      return `${initName(init)} init (weights uniform in [-${init.scale}, ${init.scale}])`;
  }
}

/** One-line title of an experiment. */
export function describeExperiment(m: DecayMeasurement): string {
  const e = m.experiment;
  return `${e.samples} network${e.samples === 1 ? '' : 's'} of ${e.layers} sigmoid layer${e.layers === 1 ? '' : 's'}, width ${e.width}, ${describeInit(m)}, batch ${e.batch}, seed ${e.seed}`;
}

/** The training result in words, or null when no training was measured. */
export function describeTraining(m: DecayMeasurement): string | null {
  const t = m.training;
  if (!t) return null;
  const factor = 10 ** -t.ratio.median;
  const howMuch = factor >= 1 ? `${formatRound(factor)} times less` : `${formatRound(1 / factor)} times more`;
  return [
    `training: ${t.steps} gradient-descent steps at rate ${t.rate} on each network. Per step, the first layer's weights`,
    `change ${formatPow10(t.ratio.median)} times as much as the last layer's, relative to their size (median over the networks;`,
    `${formatPow10(t.ratio.min)} .. ${formatPow10(t.ratio.max)}): ${howMuch}. The derived bound allows at most ${formatPow10(t.bound.median)};`,
    `the derived estimate (typical instead of worst-case factors) is ${formatPow10(t.estimate.median)}, ${Math.abs(t.ratio.median - t.estimate.median).toFixed(2)} orders of magnitude from the measurement.`,
  ].join('\n');
}

/** A large count rounded to 2 significant digits, written out (77 000, 0.53). */
function formatRound(x: number): string {
  const rounded = Number(x.toPrecision(2));
  return rounded >= 1e6 ? rounded.toExponential(1) : rounded.toLocaleString('en-US').replace(/,/g, ' ');
}

/** Pads cells to columns: the first two right-aligned, the rest left-aligned. */
function alignRows(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** The whole text report of a decay experiment. */
export function formatDecay(m: DecayMeasurement): string {
  const lines = [`backprop-oracle decay: ${describeExperiment(m)}`, ''];
  lines.push(...alignRows([[...DECAY_COLUMNS], ...decayRows(m)]));
  lines.push('');
  lines.push('gradient norm: ||dE/dW^(l)||_F, median over the networks; middle half: quartiles; bound:');
  lines.push('(1/4)^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b||, median; ratio: gradient norm / bound, per network.');
  const perLayer = log10FactorPerLayer(m.layers.map((s) => s.gradient.median));
  if (Number.isFinite(perLayer)) lines.push(`the median gradient norm changes by a factor ${formatPow10(perLayer)} per layer going down (least-squares fit).`);
  const zeros = m.layers.reduce((sum, s) => sum + s.zeros, 0);
  if (zeros > 0) lines.push(`${zeros} layer gradient norm(s) are 0 in float64 (underflow): shown as 0, left out of the plot.`);
  lines.push(`bound checked: ${m.checked} inequalities, ${m.violations === 0 ? 'none violated' : `${m.violations} VIOLATED`}.`);
  const training = describeTraining(m);
  if (training) lines.push('', training);
  return lines.join('\n');
}
