export { createContext, DEFAULT_PRECISION, GUARD_DIGITS, type OracleContext } from './context.js';
export { Decimal } from './decimal.js';
export { exactDecimalString, toDecimal, toDecimals, toNumber } from './exact.js';
export { log1p, expm1, sigmoidPair, crossEntropyFromLogit, type SigmoidPair } from './functions.js';
export { oracleForward, decimalNetwork, oracleInputsOf, type OracleForward, type DecimalNetwork } from './forward.js';
export { oracleBackward, type OracleBackward, type DecimalLayerGradient } from './backward.js';
export { finiteDifferences, parameterFiniteDifferences, lossChange, defaultStep, type FiniteDifferences, type FiniteDifferenceOptions } from './finiteDifference.js';
export { oracle, type OracleOptions, type OracleResult } from './oracle.js';
