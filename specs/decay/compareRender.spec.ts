import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPARE_FIGURE, DOCS_COMPARISON } from '../../fixtures/decay/compare.js';
import { parseInit, runDecayComparison } from '../../src/decay/index.js';
import { decayComparisonHtml, decayComparisonSvg, SERIES_STYLE } from '../../src/report/decay/index.js';
import { findAll, parseXml, type XmlElement } from '../report/xml.js';
import { measurePage, screenshot } from './chromium.js';
import { decodePng } from './png.js';

/** Issue 14: the comparison plot and page of `decay --compare`, as XML and rendered by headless Chromium (fails without /usr/bin/chromium). */

const BASE = { layers: 10, width: 8, samples: 50, batch: 1, seed: 1, steps: 20, rate: 0.5 } as const;
const c = runDecayComparison({ ...BASE, activations: ['sigmoid', 'tanh', 'relu'], init: null });
const exploding = runDecayComparison({ ...BASE, samples: 20, steps: 0, activations: ['sigmoid', 'tanh', 'relu'], init: parseInit('scale:3') });

const byAttr = (root: XmlElement, name: string, key: string, value: string): XmlElement => findAll(root, name).find((e) => e.attributes[key] === value)!;
const pointsOf = (e: XmlElement): [number, number][] => e.attributes.points!.trim().split(/\s+/).map((p) => p.split(',').map(Number) as [number, number]);
const textOf = (e: XmlElement): string => e.text + e.children.map(textOf).join('');
const hex = (h: string): number[] => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16));

/** The y of 10^k on the plot, from the y tick labels (their baseline is 5 below the line). */
function yOfPower(root: XmlElement, k: number): number {
  const label = `10${k < 0 ? '\u2212' : ''}${Math.abs(k)}`;
  const tick = findAll(findAll(root, 'g').find((g) => g.attributes.class === 'y-ticks')!, 'text').find((t) => textOf(t) === label)!;
  return Number(tick.attributes.y) - 5;
}

describe('the comparison plot as XML', () => {
  it('has one series per activation (band, median over every layer), a legend with each factor, and a log axis over every run', () => {
    const root = parseXml(decayComparisonSvg(c));
    expect(root.attributes.viewBox).toBe('0 0 900 640');
    for (const a of ['sigmoid', 'tanh', 'relu']) {
      const g = byAttr(root, 'g', 'data-activation', a);
      expect(pointsOf(findAll(g, 'polyline')[0]!)).toHaveLength(10);
      expect(pointsOf(findAll(g, 'polygon')[0]!)).toHaveLength(20);
    }
    expect(findAll(root, 'g').filter((g) => g.attributes.class === 'legend-entry').map((g) => textOf(findAll(g, 'text')[0]!))).toEqual([
      'sigmoid/xavier: 0.22 per layer (vanishing), bound 0.71',
      'tanh/xavier: 0.99 per layer (steady), bound 3.2',
      'relu/he: 1 per layer (steady), bound 4.6',
    ]);
    // the sigmoid's first layer near 3e-6, drawn between the ticks 10^-6 and 10^-5
    const sigmoid = pointsOf(findAll(byAttr(root, 'g', 'data-activation', 'sigmoid'), 'polyline')[0]!);
    expect(sigmoid[0]![1]).toBeLessThan(yOfPower(root, -6));
    expect(sigmoid[0]![1]).toBeGreaterThan(yOfPower(root, -5));
  });

  it('reaches up for an exploding run: relu at scale:3 drawn above 10^4, the sigmoid below 10^0, on one axis', () => {
    const root = parseXml(decayComparisonSvg(exploding));
    const relu = pointsOf(findAll(byAttr(root, 'g', 'data-activation', 'relu'), 'polyline')[0]!);
    const sigmoid = pointsOf(findAll(byAttr(root, 'g', 'data-activation', 'sigmoid'), 'polyline')[0]!);
    expect(relu.every(([, y]) => y < yOfPower(root, 4))).toBe(true);
    expect(sigmoid[0]![1]).toBeGreaterThan(yOfPower(root, 0));
    expect(textOf(findAll(root, 'text').find((t) => textOf(t).startsWith('relu/scale:3'))!)).toMatch(/\(exploding\)/);
  });
});

