/**
 * The decay report as text: the per-layer table (whose rows the HTML report shares), the
 * description of the experiment and of its training result, and powers of ten as text.
 */

import { runLabel, type DecayComparison } from '../../decay/comparison.js';
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

/** The columns of the table of a relu or leaky_relu experiment: {@link DECAY_COLUMNS} and the dead units. */
export const RECTIFIER_COLUMNS = [...DECAY_COLUMNS, 'dead units'] as const;

/** Whether the experiment's hidden layers are rectifiers (its table has a `dead units` column). */
export function hasDeadUnits(m: DecayMeasurement): boolean {
  return m.experiment.activation === 'relu' || m.experiment.activation === 'leaky_relu';
}

/** The columns of an experiment's table. */
export function decayColumns(m: DecayMeasurement): readonly string[] {
  return hasDeadUnits(m) ? RECTIFIER_COLUMNS : DECAY_COLUMNS;
}

/** A fraction as a percentage, e.g. 0.4937 -> "49%"; "-" when absent (the output layer). */
export function formatFraction(x: number | undefined): string {
  return x === undefined ? '-' : `${Math.round(100 * x)}%`;
}

/** One row of the decay table as text cells, in the order of {@link DECAY_COLUMNS} (medians over the networks); with `dead`, the dead units' fraction last. */
export function decayRow(s: LayerSummary, dead = false): string[] {
  const cells = [
    String(s.layer),
    String(s.above),
    formatPow10(s.gradient.median),
    `${formatPow10(s.gradient.q1)} .. ${formatPow10(s.gradient.q3)}`,
    `${formatPow10(s.gradient.min)} .. ${formatPow10(s.gradient.max)}`,
    formatPow10(s.bound.median),
    formatPow10(s.ratio.median),
    `${formatPow10(s.ratio.min)} .. ${formatPow10(s.ratio.max)}`,
  ];
  return dead ? [...cells, formatFraction(s.dead)] : cells;
}

/** The rows of the table, output layer first (the order in which backpropagation visits them). */
export function decayRows(m: DecayMeasurement): string[][] {
  const dead = hasDeadUnits(m);
  return [...m.layers].reverse().map((s) => decayRow(s, dead));
}

/** max f' of the experiment's hidden activation as text: 1/4 for the sigmoid, 1 for the others. */
export function maxSlopeText(m: DecayMeasurement): string {
  const a = m.experiment.activation ?? 'sigmoid';
  return a === 'sigmoid' ? '1/4' : '1';
}

/** The bound's formula as text for the experiment's activation. */
export function boundFormula(m: DecayMeasurement): string {
  return m.experiment.activation === undefined || m.experiment.activation === 'sigmoid'
    ? '(1/4)^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b||'
    : `(max f')^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b|| with max f' = ${maxSlopeText(m)} (${m.experiment.activation})`;
}

/** The network in words: "10 sigmoid layers" (version 1), "10 layers (9 relu, sigmoid output)". */
export function describeLayers(m: DecayMeasurement): string {
  const { layers: L, activation, alpha } = m.experiment;
  if (activation === undefined) return `${L} sigmoid layer${L === 1 ? '' : 's'}`;
  const name = activation === 'leaky_relu' ? `leaky_relu (alpha ${alpha ?? 0.01})` : activation;
  return L === 1 ? '1 sigmoid layer' : `${L} layers (${L - 1} ${name}, sigmoid output)`;
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
  return `${e.samples} network${e.samples === 1 ? '' : 's'} of ${describeLayers(m)}, width ${e.width}, ${describeInit(m)}, batch ${e.batch}, seed ${e.seed}`;
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
  lines.push(...alignRows([[...decayColumns(m)], ...decayRows(m)]));
  lines.push('');
  lines.push('gradient norm: ||dE/dW^(l)||_F, median over the networks; middle half: quartiles; bound:');
  lines.push(`${boundFormula(m)}, median; ratio: gradient norm / bound, per network.`);
  if (hasDeadUnits(m)) lines.push(`dead units: the fraction of the layer's units with S <= 0 for the sample (${m.experiment.activation === 'relu' ? 'slope 0' : 'slope alpha'}), over every sample and network.`);
  const perLayer = log10FactorPerLayer(m.layers.map((s) => s.gradient.median));
  if (Number.isFinite(perLayer)) lines.push(`the median gradient norm changes by a factor ${formatPow10(perLayer)} per layer going down (least-squares fit).`);
  const zeros = m.layers.reduce((sum, s) => sum + s.zeros, 0);
  if (zeros > 0) lines.push(`${zeros} layer gradient norm(s) are 0 in float64 (${hasDeadUnits(m) ? 'every unit dead on a path, or underflow' : 'underflow'}): shown as 0, left out of the plot.`);
  lines.push(`bound checked: ${m.checked} inequalities, ${m.violations === 0 ? 'none violated' : `${m.violations} VIOLATED`}.`);
  const training = describeTraining(m);
  if (training) lines.push('', training);
  return lines.join('\n');
}

