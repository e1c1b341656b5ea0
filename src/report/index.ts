export { formatSelfCheck, selfCheckToJson } from './selfCheckText.js';
