export { U64, U32, ETA64, gamma, ulp } from './rounding.js';
export { measure, decimalDigits, type ErrorMeasure } from './measures.js';
export { referenceBound, type ReferenceBound, type LayerBound } from './bound.js';
export { compareWithOracle, formatLocation, type EntryComparison, type EntryLocation } from './entries.js';
export { checkReference, summarise, type ReferenceCheck } from './reference.js';
