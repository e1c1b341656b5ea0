import { modulesOf } from '../layers/index.js';
import { isVersion1, type Batch, type Network } from '../network/types.js';
import { widths } from '../network/shape.js';
import type { Decimal } from '../oracle/decimal.js';
import { oracleInputsOf } from '../oracle/forward.js';
import type { OracleResult } from '../oracle/oracle.js';
import { backward, type BackwardPass } from '../reference/backward.js';
import { forward, inputsOf, type ForwardPass } from '../reference/forward.js';
import { analyseDecay, type DecayInput, type LayerDecay } from './analysis.js';
import { decimalArithmetic, FLOAT64 } from './arithmetic.js';

/**
 * max f' of layer l's activation (0-based), from its module: the peak of its slope
 * (`textbook.slopePeak.value`: sigmoid 1/4 at Z = 1/2, tanh 1 at Z = 0, relu, leaky_relu (alpha < 1)
 * and linear 1). A row-wise last layer (softmax) has no slope; its entry is never used: 1.
 */
export function maxSlopeOf(network: Network, l: number): number {
  const a = modulesOf(network).activation(l);
  return a.shape === 'elementwise' ? a.textbook.slopePeak.value : 1;
}

/** max f' of every layer (see {@link maxSlopeOf}); undefined for a version-1 network (1/4 throughout, as before). */
export function maxSlopesOf(network: Network): number[] | undefined {
  return isVersion1(network) ? undefined : network.layers.map((_, l) => maxSlopeOf(network, l));
}

/**
 * The float64 reference's forward and backward pass of a case (computed unless given), as the
 * input of a decay analysis.
 */
export function referenceDecayInput(network: Network, batch: Batch, pass: ForwardPass = forward(network, batch), back: BackwardPass = backward(network, batch, pass)): DecayInput<number> {
  const { delta, layers } = back;
  return {
    B: batch.size,
    widths: widths(network),
    W: network.layers.map((layer) => layer.W),
    Y: network.layers.map((_, l) => inputsOf(pass, l)),
    delta,
    G: layers.map((g) => g.W),
    maxSlopes: maxSlopesOf(network),
  };
}

/** The oracle's exact (decimal) forward and backward pass, as the input of a decay analysis. */
export function oracleDecayInput(network: Network, batch: Batch, exact: OracleResult): DecayInput<Decimal> {
  return {
    B: batch.size,
    widths: widths(network),
    W: exact.params.W,
    Y: network.layers.map((_, l) => oracleInputsOf(exact.forward, l)),
    delta: exact.backward.delta,
    G: exact.backward.layers.map((g) => g.W),
    maxSlopes: maxSlopesOf(network),
  };
}

/** The decay analysis of the float64 reference's gradients (see {@link analyseDecay}); the passes are computed unless given. */
export function referenceDecay(network: Network, batch: Batch, pass?: ForwardPass, back?: BackwardPass): LayerDecay<number>[] {
  return analyseDecay(FLOAT64, referenceDecayInput(network, batch, pass, back));
}

/** The decay analysis of the oracle's exact gradients, in the oracle's decimal arithmetic. */
export function oracleDecay(network: Network, batch: Batch, exact: OracleResult): LayerDecay<Decimal>[] {
  return analyseDecay(decimalArithmetic(exact.ctx), oracleDecayInput(network, batch, exact));
}
