/**
 * The decay plot: an SVG, written by hand (no dependency), of the gradient norm per layer on a
 * log scale: the median over the networks with its middle half and full range as shaded bands,
 * and the derived bound as a dashed line.
 */

import type { DecayMeasurement } from '../../decay/experiment.js';
import { log10FactorPerLayer, type Spread } from '../../decay/spread.js';
import { describeInit, formatPow10 } from './text.js';

const WIDTH = 900;
const HEIGHT = 580;
const LEFT = 100;
const RIGHT = WIDTH - 36;
const TOP = 96;
const BOTTOM = HEIGHT - 128;
const INSET = 24;
const COLOR = { range: '#d6e6f5', middle: '#94bde3', median: '#1d4f7c', bound: '#c2352b', grid: '#e4e4e4', axis: '#333333', note: '#555555' };
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Escapes text and attribute values for XML. */
export function escapeSvg(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const MINUS = '\u2212';
const fixed = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Decades between y ticks: 1, 2, 5, 10, 20, 50, ... so that at most 8 intervals are labelled. */
export function tickStep(decades: number): number {
  for (let step = 1; ; step *= 10) for (const s of [1, 2, 5]) if (decades / (s * step) <= 8) return s * step;
}

/** The y range [lo, hi] in whole ticks around every finite value, and the tick step. */
export function yRange(values: readonly number[]): { lo: number; hi: number; step: number } {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.floor(Math.min(...finite)) : -1;
  let hi = finite.length ? Math.ceil(Math.max(...finite)) : 1;
  if (hi - lo < 2) [lo, hi] = [lo - 1, hi + 1];
  const step = tickStep(hi - lo);
  return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, step };
}

/**
 * SVG text content from a little markup: `^{...}` raises and `_{...}` lowers its text (smaller),
 * everything else is plain. Shifts are `dy` offsets (which every renderer knows, unlike
 * `baseline-shift`), each undone by the next piece.
 */
export function mathText(markup: string, size: number): string {
  const small = Math.round(size * 0.72);
  const rise = Math.round(size * 0.4);
  let out = '';
  let offset = 0;
  const emit = (text: string, to: number, fontSize: number | null): void => {
    if (text === '') return;
    const attributes = `${to !== offset ? ` dy="${to - offset}"` : ''}${fontSize !== null ? ` font-size="${fontSize}"` : ''}`;
    out += attributes ? `<tspan${attributes}>${escapeSvg(text)}</tspan>` : escapeSvg(text);
    offset = to;
  };
  const pattern = /([\^_])\{([^}]*)\}/g;
  let last = 0;
  for (const m of markup.matchAll(pattern)) {
    emit(markup.slice(last, m.index), 0, null);
    emit(m[2]!, m[1] === '^' ? -rise : rise * 0.6, small);
    last = m.index + m[0].length;
  }
  emit(markup.slice(last), 0, null);
  if (offset !== 0) out += `<tspan dy="${-offset}"></tspan>`;
  return out;
}

/** 10^k as SVG text content with a raised exponent. */
export function power(k: number): string {
  return mathText(`10^{${k < 0 ? MINUS : ''}${Math.abs(k)}}`, 13);
}

/** A factor between 0.001 and 1000 as a plain number (0.22), outside as a power of ten (3.1e-5). */
export function formatFactor(log10: number): string {
  const x = 10 ** log10;
  return Math.abs(log10) < 3 ? String(Number(x.toPrecision(2))) : formatPow10(log10);
}

/** The bound's formula in the markup of {@link mathText}. */
export const BOUND_MARKUP = `(1/4)^{L${MINUS}l} \u220f_{m>l} \u2016W^{(m)}\u2016_{F} \u2211_{b} \u2016Y^{(l${MINUS}1)}_{b}\u2016 \u2016\u03b4^{(L)}_{b}\u2016`;

