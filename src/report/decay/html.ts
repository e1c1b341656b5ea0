/**
 * The decay report as one self-contained HTML page: the plot (inline SVG), the table of
 * per-layer figures, the check of the bound and the training result.
 */

import type { DecayMeasurement } from '../../decay/experiment.js';
import { decayPlotSvg, escapeSvg as escapeHtml } from './plot.js';
import { boundFormula, decayColumns, decayRows, describeExperiment, describeTraining } from './text.js';

/**
 * Readable at any window width, with nothing cut off: the plot scales to the body's width, the
 * training text (prose; its console line breaks dropped) wraps to the width, long code spans
 * wrap, and the table, whose numbers should not wrap, scrolls inside the body when it is wider
 * than the window.
 */
export const STYLE = `
*, *::before, *::after { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 960px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.lead { color: #555; margin-top: 0; }
figure { margin: 1.5em 0; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; border: 1px solid #ddd; }
.table-scroll { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.92em; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
th { background: #f3f6fa; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.92em; }
code { overflow-wrap: anywhere; }
pre { background: #f7f7f7; padding: 0.8em; white-space: pre-wrap; overflow-wrap: anywhere; overflow-x: auto; }
.ok { color: #1b7a2e; } .bad { color: #b3261e; font-weight: bold; }
@media (max-width: 600px) {
  body { margin: 1em auto; padding: 0 0.6em; }
  th, td { padding: 0.25em 0.5em; }
}`;

/** The table of per-layer figures as HTML (output layer first). */
export function decayTableHtml(m: DecayMeasurement): string {
  const head = `<tr>${decayColumns(m).map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = decayRows(m).map((r) => `<tr>${r.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

/** What the table's figures are and why the bound holds: the sigmoid's text as before, or the activation's max f'. */
function explanation(m: DecayMeasurement): string {
  const a = m.experiment.activation;
  if (a === undefined || a === 'sigmoid') return SIGMOID_EXPLANATION;
  const dead = a === 'relu' || a === 'leaky_relu' ? `\n<p>Dead units: the fraction of a hidden layer's units with <code>S &lt;= 0</code> for the sample (${a === 'relu' ? 'slope 0: they pass no error signal down' : 'slope alpha'}), over every sample and network.</p>` : '';
  return `<p>Gradient norm: <code>||dE/dW^(l)||_F</code>, the median over the networks, with its quartiles (middle half) and
extremes (full range). Bound: <code>${escapeHtml(boundFormula(m))}</code>, the median over the networks. Ratio: gradient norm
over bound, per network (1 where the bound is attained).</p>
<p>Why it holds: <code>delta^(l) = f'(S^(l)) * (W^(l+1) delta^(l+1))</code> with <code>|f'| &lt;= max f' = 1</code> for ${escapeHtml(a)}
and <code>||W delta|| &lt;= ||W||_2 ||delta|| &lt;= ||W||_F ||delta||</code>, so every layer multiplies the error signal's norm
by at most <code>||W^(l+1)||_F</code>: with <code>||W||_F &gt; 1</code> the bound allows growth, and the gradient may explode.</p>${dead}
`;
}

const SIGMOID_EXPLANATION = `<p>Gradient norm: <code>||dE/dW^(l)||_F</code>, the median over the networks, with its quartiles (middle half) and
extremes (full range). Bound: <code>(1/4)^(L-l) prod_{m&gt;l} ||W^(m)||_F sum_b ||Y^(l-1)_b|| ||delta^(L)_b||</code>, the median
over the networks. Ratio: gradient norm over bound, per network (1 where the bound is attained).</p>
<p>Why it holds: <code>delta^(l) = sigma'(S^(l)) * (W^(l+1) delta^(l+1))</code> with <code>0 &lt; sigma' = Z(1-Z) &lt;= 1/4</code>
and <code>||W delta|| &lt;= ||W||_2 ||delta|| &lt;= ||W||_F ||delta||</code>, so every layer multiplies the error signal's norm
by at most <code>(1/4) ||W^(l+1)||_F</code>; and <code>dE/dW^(l) = sum_b Y^(l-1)_b delta^(l)_b^T</code> has Frobenius norm at most
<code>sum_b ||Y_b|| ||delta_b||</code>.</p>
`;

/** The whole HTML report of a decay experiment. */
export function decayHtml(m: DecayMeasurement): string {
  const svg = decayPlotSvg(m).replace(/^<\?xml[^>]*\?>\s*/, '');
  const training = describeTraining(m);
  const check = m.violations === 0
    ? `<p class="ok">The bound was checked on every layer, sample and network: ${m.checked} inequalities, none violated.</p>`
    : `<p class="bad">${m.violations} of ${m.checked} inequalities of the bound were violated.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>backprop-oracle decay: ${escapeHtml(describeExperiment(m))}</title>
<style>${STYLE}
</style>
</head>
<body>
<h1>Vanishing gradient</h1>
<p class="lead">${escapeHtml(describeExperiment(m))}</p>
<figure>
${svg}</figure>
<h2>Per layer</h2>
<div class="table-scroll" role="region" aria-label="figures per layer" tabindex="0">
${decayTableHtml(m)}
</div>
${explanation(m)}
${check}
${training ? `<h2>Training</h2>\n<pre class="training">${escapeHtml(training.replace(/\n/g, ' '))}</pre>\n` : ''}</body>
</html>
`;
}
