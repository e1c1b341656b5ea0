import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Headless Chromium for the rendering specs, without a dependency and without the DevTools
 * protocol: a screenshot (`--screenshot`), or measurements that a script in the page writes into
 * the document title, read back from `--dump-dom`. The specs need Debian's `chromium` at
 * /usr/bin/chromium and fail (never skip) without it; .ci/run installs it where it is missing.
 */

export const CHROMIUM = '/usr/bin/chromium';

/** The path of Chromium; throws, saying how to install it, when it is missing. */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the decay rendering specs need headless Chromium. Install Debian's package: apt-get install -y chromium fonts-dejavu-core (.ci/run does so when it is missing)`);
  }
  return CHROMIUM;
}

/** Runs Chromium headless on a file with a fresh profile (removed afterwards); its stdout. */
function runChromium(args: readonly string[], file: string): string {
  const chromium = requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'bo-chromium-'));
  try {
    return execFileSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args, file,
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, maxBuffer: 64 << 20 });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** A screenshot of a file (SVG or HTML) at width x height, as PNG bytes. */
export function screenshot(name: string, content: string, width: number, height: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'bo-decay-'));
  try {
    writeFileSync(join(dir, name), content);
    runChromium([`--screenshot=${join(dir, 'out.png')}`, `--window-size=${width},${height}`], join(dir, name));
    return readFileSync(join(dir, 'out.png'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A box in CSS pixels (or SVG user units for SVG boxes). */
export interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** An element's box and how much of its content overflows it horizontally. */
export interface Measured extends Box {
  /** Content width (scrollWidth) and visible width (clientWidth). */
  readonly scrollWidth: number;
  readonly clientWidth: number;
  /** Its computed overflow-x. */
  readonly overflowX: string;
  /** The nearest ancestor (or itself) whose overflow-x is auto or scroll, within the body; null if none. */
  readonly scroller: (Box & { readonly overflowX: string }) | null;
}

/** What the page looks like at one viewport width. */
export interface PageMeasurement {
  readonly viewport: number;
  /** The page's own content width (documentElement.scrollWidth): more than the viewport means it scrolls sideways. */
  readonly pageWidth: number;
  /** The body's content box. */
  readonly body: Box;
  readonly pre: Measured[];
  readonly table: Measured[];
  readonly svg: Measured[];
  /** The plot's gap label: its text's bounding box (getBBox, SVG user units), null when there is none. */
  readonly gapLabel: (Box & { readonly text: string }) | null;
  /** The points of the plot's bound line (SVG user units). */
  readonly bound: [number, number][];
}

/** Runs in the harness page: measures every iframe's document and writes the result into the title. */
const MEASURE = String.raw`
function box(r) { return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; }
function measured(e, body) {
  const style = getComputedStyle(e);
  let scroller = null;
  for (let a = e; a && a !== body; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX;
    if (o === 'auto' || o === 'scroll') { scroller = { ...box(a.getBoundingClientRect()), overflowX: o }; break; }
  }
  return { ...box(e.getBoundingClientRect()), scrollWidth: e.scrollWidth, clientWidth: e.clientWidth, overflowX: style.overflowX, scroller };
}
function measure(frame) {
  const d = frame.contentDocument;
  const w = frame.contentWindow;
  const body = d.body;
  const r = body.getBoundingClientRect();
  const s = w.getComputedStyle(body);
  const label = d.querySelector('.gap-label');
  const b = label ? label.getBBox() : null;
  const bound = d.querySelector('polyline.bound');
  return {
    viewport: d.documentElement.clientWidth,
    pageWidth: d.documentElement.scrollWidth,
    body: { left: r.left + parseFloat(s.paddingLeft), right: r.right - parseFloat(s.paddingRight), top: r.top, bottom: r.bottom },
    pre: [...d.querySelectorAll('pre')].map((e) => measured(e, body)),
    table: [...d.querySelectorAll('table')].map((e) => measured(e, body)),
    svg: [...d.querySelectorAll('svg')].map((e) => measured(e, body)),
    gapLabel: b ? { left: b.x, right: b.x + b.width, top: b.y, bottom: b.y + b.height, text: label.textContent } : null,
    bound: bound ? bound.getAttribute('points').trim().split(/\s+/).map((p) => p.split(',').map(Number)) : [],
  };
}
window.addEventListener('load', () => {
  try { document.title = JSON.stringify([...document.querySelectorAll('iframe')].map(measure)); }
  catch (e) { document.title = 'error: ' + e; }
});`;

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/**
 * Loads an HTML page in headless Chromium once per viewport width (each in an iframe of exactly
 * that width, since a headless window is at least 500 wide) and measures it: the body's content
 * box, every pre, table and svg, and the plot's gap label and bound line.
 */
export function measurePage(html: string, widths: readonly number[], height = 900): PageMeasurement[] {
  const frames = widths.map((w) => `<iframe style="display:block;border:0;width:${w}px;height:${height}px" srcdoc="${escapeAttribute(html)}"></iframe>`);
  const harness = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>pending</title></head><body style="margin:0">\n${frames.join('\n')}\n<script>${MEASURE}</script></body></html>\n`;
  const dir = mkdtempSync(join(tmpdir(), 'bo-decay-'));
  try {
    writeFileSync(join(dir, 'harness.html'), harness);
    const dom = runChromium([`--window-size=${Math.max(...widths) + 40},${height}`, '--dump-dom'], join(dir, 'harness.html'));
    const title = /<title>([^<]*)<\/title>/.exec(dom)?.[1];
    if (title === undefined || !title.startsWith('[')) throw new Error(`Chromium did not measure the page: title ${JSON.stringify(title)}`);
    return JSON.parse(title.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&')) as PageMeasurement[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The least and greatest y of a polyline over [left, right] (its vertices there and its values
 * at both ends): a continuous piecewise-linear line crosses a box over that x range exactly when
 * this y range meets the box's. null when the line does not reach the range.
 */
export function yRangeOver(points: readonly (readonly [number, number])[], left: number, right: number): [number, number] | null {
  const ys: number[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const [[x0, y0], [x1, y1]] = [points[k]!, points[k + 1]!];
    const [a, b] = [Math.max(left, Math.min(x0, x1)), Math.min(right, Math.max(x0, x1))];
    if (a > b) continue;
    const at = (x: number): number => (x1 === x0 ? y0 : y0 + ((x - x0) / (x1 - x0)) * (y1 - y0));
    ys.push(at(a), at(b));
  }
  return ys.length ? [Math.min(...ys), Math.max(...ys)] : null;
}