/** A box in SVG user units (y grows downwards). */
export interface TextBox {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** DejaVu Sans's advances of the lower-case letters a..z, in em. */
const LOWER = [0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525];

/**
 * The width of plain text at a font size, from DejaVu Sans's advances (the plot's first font):
 * exact for lower-case letters, digits (0.636 em), space and full stop (0.318 em); 1 em, more than
 * any of its glyphs but a few symbols, for everything else. Kerning only narrows the text.
 */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const c of text) {
    const code = c.charCodeAt(0);
    em += code >= 97 && code <= 122 ? LOWER[code - 97]! : code >= 48 && code <= 57 ? 0.636 : c === ' ' || c === '.' ? 0.318 : 1;
  }
  return em * size;
}

/** The box that a line of plain text starting at (x, baseline y) covers: DejaVu Sans's ascent 0.93 em, descent 0.24 em. */
export function textBox(x: number, y: number, text: string, size: number): TextBox {
  return { left: x, right: x + textWidth(text, size), top: y - 0.93 * size, bottom: y + 0.24 * size };
}

/** `points` attribute from coordinates. */
function points(xy: readonly (readonly [number, number])[]): string {
  return xy.map(([x, y]) => `${fixed(x)},${fixed(y)}`).join(' ');
}

/** Where things go: the y range in decades, and the maps from layer and log10 value to SVG coordinates. */
interface Frame {
  readonly L: number;
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  x(layer: number): number;
  /** y of a log10 value; -Infinity (a norm of 0) and NaN on the bottom edge. */
  y(v: number): number;
  /** A single layer is drawn 60 wide, so that its bands and bound show. */
  widen(xy: [number, number][]): [number, number][];
}

function frameOf(m: DecayMeasurement): Frame {
  const L = m.experiment.layers;
  const values = [...m.layers.flatMap(({ gradient: g }) => [g.min, g.q1, g.median, g.q3, g.max]), ...m.layers.map((s) => s.bound.median)];
  const { lo, hi, step } = yRange(values);
  return {
    L,
    lo,
    hi,
    step,
    x: (layer) => (L === 1 ? (LEFT + RIGHT) / 2 : LEFT + INSET + ((layer - 1) / (L - 1)) * (RIGHT - LEFT - 2 * INSET)),
    y: (v) => (Number.isFinite(v) || v > 0 ? BOTTOM - ((Math.min(v, hi) - lo) / (hi - lo)) * (BOTTOM - TOP) : BOTTOM),
    widen: (xy) => (L === 1 ? xy.flatMap(([px, py]) => [[px - 30, py], [px + 30, py]] as [number, number][]) : xy),
  };
}

/** Title, subtitle and the accessible title and description. */
function header(m: DecayMeasurement): string[] {
  const e = m.experiment;
  const L = e.layers;
  const name = e.init.kind === 'scale' ? `weights uniform in \u00b1${e.init.scale}` : `${e.init.kind === 'xavier' ? 'Xavier' : e.init.kind === 'he' ? 'He' : 'uniform'} initialisation`;
  const title = `Vanishing gradient: ${L} sigmoid layer${L === 1 ? '' : 's'} of width ${e.width}, ${name}`;
  const medianFactor = log10FactorPerLayer(m.layers.map((s) => s.gradient.median));
  const boundFactor = log10FactorPerLayer(m.layers.map((s) => s.bound.median));
  const subtitle = `${e.samples} random network${e.samples === 1 ? '' : 's'}, batch ${e.batch}, seed ${e.seed}` +
    (Number.isFinite(medianFactor) ? `: each layer down multiplies the median by ${formatFactor(medianFactor)}, the bound by ${formatFactor(boundFactor)}` : '');
  return [
    `<title id="decay-title">${escapeSvg(title)}</title>`,
    `<desc id="decay-desc">${escapeSvg(`${subtitle}. ${describeInit(m)}. Log-scale Frobenius norm of dE/dW for each layer: median line, middle half and full range as bands, and the derived bound (1/4)^(L-l) prod ||W||_F sum_b ||Y_b|| ||delta^(L)_b|| as a dashed line.`)}</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="36" text-anchor="middle" font-size="20" font-weight="bold" fill="${COLOR.axis}">${escapeSvg(title)}</text>`,
    `<text x="${WIDTH / 2}" y="62" text-anchor="middle" font-size="13" fill="${COLOR.note}">${escapeSvg(subtitle)}</text>`,
  ];
}

