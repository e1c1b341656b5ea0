export type { Precision, Outcome } from '../types.js';