describe('the comparison rendered by headless Chromium', () => {
  it('shows each activation\'s colour, dark text on white, and the exploding run in the upper part of the plot', () => {
    for (const [comparison, upper] of [[c, null], [exploding, 'relu']] as const) {
      const png = decodePng(screenshot('compare.svg', decayComparisonSvg(comparison), 900, 640));
      const near = (p: number[], rgb: number[]): boolean => [0, 1, 2].every((k) => Math.abs(p[k]! - rgb[k]!) <= 8);
      const colours = { white: hex('#ffffff'), text: hex('#333333'), ...Object.fromEntries(['sigmoid', 'tanh', 'relu'].map((a) => [a, hex(SERIES_STYLE[a]!.color)])) };
      const counts = new Map<string, number>();
      const top = new Map<string, number>();
      for (let y = 0; y < png.height; y++) {
        for (let x = 0; x < png.width; x++) {
          const p = png.pixel(x, y);
          for (const [name, rgb] of Object.entries(colours)) {
            if (!near(p, rgb)) continue;
            counts.set(name, (counts.get(name) ?? 0) + 1);
            if (y > 96 && y < 96 + (450 - 96) / 3) top.set(name, (top.get(name) ?? 0) + 1); // the plot area's upper third
          }
        }
      }
      const share = (name: string): number => (counts.get(name) ?? 0) / (png.width * png.height);
      expect(share('white')).toBeGreaterThan(0.5);
      expect(share('text')).toBeGreaterThan(0.002);
      for (const a of ['sigmoid', 'tanh', 'relu']) expect(share(a), a).toBeGreaterThan(0.00005); // the lines and points (tanh's partly under relu's in the customary run)
      if (upper) expect(top.get(upper) ?? 0).toBeGreaterThan(300);
    }
  });

  it('fits the comparison page in its body at 960 and 400 px: no sideways page scroll, every table fits or scrolls inside it, the plot scales', () => {
    for (const page of measurePage(decayComparisonHtml(c), [960, 400])) {
      const at = `at ${page.viewport} px`;
      const inBody = (b: { left: number; right: number }): boolean => b.left >= page.body.left - 0.5 && b.right <= page.body.right + 0.5;
      expect(page.pageWidth, at).toBeLessThanOrEqual(page.viewport);
      expect(page.table.length, at).toBe(5); // factors, comparison, one per activation
      for (const table of page.table) expect(inBody(table) || (table.scroller !== null && inBody(table.scroller)), at).toBe(true);
      for (const pre of page.pre) expect(pre.scrollWidth, at).toBeLessThanOrEqual(pre.clientWidth);
      expect(page.pre.length, at).toBe(3); // each activation's training effect
      expect(page.svg).toHaveLength(1);
      expect(inBody(page.svg[0]!), at).toBe(true);
    }
  });
});

describe('the docs\' comparison figure', () => {
  it('is what the script draws now, and docs/decay.md shows it with the measured factors beside the bound\'s', () => {
    expect(DOCS_COMPARISON).toMatchObject({ ...BASE, activations: ['sigmoid', 'tanh', 'relu'], init: null });
    expect(readFileSync(COMPARE_FIGURE, 'utf8')).toBe(decayComparisonSvg(c));
    const doc = readFileSync(new URL('../../docs/decay.md', import.meta.url), 'utf8');
    expect(doc).toContain('](../fixtures/decay/compare-10.svg)');
    expect(doc).toContain('<!-- example: decay --compare sigmoid,tanh,relu --layers 10 --width 8 --samples 50 --seed 1 -->');
    const factors = c.runs.map((r) => [Number((10 ** r.log10Factor).toPrecision(2)), Number((10 ** r.log10BoundFactor).toPrecision(2))]);
    expect(factors).toEqual([[0.22, 0.71], [0.99, 3.2], [1, 4.6]]);
    expect(doc).toContain('**0.22 for sigmoid/Xavier** (bound 0.71), **0.99 for tanh/Xavier** (bound\n3.2) and **1.0 for ReLU/He** (bound 4.6)');
  });
});