/** Grid, ticks (powers of ten; every layer, or every 2nd, 5th, ...), the frame and the axis labels. */
function axes({ L, lo, hi, step, x, y }: Frame): string[] {
  const out = ['<g class="grid">'];
  for (let k = lo; k <= hi; k += step) {
    out.push(`<line x1="${LEFT}" y1="${fixed(y(k))}" x2="${RIGHT}" y2="${fixed(y(k))}" stroke="${COLOR.grid}" stroke-width="1"/>`);
    // minor lines at 2..9 when every decade is labelled and there are few
    if (step === 1 && hi - lo <= 5 && k < hi) {
      for (let d = 2; d <= 9; d++) out.push(`<line x1="${LEFT}" y1="${fixed(y(k + Math.log10(d)))}" x2="${RIGHT}" y2="${fixed(y(k + Math.log10(d)))}" stroke="${COLOR.grid}" stroke-width="0.5" stroke-dasharray="2 3"/>`);
    }
  }
  out.push('</g>', '<g class="y-ticks" font-size="13" fill="#333333" text-anchor="end">');
  for (let k = lo; k <= hi; k += step) out.push(`<text x="${LEFT - 10}" y="${fixed(y(k) + 5)}">${power(k)}</text>`);
  out.push('</g>', '<g class="x-ticks" font-size="13" fill="#333333" text-anchor="middle">');
  const xStep = [1, 2, 5, 10, 20, 50].find((s) => L / s <= 16) ?? 100;
  for (let l = 1; l <= L; l++) {
    if (l !== 1 && l % xStep !== 0 && !(l === L && L % xStep >= xStep / 2)) continue;
    out.push(`<line x1="${fixed(x(l))}" y1="${BOTTOM}" x2="${fixed(x(l))}" y2="${BOTTOM + 6}" stroke="${COLOR.axis}"/>`);
    out.push(`<text x="${fixed(x(l))}" y="${BOTTOM + 24}">${l}</text>`);
  }
  out.push(
    '</g>',
    `<rect x="${LEFT}" y="${TOP}" width="${RIGHT - LEFT}" height="${BOTTOM - TOP}" fill="none" stroke="${COLOR.axis}" stroke-width="1"/>`,
    `<text x="${(LEFT + RIGHT) / 2}" y="${BOTTOM + 52}" text-anchor="middle" font-size="14" fill="${COLOR.axis}">layer l (1 = first layer, ${L} = output layer)</text>`,
    `<text transform="translate(30 ${(TOP + BOTTOM) / 2}) rotate(-90)" text-anchor="middle" font-size="14" fill="${COLOR.axis}">${mathText('gradient norm \u2016\u2202E/\u2202W^{(l)}\u2016_{F}  (log scale)', 14)}</text>`,
  );
  return out;
}

/** The least and greatest y of a polyline over [left, right]; null where it does not reach. */
function yRangeOver(xy: readonly (readonly [number, number])[], left: number, right: number): [number, number] | null {
  const ys: number[] = [];
  for (let k = 0; k + 1 < xy.length; k++) {
    const [[x0, y0], [x1, y1]] = [xy[k]!, xy[k + 1]!];
    const [a, b] = [Math.max(left, Math.min(x0, x1)), Math.min(right, Math.max(x0, x1))];
    if (a > b) continue;
    const at = (x: number): number => (x1 === x0 ? y0 : y0 + ((x - x0) / (x1 - x0)) * (y1 - y0));
    ys.push(at(a), at(b));
  }
  return ys.length ? [Math.min(...ys), Math.max(...ys)] : null;
}

