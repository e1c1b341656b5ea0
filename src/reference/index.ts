export { sigmoid, sigmoidComplement, sigmoidSlope, softplus, crossEntropyFromLogit } from './sigmoid.js';
export { forward, inputsOf, type ForwardPass } from './forward.js';
export { loss } from './loss.js';
export { backward, outputDelta, type BackwardPass } from './backward.js';
export { referenceGradients, gradientNorm } from './gradients.js';
export { step, stepInPlace, cloneNetwork } from './step.js';
export { train, type TrainOptions, type TrainResult, type StopReason } from './train.js';