/** The comparison's experiment in words: the shared shape, networks, batch and seed, and how the weights were drawn. */
export function describeComparison(c: DecayComparison): string {
  const o = c.options;
  const init = o.init === null ? 'each activation with its customary init (sigmoid, tanh, linear xavier; relu, leaky_relu he)' : `${initName(o.init)} init`;
  return `${o.samples} network${o.samples === 1 ? '' : 's'} per activation of ${o.layers} layer${o.layers === 1 ? '' : 's'} (hidden: the activation, output: sigmoid), width ${o.width}, ${init}, batch ${o.batch}, seed ${o.seed}`;
}

/** The columns of the comparison table: layer, above, then each run's median gradient norm. */
export function comparisonColumns(c: DecayComparison): string[] {
  return ['layer', 'above', ...c.runs.map(runLabel)];
}

/** The comparison table's rows, output layer first: the median gradient norm per layer and run. */
export function comparisonRows(c: DecayComparison): string[][] {
  const L = c.options.layers;
  return Array.from({ length: L }, (_, k) => {
    const l = L - k;
    return [String(l), String(L - l), ...c.runs.map((r) => formatPow10(r.measurement.layers[l - 1]!.gradient.median))];
  });
}

/** What a run's fitted factor per layer means: vanishing below 1, exploding above. */
export function factorWord(log10Factor: number): string {
  if (!Number.isFinite(log10Factor)) return 'no fit';
  // on the factor as printed (2 significant digits): 0.9 or less vanishing, 1.1 or more exploding
  const printed = Number((10 ** log10Factor).toPrecision(2));
  return printed <= 0.9 ? 'vanishing' : printed >= 1.1 ? 'exploding' : 'steady';
}

/** One line per run: its measured factor per layer beside the bound's, and the training effect. */
export function comparisonSummaryLines(c: DecayComparison): string[] {
  const width = Math.max(...c.runs.map((r) => runLabel(r).length));
  return c.runs.map((r) => {
    const t = r.measurement.training;
    const training = t ? `; training: first layer moves ${formatPow10(t.ratio.median)} times as much as the last` : '';
    const zeros = r.measurement.layers.reduce((sum, s) => sum + s.zeros, 0);
    return `${runLabel(r).padEnd(width)}  factor per layer ${formatPow10(r.log10Factor)} (${factorWord(r.log10Factor)}), bound's ${formatPow10(r.log10BoundFactor)}${training}${zeros > 0 ? `; ${zeros} gradient norm(s) 0 in float64` : ''}`;
  });
}

/** The whole text report of a comparison. */
export function formatDecayComparison(c: DecayComparison): string {
  const lines = [`backprop-oracle decay --compare: ${describeComparison(c)}`, ''];
  lines.push(...alignRows([comparisonColumns(c), ...comparisonRows(c)]));
  lines.push('');
  lines.push('each column: the median over the networks of ||dE/dW^(l)||_F for that activation/init.');
  lines.push('factor per layer: how the median changes per layer going down (least-squares fit; below 1 vanishing, above 1 exploding);');
  lines.push("bound's: the same for the median bound (max f')^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y_b|| ||delta^(L)_b||, max f' = 1/4 sigmoid, 1 otherwise.");
  lines.push(...comparisonSummaryLines(c));
  lines.push(`bound checked: ${c.checked} inequalities, ${c.violations === 0 ? 'none violated' : `${c.violations} VIOLATED`}.`);
  return lines.join('\n');
}
