export { selfCheck, type SelfCheckOptions, type SelfCheckReport, type SelfCheckFailure, type ClassSummary } from './selfCheck.js';
export { verifyGenerated, type VerifyOptions, type Progress } from './engine.js';
export { verifyCases, type NamedCase } from './cases.js';
export { verify, type Target, type VerifyApiOptions } from './api.js';
