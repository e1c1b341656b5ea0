import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInit, runDecayExperiment, type DecayExperiment } from '../../src/decay/index.js';
import { decayHtml, decayPlotSvg, decayTableHtml, describeTraining, escapeSvg, mathText } from '../../src/report/decay/index.js';
import { textBox, textWidth, type TextBox } from '../../src/report/decay/plot.js';
import { findAll, parseXml, type XmlElement } from '../report/xml.js';
import { measurePage, screenshot, yRangeOver, type PageMeasurement } from './chromium.js';
import { decodePng } from './png.js';

/**
 * The decay plot (`src/report/decay/plot.ts`) and HTML report. The SVG is always checked as XML:
 * well-formed, with the elements a reader needs, and its labels' estimated boxes clear of its lines.
 * Headless Chromium (`/usr/bin/chromium`, Debian's package; these specs fail without it) renders the
 * plot to PNG, whose colours are checked, and measures the HTML report at 960 and 400 px wide.
 */

const XAVIER_10: DecayExperiment = { layers: 10, width: 8, init: parseInit('xavier'), samples: 50, batch: 1, seed: 1, steps: 20, rate: 0.5 };
/** The configuration of issue 11 whose gap label crossed the bound line. */
const SCALE_20: DecayExperiment = { ...XAVIER_10, layers: 30, init: parseInit('scale:20'), samples: 20 };
const m = runDecayExperiment(XAVIER_10);
const svg = decayPlotSvg(m);

/** Every text of an element and its descendants, concatenated. */
function textOf(e: XmlElement): string {
  return e.text + e.children.map(textOf).join('');
}

/** Numbers of a points attribute as [x, y] pairs. */
function pointsOf(e: XmlElement): [number, number][] {
  return e.attributes.points!.trim().split(/\s+/).map((p) => p.split(',').map(Number) as [number, number]);
}

function byClass(root: XmlElement, name: string, cls: string): XmlElement {
  const found = findAll(root, name).filter((e) => e.attributes.class === cls);
  expect(found, `<${name} class="${cls}">`).toHaveLength(1);
  return found[0]!;
}

/** The gap label's estimated box (null when the plot has none), and the bound and median lines with the clearance each needs (half the bound's stroke and a gap; the median's points have radius 4). */
function gapLabelGeometry(root: XmlElement): { box: TextBox; lines: [string, [number, number][], number][] } | null {
  const labels = findAll(root, 'text').filter((e) => e.attributes.class === 'gap-label');
  if (labels.length === 0) return null;
  const label = labels[0]!;
  expect(label.attributes['text-anchor'] ?? 'start').toBe('start');
  const box = textBox(Number(label.attributes.x), Number(label.attributes.y), textOf(label), Number(label.attributes['font-size']));
  return { box, lines: [['bound', pointsOf(byClass(root, 'polyline', 'bound')), 2], ['median', pointsOf(byClass(root, 'polyline', 'median')), 5]] };
}

/** Whether a line's y range over a box's x range stays `margin` clear of the box's y range. */
function clearOf(points: readonly [number, number][], box: TextBox, margin: number): boolean {
  const range = yRangeOver(points, box.left - margin, box.right + margin);
  return range === null || range[1] < box.top - margin || range[0] > box.bottom + margin;
}

