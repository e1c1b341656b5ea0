/**
 * The comparison plot and page of `decay --compare`: one SVG (written by hand, no dependency) with
 * a median curve and a middle-half band per activation on one log axis that reaches both the
 * vanishing and the exploding end, and an HTML page with the plot, the comparison table, each
 * activation's own table and the training effect.
 */

import { runLabel, type ComparedActivation, type DecayComparison } from '../../decay/comparison.js';
import { describeTraining } from './text.js';
import { decayTableHtml, STYLE } from './html.js';
import { escapeSvg, formatFactor, mathText, power, textWidth, yRange } from './plot.js';
import { comparisonColumns, comparisonRows, describeComparison, describeExperiment, factorWord, formatPow10 } from './text.js';

const WIDTH = 900;
const HEIGHT = 640;
const LEFT = 100;
const RIGHT = WIDTH - 36;
const TOP = 96;
const BOTTOM = HEIGHT - 190;
const INSET = 24;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const AXIS = '#333333';
const NOTE = '#555555';
const GRID = '#e4e4e4';

/** Each activation's colour (line and band) and dash pattern, so that the curves differ in more than colour. */
export const SERIES_STYLE: Readonly<Record<string, { readonly color: string; readonly dash: string }>> = {
  sigmoid: { color: '#1d4f7c', dash: '' },
  tanh: { color: '#d9730d', dash: '10 5' },
  relu: { color: '#2e8540', dash: '3 4' },
  leaky_relu: { color: '#8e44ad', dash: '12 4 3 4' },
  linear: { color: '#7f4f24', dash: '6 6' },
};

const fixed = (x: number): string => (Math.round(x * 10) / 10).toString();
const points = (xy: readonly (readonly [number, number])[]): string => xy.map(([x, y]) => `${fixed(x)},${fixed(y)}`).join(' ');

/** The frame of the comparison: the y range covers every run's quartiles and median (vanishing and exploding alike). */
function frameOf(c: DecayComparison) {
  const L = c.options.layers;
  const values = c.runs.flatMap((r) => r.measurement.layers.flatMap(({ gradient: g }) => [g.q1, g.median, g.q3]));
  const { lo, hi, step } = yRange(values);
  const x = (layer: number): number => (L === 1 ? (LEFT + RIGHT) / 2 : LEFT + INSET + ((layer - 1) / (L - 1)) * (RIGHT - LEFT - 2 * INSET));
  const y = (v: number): number => (v === Number.POSITIVE_INFINITY ? TOP : Number.isFinite(v) ? BOTTOM - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (BOTTOM - TOP) : BOTTOM);
  return { L, lo, hi, step, x, y };
}

/** One run: its band (q1..q3), median line and points; medians of 0 (underflow) are left out. */
function series(r: ComparedActivation, { L, x, y }: ReturnType<typeof frameOf>): string[] {
  const { color, dash } = SERIES_STYLE[r.activation]!;
  const spreads = r.measurement.layers.map((s) => s.gradient);
  const widen = (xy: [number, number][]): [number, number][] => (L === 1 ? xy.flatMap(([px, py]) => [[px - 30, py], [px + 30, py]] as [number, number][]) : xy);
  const upper = widen(spreads.map((s, l) => [x(l + 1), y(s.q3)]));
  const lower = widen(spreads.map((s, l) => [x(l + 1), y(s.q1)]));
  const median = spreads.map((s, l) => [x(l + 1), y(s.median)] as [number, number]).filter((_, l) => Number.isFinite(spreads[l]!.median) || spreads[l]!.median > 0);
  return [
    `<g class="series" data-activation="${r.activation}" data-label="${escapeSvg(runLabel(r))}">`,
    `<polygon class="band" points="${points([...upper, ...lower.reverse()])}" fill="${color}" fill-opacity="0.18" stroke="none"/>`,
    `<polyline class="median" points="${points(widen(median))}" fill="none" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    `<g class="median-points" fill="${color}">${median.map(([px, py]) => `<circle cx="${fixed(px)}" cy="${fixed(py)}" r="3.5"/>`).join('')}</g>`,
    '</g>',
  ];
}

/** The legend below the axis: a line sample, the run's name and its measured and bounded factor per layer; rows as wide as fit. */
function legend(c: DecayComparison): string[] {
  const out = ['<g class="legend" font-size="13">'];
  let px = LEFT;
  let py = BOTTOM + 84;
  for (const r of c.runs) {
    const { color, dash } = SERIES_STYLE[r.activation]!;
    const text = `${runLabel(r)}: ${formatFactor(r.log10Factor)} per layer (${factorWord(r.log10Factor)}), bound ${formatFactor(r.log10BoundFactor)}`;
    const w = 40 + textWidth(text, 13) + 24;
    if (px > LEFT && px + w > RIGHT) [px, py] = [LEFT, py + 24];
    out.push(
      `<g class="legend-entry" data-activation="${r.activation}">`,
      `<line x1="${fixed(px)}" y1="${fixed(py - 4)}" x2="${fixed(px + 32)}" y2="${fixed(py - 4)}" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${fixed(px + 40)}" y="${fixed(py)}" fill="${AXIS}">${escapeSvg(text)}</text>`,
      '</g>',
    );
    px += w;
  }
  out.push('</g>');
  return out;
}

