export { U64, U32, ETA64, gamma, ulp } from './rounding.js';
export { measure, decimalDigits, type ErrorMeasure } from './measures.js';
export { referenceBound, type ReferenceBound, type LayerBound } from './bound.js';
export { compareWithOracle, type EntryComparison } from './entries.js';
export { formatLocation, type EntryLocation } from '../types.js';
export { checkReference, summarise, type ReferenceCheck } from './reference.js';
export { directionalCheck, directionSign, type DirectionalOptions, type DirectionalResult, type DirectionCheck, type LocalisedEntry } from './directional.js';
export { errorBoundWithKinks, kinkCrossings, type KinkCrossing, type KinkedBound } from './bound.js';
export { formatKinkNote, type KinkNote } from './judge.js';
