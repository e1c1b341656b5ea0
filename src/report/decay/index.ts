/**
 * Every renderer of the `decay` experiment (the computation is in src/decay): the text report and
 * its table, the SVG plot, and the HTML page that embeds both.
 */
export { formatDecay, formatPow10, decayRows, decayRow, DECAY_COLUMNS, RECTIFIER_COLUMNS, decayColumns, describeExperiment, describeInit, describeTraining, describeLayers, boundFormula, formatDecayComparison, describeComparison, comparisonColumns, comparisonRows, comparisonSummaryLines, factorWord } from './text.js';
export { decayComparisonSvg, decayComparisonHtml, comparisonTableHtml, SERIES_STYLE } from './compare.js';
export { decayPlotSvg, escapeSvg, mathText, BOUND_MARKUP } from './plot.js';
export { decayHtml, decayTableHtml } from './html.js';
