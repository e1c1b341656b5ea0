/** The catalogue of classic mistakes: each as a claim and as a buggy implementation, and their kills. */
export { MISTAKES, mistakeById, buggyImplementation, type Mistake } from './mistakes.js';
export { buildImplementation, hookedGradients, CORRECT_HOOKS, type Hooks, type OutputUnit } from './implementation.js';
export { killMistake, type KillOptions, type KillResult, type ImplementationKill } from './kill.js';
export { pinOf, readPins, replayPin, PIN_DIR, type PinnedCounterexample } from './pins.js';
export { formatCatalogue, catalogueMarkdown, shrinkMarkdown, claimSize } from './table.js';
export { CORRECT_CLAIMS } from './correct.js';
