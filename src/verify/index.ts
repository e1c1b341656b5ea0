export { selfCheck, type SelfCheckOptions, type SelfCheckReport, type SelfCheckFailure, type ClassSummary } from './selfCheck.js';
export { finalVerdict, settleReport, DEFAULT_SHRINK_BUDGET_SECONDS, type VerifyOptions, type Progress, type NamedCase } from './run.js';
export { verifyGenerated } from './engine.js';
export { verifyCases } from './cases.js';
export { verify, type Target, type VerifyApiOptions } from './api.js';
export { shrinkCase, caseSizeText, type ShrinkCaseOptions, type ShrunkCase } from './shrinkCase.js';