/** Whether a line stays `margin` clear of a box (a line drawn left to right, so over the box's x range). */
function clearOf(xy: readonly (readonly [number, number])[], box: TextBox, margin: number): boolean {
  const range = yRangeOver(xy, box.left - margin, box.right + margin);
  return range === null || range[1] < box.top - margin || range[0] > box.bottom + margin;
}

/**
 * Where a label's baseline goes: inside the plot area (above `floor`), clear of the bound line (by
 * 3, its half width and a gap) and of the median line and its points (by 6), as close as possible
 * to (x, y), moving it down or up first and right only if it must. null when no place is free.
 */
function placeLabel(text: string, size: number, x: number, y: number, lines: readonly { xy: readonly [number, number][]; margin: number }[], floor: number): [number, number] | null {
  let best: [number, number] | null = null;
  let bestCost = Infinity;
  for (let px = x; px + textWidth(text, size) <= RIGHT - 4 && 3 * (px - x) < bestCost; px += 8) {
    for (let d = 0; d <= BOTTOM - TOP && d + 3 * (px - x) < bestCost; d++) {
      for (const py of d === 0 ? [y] : [y + d, y - d]) {
        const box = textBox(px, py, text, size);
        if (box.top < TOP + 4 || box.bottom > floor || lines.some(({ xy, margin }) => !clearOf(xy, box, margin))) continue;
        [best, bestCost] = [[px, py], d + 3 * (px - x)];
        break;
      }
    }
  }
  return best;
}

/** The bands, the bound, the median (its points that did not underflow) and the gap at the first layer. */
function data(m: DecayMeasurement, { L, x, y, widen }: Frame): string[] {
  const spreads = m.layers.map((s) => s.gradient);
  const bound = m.layers.map((s) => s.bound.median);
  const series = (pick: (s: Spread) => number): [number, number][] => spreads.map((s, l) => [x(l + 1), y(pick(s))]);
  const band = (upper: (s: Spread) => number, lower: (s: Spread) => number): string => points([...widen(series(upper)), ...widen(series(lower)).reverse()]);
  const halo = 'stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"';
  const out = [
    `<polygon class="range-band" points="${band((s) => s.max, (s) => s.min)}" fill="${COLOR.range}" stroke="none"/>`,
    `<polygon class="middle-band" points="${band((s) => s.q3, (s) => s.q1)}" fill="${COLOR.middle}" stroke="none"/>`,
    `<polyline class="bound" points="${points(widen(bound.map((v, l) => [x(l + 1), y(v)])))}" fill="none" stroke="${COLOR.bound}" stroke-width="2.5" stroke-dasharray="9 6"/>`,
  ];
  // a median that underflowed to 0 has no place on a log scale: it is left out, and said so
  const median = series((s) => s.median).filter((_, l) => Number.isFinite(spreads[l]!.median));
  out.push(`<polyline class="median" points="${points(median)}" fill="none" stroke="${COLOR.median}" stroke-width="2.5"/>`);
  const zeros = L - median.length;
  const gap = bound[0]! - spreads[0]!.median;
  if (L > 1 && Number.isFinite(gap) && gap >= 0.5) {
    const [gx, top, bottom] = [x(1) + 14, y(bound[0]!) + 6, y(spreads[0]!.median) - 8];
    out.push(
      `<g class="gap" stroke="${COLOR.note}" stroke-width="1.2">`,
      `<line x1="${fixed(gx)}" y1="${fixed(top)}" x2="${fixed(gx)}" y2="${fixed(bottom)}"/>`,
      `<line x1="${fixed(gx - 4)}" y1="${fixed(top)}" x2="${fixed(gx + 4)}" y2="${fixed(top)}"/><line x1="${fixed(gx - 4)}" y1="${fixed(bottom)}" x2="${fixed(gx + 4)}" y2="${fixed(bottom)}"/>`,
      '</g>',
    );
    // beside the bracket's upper quarter where that is free; else the nearest free place in the
    // plot (the bound falls steeply over many layers or large weights); else above the plot area
    const text = `median ${gap.toFixed(1)} orders of magnitude below the bound`;
    const lines = [{ xy: bound.map((v, l) => [x(l + 1), y(v)] as [number, number]), margin: 3 }, { xy: median, margin: 6 }];
    const floor = zeros > 0 ? BOTTOM - 30 : BOTTOM - 4;
    const [lx, ly] = placeLabel(text, 13, gx + 8, top + 0.25 * (bottom - top) + 4, lines, floor) ?? [LEFT, TOP - 8];
    out.push(`<text class="gap-label" x="${fixed(lx)}" y="${fixed(ly)}" font-size="13" fill="${COLOR.axis}" ${halo}>${escapeSvg(text)}</text>`);
  }
  out.push(`<g class="median-points" fill="${COLOR.median}">`, ...median.map(([px, py]) => `<circle cx="${fixed(px)}" cy="${fixed(py)}" r="4"/>`), '</g>');
  if (zeros > 0) {
    out.push(`<text class="underflow-note" x="${LEFT + 10}" y="${BOTTOM - 10}" font-size="13" fill="${COLOR.axis}" ${halo}>median 0 in float64 (underflow) at ${zeros} layer${zeros === 1 ? '' : 's'}: not drawn; bands end on the bottom edge</text>`);
  }
  return out;
}