/**
 * The comparison plot as SVG: per run a median curve (its own colour and dash) and its middle-half
 * band, on one log scale from the smallest quartile to the largest, grid lines at powers of ten,
 * the line 10^0 drawn darker so that growth above it (exploding) and decay below it (vanishing)
 * read at a glance, and a legend with each run's measured factor per layer beside the bound's.
 */
export function decayComparisonSvg(c: DecayComparison): string {
  const f = frameOf(c);
  const { L, lo, hi, step, x, y } = f;
  const o = c.options;
  const title = `Gradient norm per layer: ${c.runs.map((r) => r.activation).join(', ')}, ${L} layers of width ${o.width}`;
  const subtitle = `${o.samples} random network${o.samples === 1 ? '' : 's'} per activation, batch ${o.batch}, seed ${o.seed}; median and middle half over the networks`;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="${FONT}" role="img" aria-labelledby="compare-title compare-desc">`,
    `<title id="compare-title">${escapeSvg(title)}</title>`,
    `<desc id="compare-desc">${escapeSvg(`${subtitle}. ${describeComparison(c)}. ${c.runs.map((r) => `${runLabel(r)}: the median changes by ${formatFactor(r.log10Factor)} per layer going down (${factorWord(r.log10Factor)}), the bound by ${formatFactor(r.log10BoundFactor)}`).join('; ')}.`)}</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="36" text-anchor="middle" font-size="20" font-weight="bold" fill="${AXIS}">${escapeSvg(title)}</text>`,
    `<text x="${WIDTH / 2}" y="62" text-anchor="middle" font-size="13" fill="${NOTE}">${escapeSvg(subtitle)}</text>`,
    '<g class="grid">',
  ];
  for (let k = lo; k <= hi; k += step) out.push(`<line x1="${LEFT}" y1="${fixed(y(k))}" x2="${RIGHT}" y2="${fixed(y(k))}" stroke="${k === 0 ? '#999999' : GRID}" stroke-width="${k === 0 ? 1.5 : 1}"/>`);
  out.push('</g>', `<g class="y-ticks" font-size="13" fill="${AXIS}" text-anchor="end">`);
  for (let k = lo; k <= hi; k += step) out.push(`<text x="${LEFT - 10}" y="${fixed(y(k) + 5)}">${power(k)}</text>`);
  out.push('</g>', `<g class="x-ticks" font-size="13" fill="${AXIS}" text-anchor="middle">`);
  const xStep = [1, 2, 5, 10, 20, 50].find((s) => L / s <= 16) ?? 100;
  for (let l = 1; l <= L; l++) {
    if (l !== 1 && l % xStep !== 0 && l !== L) continue;
    out.push(`<line x1="${fixed(x(l))}" y1="${BOTTOM}" x2="${fixed(x(l))}" y2="${BOTTOM + 6}" stroke="${AXIS}"/>`, `<text x="${fixed(x(l))}" y="${BOTTOM + 24}">${l}</text>`);
  }
  out.push('</g>');
  for (const r of c.runs) out.push(...series(r, f));
  out.push(
    `<rect x="${LEFT}" y="${TOP}" width="${RIGHT - LEFT}" height="${BOTTOM - TOP}" fill="none" stroke="${AXIS}" stroke-width="1"/>`,
    `<text class="x-label" x="${(LEFT + RIGHT) / 2}" y="${BOTTOM + 50}" text-anchor="middle" font-size="14" fill="${AXIS}">layer l (1 = first layer, ${L} = output layer)</text>`,
    `<text class="y-label" transform="translate(30 ${(TOP + BOTTOM) / 2}) rotate(-90)" text-anchor="middle" font-size="14" fill="${AXIS}">${mathText('gradient norm \u2016\u2202E/\u2202W^{(l)}\u2016_{F}  (log scale)', 14)}</text>`,
  );
  const zeros = c.runs.filter((r) => r.measurement.layers.some((s) => !Number.isFinite(s.gradient.median) && !(s.gradient.median > 0)));
  if (zeros.length > 0) out.push(`<text class="underflow-note" x="${LEFT + 10}" y="${BOTTOM - 10}" font-size="13" fill="${AXIS}">median 0 in float64 (underflow) for ${zeros.map(runLabel).join(', ')}: those layers not drawn</text>`);
  out.push(...legend(c), '</svg>');
  return out.join('\n') + '\n';
}

/** The comparison table as HTML (output layer first): per layer each run's median gradient norm. */
export function comparisonTableHtml(c: DecayComparison): string {
  const head = `<tr>${comparisonColumns(c).map((h) => `<th scope="col">${escapeSvg(h)}</th>`).join('')}</tr>`;
  const rows = comparisonRows(c).map((r) => `<tr>${r.map((cell) => `<td>${escapeSvg(cell)}</td>`).join('')}</tr>`);
  return `<table class="comparison">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

/** The factors table: per run the measured factor per layer, the bound's, the training effect and the check. */
function factorsTableHtml(c: DecayComparison): string {
  const head = '<tr><th scope="col">activation/init</th><th scope="col">factor per layer</th><th scope="col">trend</th><th scope="col">bound\'s factor</th><th scope="col">first layer moves, per step, vs the last</th><th scope="col">bound checked</th></tr>';
  const rows = c.runs.map((r) => {
    const m = r.measurement;
    const cells = [runLabel(r), formatFactor(r.log10Factor), factorWord(r.log10Factor), formatFactor(r.log10BoundFactor), m.training ? formatPow10(m.training.ratio.median) : '-', m.violations === 0 ? `${m.checked}, none violated` : `${m.violations} of ${m.checked} VIOLATED`];
    return `<tr>${cells.map((cell) => `<td>${escapeSvg(cell)}</td>`).join('')}</tr>`;
  });
  return `<table class="factors">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

/** The whole HTML page of a comparison. */
export function decayComparisonHtml(c: DecayComparison): string {
  const svg = decayComparisonSvg(c).replace(/^<\?xml[^>]*\?>\s*/, '');
  const scroll = (label: string, table: string): string => `<div class="table-scroll" role="region" aria-label="${escapeSvg(label)}" tabindex="0">\n${table}\n</div>`;
  const check = c.violations === 0
    ? `<p class="ok">The bound was checked on every layer, sample, network and activation: ${c.checked} inequalities, none violated.</p>`
    : `<p class="bad">${c.violations} of ${c.checked} inequalities of the bound were violated.</p>`;
  const sections = c.runs.map((r) => {
    const training = describeTraining(r.measurement);
    return `<section class="run" data-activation="${r.activation}">
<h3>${escapeSvg(runLabel(r))}</h3>
<p>${escapeSvg(describeExperiment(r.measurement))}</p>
${scroll(`figures per layer, ${runLabel(r)}`, decayTableHtml(r.measurement))}
${training ? `<pre class="training">${escapeSvg(training.replace(/\n/g, ' '))}</pre>` : ''}
</section>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>backprop-oracle decay --compare: ${escapeSvg(describeComparison(c))}</title>
<style>${STYLE}
</style>
</head>
<body>
<h1>Vanishing and exploding gradients, by activation</h1>
<p class="lead">${escapeSvg(describeComparison(c))}</p>
<figure>
${svg}</figure>
<h2>Factor per layer</h2>
${scroll('factor per layer', factorsTableHtml(c))}
<p>Factor per layer: how the median gradient norm changes from one layer to the one below (least-squares fit over the layers;
below 1 the gradient vanishes, above 1 it explodes). The bound's factor is the same for the median of the derived bound
<code>(max f')^(L-l) prod_{m&gt;l} ||W^(m)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b||</code>, with <code>max f' = 1/4</code> for the sigmoid
and 1 for tanh, relu, leaky_relu and linear.</p>
${check}
<h2>Median gradient norm per layer</h2>
${scroll('median gradient norm per layer and activation', comparisonTableHtml(c))}
<h2>Each activation</h2>
${sections.join('\n')}
</body>
</html>
`;
}
