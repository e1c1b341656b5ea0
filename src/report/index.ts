export { formatSelfCheck, selfCheckToJson } from './selfCheckText.js';
export { formatDecay, decayPlotSvg, decayHtml } from './decay/index.js';
