import * as decimalModule from 'decimal.js';

/**
 * decimal.js ships an ES module whose only export is the default one, with typings written for
 * CommonJS; this bridge gives the class and its type one name for the rest of the oracle.
 */
export const Decimal = (decimalModule as unknown as { default: typeof decimalModule.Decimal }).default;
export type Decimal = decimalModule.Decimal;
/** The type of a Decimal constructor made by `Decimal.clone`. */
export type DecimalConstructor = typeof decimalModule.Decimal;
