export { selfCheck, type SelfCheckOptions, type SelfCheckReport, type SelfCheckFailure, type ClassSummary } from './selfCheck.js';