describe('the decay plot as XML', () => {
  const root = parseXml(svg);

  it('is an SVG document with a viewBox, a title and a description', () => {
    expect(root.name).toBe('svg');
    expect(root.attributes).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', viewBox: '0 0 900 580', width: '900', height: '580' });
    expect(textOf(findAll(root, 'title')[0]!)).toBe('Vanishing gradient: 10 sigmoid layers of width 8, Xavier initialisation');
    expect(textOf(findAll(root, 'desc')[0]!)).toContain('50 random networks, batch 1, seed 1');
  });

  it('labels both axes, the y ticks as powers of ten and every layer on the x axis', () => {
    const texts = findAll(root, 'text').map(textOf);
    expect(texts).toContain('layer l (1 = first layer, 10 = output layer)');
    expect(texts).toContain('gradient norm \u2016\u2202E/\u2202W(l)\u2016F  (log scale)');
    const yTicks = findAll(byClass(root, 'g', 'y-ticks'), 'text').map(textOf);
    expect(yTicks).toEqual(['10\u22127', '10\u22126', '10\u22125', '10\u22124', '10\u22123', '10\u22122', '10\u22121', '100', '101']);
    expect(findAll(byClass(root, 'g', 'x-ticks'), 'text').map(textOf)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(findAll(byClass(root, 'g', 'legend'), 'text').map(textOf)).toEqual(['full range', 'middle half (quartiles)', 'median', 'derived bound (median)']);
  });

  it('draws the median and the bound as lines over every layer, the spread as two bands around the median', () => {
    const median = pointsOf(byClass(root, 'polyline', 'median'));
    const bound = pointsOf(byClass(root, 'polyline', 'bound'));
    const range = pointsOf(byClass(root, 'polygon', 'range-band'));
    const middle = pointsOf(byClass(root, 'polygon', 'middle-band'));
    expect([median.length, bound.length, range.length, middle.length]).toEqual([10, 10, 20, 20]);
    expect(findAll(byClass(root, 'g', 'median-points'), 'circle')).toHaveLength(10);
    // SVG y grows downwards: the gradient grows from layer 1 to 10, and stays below the bound
    for (let l = 1; l < 10; l++) expect(median[l]![1]).toBeLessThan(median[l - 1]![1]);
    for (let l = 0; l < 10; l++) {
      expect(median[l]![1]).toBeGreaterThanOrEqual(bound[l]![1] - 0.1);
      expect(middle[l]![1]).toBeLessThanOrEqual(median[l]![1]); // upper quartile above the median
      expect(range[l]![1]).toBeLessThanOrEqual(middle[l]![1]);
      expect(range[19 - l]![1]).toBeGreaterThanOrEqual(middle[19 - l]![1]);
    }
    for (const [x, y] of [...median, ...bound, ...range]) {
      expect(x).toBeGreaterThanOrEqual(100);
      expect(x).toBeLessThanOrEqual(864);
      expect(y).toBeGreaterThanOrEqual(96);
      expect(y).toBeLessThanOrEqual(452);
    }
    expect(textOf(byClass(root, 'text', 'gap-label'))).toBe('median 4.5 orders of magnitude below the bound');
  });

  it('is the plot saved in fixtures/decay/xavier-10.svg (regenerate: backprop-oracle decay --layers 10 --width 8 --init xavier --samples 50 --seed 1 --plot ...)', () => {
    expect(readFileSync('fixtures/decay/xavier-10.svg', 'utf8')).toBe(svg);
  });

  it('copes with one layer, many layers and norms that underflow to 0', () => {
    for (const experiment of [
      { ...XAVIER_10, layers: 1, samples: 5, steps: 0 },
      { ...XAVIER_10, layers: 50, width: 2, samples: 5, steps: 0 },
      { ...XAVIER_10, layers: 40, width: 2, init: parseInit('scale:1000'), samples: 3, steps: 0 },
    ]) {
      const result = runDecayExperiment(experiment);
      const root = parseXml(decayPlotSvg(result));
      const median = pointsOf(byClass(root, 'polyline', 'median'));
      const underflowed = result.layers.filter((s) => s.gradient.median === -Infinity).length;
      expect(median.length).toBe(experiment.layers - underflowed);
      expect(median.every(([x, y]) => Number.isFinite(x) && y >= 96 && y <= 452)).toBe(true);
      const note = findAll(root, 'text').filter((e) => e.attributes.class === 'underflow-note');
      expect(note.map(textOf)).toEqual(underflowed > 0 ? [`median 0 in float64 (underflow) at ${underflowed} layers: not drawn; bands end on the bottom edge`] : []);
      expect(findAll(byClass(root, 'g', 'x-ticks'), 'text').length).toBeLessThanOrEqual(17);
    }
  });

  it('titles each initialisation, labels the last layer when it falls between ticks, and draws even a measurement that is all zeros', () => {
    const titles = ['uniform', 'he', 'scale:0.5'].map((init) => textOf(findAll(parseXml(decayPlotSvg(runDecayExperiment({ ...XAVIER_10, init: parseInit(init), samples: 1, steps: 0 }))), 'title')[0]!));
    expect(titles).toEqual([
      'Vanishing gradient: 10 sigmoid layers of width 8, uniform initialisation',
      'Vanishing gradient: 10 sigmoid layers of width 8, He initialisation',
      'Vanishing gradient: 10 sigmoid layers of width 8, weights uniform in \u00b10.5',
    ]);
    const odd = parseXml(decayPlotSvg(runDecayExperiment({ ...XAVIER_10, layers: 23, samples: 1, steps: 0 })));
    expect(findAll(byClass(odd, 'g', 'x-ticks'), 'text').map(textOf)).toEqual(['1', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20', '22', '23']);
    expect(textOf(findAll(odd, 'desc')[0]!)).toContain('1 random network, batch 1');
    const none = { min: -Infinity, q1: -Infinity, median: -Infinity, q3: -Infinity, max: -Infinity, count: 1 };
    const zero = parseXml(decayPlotSvg({ ...m, layers: m.layers.map((s, l) => ({ ...s, gradient: l === 0 ? none : s.gradient })) }));
    expect(findAll(zero, 'text').filter((e) => e.attributes.class === 'underflow-note').map(textOf)).toEqual(['median 0 in float64 (underflow) at 1 layer: not drawn; bands end on the bottom edge']);
    const nothing = parseXml(decayPlotSvg({ ...m, layers: m.layers.map((s) => ({ ...s, gradient: none, bound: none })) }));
    expect(findAll(byClass(nothing, 'g', 'y-ticks'), 'text').map(textOf)).toEqual(['10\u22121', '100', '101']);
  });

  it('puts the gap label inside the plot, clear of the bound and median lines: 30 layers at scale:20 (issue 11) and other shapes', () => {
    const configurations = [
      SCALE_20,
      ...[2, 3, 5, 10, 20, 30, 50].flatMap((layers) => ['xavier', 'he', 'uniform', 'scale:3', 'scale:20'].map((init) => ({ ...XAVIER_10, layers, init: parseInit(init), samples: 5, steps: 0 }))),
    ];
    let labelled = 0;
    const faults: string[] = [];
    for (const experiment of configurations) {
      const geometry = gapLabelGeometry(parseXml(decayPlotSvg(runDecayExperiment(experiment))));
      if (geometry === null) continue;
      labelled++;
      const { box, lines } = geometry;
      const where = `${experiment.layers} layers, ${experiment.init.kind}${experiment.init.kind === 'scale' ? `:${experiment.init.scale}` : ''}: label ${JSON.stringify(box)}`;
      if (!(box.left >= 100 && box.right <= 864 && box.top >= 96 && box.bottom <= 452)) faults.push(`${where} outside the plot area`);
      for (const [name, points, margin] of lines) if (!clearOf(points, box, margin)) faults.push(`${where} crosses the ${name} line`);
    }
    expect(faults).toEqual([]);
    expect(labelled).toBeGreaterThan(20);
  });

  it('writes the gap label above the plot area when no place inside is free (a median zigzagging over the whole range)', () => {
    const zigzag = { ...m, layers: m.layers.map((s, l) => ({ ...s, gradient: { ...s.gradient, median: l % 2 === 0 ? -7 : 1 }, bound: { ...s.bound, median: 1 } })) };
    const root = parseXml(decayPlotSvg(zigzag));
    const label = byClass(root, 'text', 'gap-label');
    expect(textOf(label)).toBe('median 8.0 orders of magnitude below the bound');
    const box = gapLabelGeometry(root)!.box;
    expect(box.left).toBeGreaterThanOrEqual(100);
    expect(box.top).toBeGreaterThan(62 + 4); // below the subtitle's baseline and descent
    expect(box.bottom).toBeLessThan(96); // above the frame
  });

  it('estimates text widths from DejaVu Sans advances', () => {
    expect(textWidth('1. 0', 10)).toBeCloseTo(6.36 + 3.18 + 3.18 + 6.36, 9);
    expect(textWidth('az', 10)).toBeCloseTo(6.13 + 5.25, 9);
    expect(textWidth('A\u2016', 10)).toBe(20);
    const box = textBox(10, 100, 'm', 10);
    expect([box.left, box.right, box.top, box.bottom].map((v) => v.toFixed(6))).toEqual(['10.000000', '19.740000', '90.700000', '102.400000']);
  });

  it('writes sub- and superscripts as dy shifts that return to the baseline, and escapes text', () => {
    expect(mathText('a^{b}_{c}d', 10)).toBe('a<tspan dy="-4" font-size="7">b</tspan><tspan dy="6.4" font-size="7">c</tspan><tspan dy="-2.4">d</tspan>');
    expect(mathText('x^{2}', 10)).toBe('x<tspan dy="-4" font-size="7">2</tspan><tspan dy="4"></tspan>');
    expect(escapeSvg('a < b & "c" > d')).toBe('a &lt; b &amp; &quot;c&quot; &gt; d');
  });
});

describe('the HTML report', () => {
  it('embeds the plot without its XML declaration, the table and the check', () => {
    const html = decayHtml(m);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toContain('<?xml');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 580"');
    expect(html).toContain(decayTableHtml(m));
    expect(html).toContain(`${m.checked} inequalities, none violated`);
    expect(html).toContain('<h2>Training</h2>');
    // readable at any width (measured in Chromium below): a viewport, the table in a scroll box, the training text as one wrapping block
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain(`<div class="table-scroll" role="region" aria-label="figures per layer" tabindex="0">\n${decayTableHtml(m)}\n</div>`);
    expect(/<pre class="training">([^<]*)<\/pre>/.exec(html)?.[1]).toBe(escapeSvg(describeTraining(m)!.replace(/\n/g, ' ')));
    const table = parseXml(`<?xml version="1.0" encoding="UTF-8"?>${decayTableHtml(m)}`);
    expect(findAll(table, 'tr')).toHaveLength(11);
    expect(findAll(table, 'th').map(textOf)).toEqual(['layer', 'above', 'gradient norm', 'middle half', 'full range', 'bound', 'ratio', 'ratio range']);
  });

  it('says so when the bound was violated, and leaves out training when there was none', () => {
    const html = decayHtml({ ...m, violations: 3, training: null });
    expect(html).toContain(`3 of ${m.checked} inequalities of the bound were violated`);
    expect(html).not.toContain('<h2>Training</h2>');
  });
});

describe('the decay plot and report rendered by headless Chromium (fails without /usr/bin/chromium)', () => {
  it('shows the bands, the median, the bound and dark text on white, at 900 x 580', () => {
    const png = decodePng(screenshot('plot.svg', svg, 900, 580));
    expect([png.width, png.height]).toEqual([900, 580]);
    const counts = new Map<string, number>();
    const near = (p: number[], hex: string): boolean => [0, 1, 2].every((c) => Math.abs(p[c]! - parseInt(hex.slice(1 + 2 * c, 3 + 2 * c), 16)) <= 6);
    const colours = { white: '#ffffff', range: '#d6e6f5', middle: '#94bde3', median: '#1d4f7c', bound: '#c2352b', text: '#333333' };
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const p = png.pixel(x, y);
        for (const [name, hex] of Object.entries(colours)) if (near(p, hex)) counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    const share = (name: string): number => (counts.get(name) ?? 0) / (png.width * png.height);
    expect(share('white')).toBeGreaterThan(0.5); // a white page, not a blank or black one
    expect(share('range')).toBeGreaterThan(0.02); // the light band is a visible area
    expect(share('middle')).toBeGreaterThan(0.005);
    expect(share('median')).toBeGreaterThan(0.001);
    expect(share('bound')).toBeGreaterThan(0.0005);
    expect(share('text')).toBeGreaterThan(0.002); // title, labels and ticks
  });

  const WIDTHS = [960, 400];
  let measured: PageMeasurement[] | undefined;
  /** The HTML report of issue 11's configuration, measured at 960 and 400 px (one Chromium run). */
  const report = (): PageMeasurement[] => (measured ??= measurePage(decayHtml(runDecayExperiment(SCALE_20)), WIDTHS));

  it('draws the gap label clear of the bound line (30 layers, scale:20), within the box the renderer estimated', () => {
    const root = parseXml(decayPlotSvg(runDecayExperiment(SCALE_20)));
    const estimate = gapLabelGeometry(root)!.box;
    for (const page of report()) {
      const label = page.gapLabel!;
      expect(label.text).toMatch(/^median \d+\.\d orders of magnitude below the bound$/);
      const bound = yRangeOver(page.bound, label.left, label.right)!;
      // the line is 2.5 wide: its edge must stay outside the text's box
      expect(bound[1] + 1.25 < label.top || bound[0] - 1.25 > label.bottom, `at ${page.viewport} px: bound y ${bound.map((y) => y.toFixed(1)).join(' .. ')} over the label's x range, label y ${label.top.toFixed(1)} .. ${label.bottom.toFixed(1)}`).toBe(true);
    }
    const full = report()[0]!.gapLabel!; // 960 px: the plot near its own size, so glyph boxes are not rounded up
    expect(full.left).toBeGreaterThanOrEqual(estimate.left - 0.5);
    expect(full.right).toBeLessThanOrEqual(estimate.right);
    expect(full.top).toBeGreaterThanOrEqual(estimate.top - 0.5);
    expect(full.bottom).toBeLessThanOrEqual(estimate.bottom + 0.5);
  });

  it('fits the HTML report in its body at 960 and 400 px: no sideways page scroll, the training pre wraps, the table fits or scrolls in the body, the plot scales', () => {
    for (const page of report()) {
      const at = `at ${page.viewport} px`;
      const inBody = (b: { left: number; right: number }): boolean => b.left >= page.body.left - 0.5 && b.right <= page.body.right + 0.5;
      expect(page.viewport, at).toBe(WIDTHS[report().indexOf(page)]);
      expect(page.pageWidth, `${at}: the page's width`).toBeLessThanOrEqual(page.viewport);
      expect(page.pre.length, at).toBeGreaterThan(0);
      for (const pre of page.pre) {
        expect(inBody(pre), `${at}: pre ${pre.left} .. ${pre.right} inside the body ${page.body.left} .. ${page.body.right}`).toBe(true);
        expect(pre.scrollWidth, `${at}: the pre's text (none of it hidden)`).toBeLessThanOrEqual(pre.clientWidth);
      }
      for (const table of page.table) {
        const fits = inBody(table);
        const scrolls = table.scroller !== null && inBody(table.scroller);
        expect(fits || scrolls, `${at}: table ${table.left} .. ${table.right} fits or scrolls inside the body ${page.body.left} .. ${page.body.right}`).toBe(true);
      }
      expect(page.svg).toHaveLength(1);
      expect(inBody(page.svg[0]!), `${at}: svg ${page.svg[0]!.left} .. ${page.svg[0]!.right} inside the body`).toBe(true);
    }
  });
});
