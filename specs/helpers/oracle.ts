export { createContext, log1p, oracle, parameterFiniteDifferences, sigmoidPair, toDecimal, finiteDifferences, type Decimal } from '../../src/oracle/index.js';
export { decimalDigits } from '../../src/compare/index.js';