/** The legend, one row under the axis label, and the bound's formula under it. */
function legend(): string[] {
  const ly = HEIGHT - 44;
  const items: [string, string][] = [
    [`<rect x="0" y="${ly - 11}" width="26" height="14" fill="${COLOR.range}"/>`, 'full range'],
    [`<rect x="0" y="${ly - 11}" width="26" height="14" fill="${COLOR.middle}"/>`, 'middle half (quartiles)'],
    [`<line x1="0" y1="${ly - 4}" x2="26" y2="${ly - 4}" stroke="${COLOR.median}" stroke-width="2.5"/><circle cx="13" cy="${ly - 4}" r="4" fill="${COLOR.median}"/>`, 'median'],
    [`<line x1="0" y1="${ly - 4}" x2="26" y2="${ly - 4}" stroke="${COLOR.bound}" stroke-width="2.5" stroke-dasharray="9 6"/>`, 'derived bound (median)'],
  ];
  const widths = items.map(([, label]) => 34 + label.length * 7.4 + 30);
  let lx = (WIDTH - widths.reduce((a, b) => a + b, 0)) / 2;
  const out = ['<g class="legend" font-size="13" fill="#333333">'];
  items.forEach(([swatch, label], k) => {
    out.push(`<g transform="translate(${fixed(lx)} 0)">${swatch}<text x="34" y="${ly + 1}">${escapeSvg(label)}</text></g>`);
    lx += widths[k]!;
  });
  out.push('</g>', `<text class="bound-formula" x="${WIDTH / 2}" y="${HEIGHT - 14}" text-anchor="middle" font-size="13" fill="${COLOR.note}">${mathText(`derived bound on \u2016\u2202E/\u2202W^{(l)}\u2016_{F}:  ${BOUND_MARKUP}`, 13)}</text>`);
  return out;
}

/**
 * The decay plot of a measurement as a standalone SVG document (XML declaration first; strip it
 * to embed the SVG in HTML): 900 x 580, log-scale gradient norm against the layer.
 */
export function decayPlotSvg(m: DecayMeasurement): string {
  const frame = frameOf(m);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="${FONT}" role="img" aria-labelledby="decay-title decay-desc">`,
    ...header(m),
    ...axes(frame),
    ...data(m, frame),
    ...legend(),
    '</svg>',
  ].join('\n') + '\n';
}
