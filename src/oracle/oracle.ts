import type { Batch, Network } from '../network/types.js';
import { oracleBackward, type OracleBackward } from './backward.js';
import { createContext, type OracleContext } from './context.js';
import { finiteDifferences, type FiniteDifferenceOptions, type FiniteDifferences } from './finiteDifference.js';
import { decimalNetwork, oracleForward, type DecimalNetwork, type OracleForward } from './forward.js';

/** Everything the oracle computes for one network and batch. */
export interface OracleResult {
  readonly ctx: OracleContext;
  readonly params: DecimalNetwork;
  readonly forward: OracleForward;
  readonly backward: OracleBackward;
  /** Present unless `finiteDifferences: false`. */
  readonly fd: FiniteDifferences | null;
}

/** Options of `oracle`. */
export interface OracleOptions extends FiniteDifferenceOptions {
  /** Significant digits (default 50), or a context to reuse. */
  precision?: number | OracleContext;
  /** Compute finite differences too (default true). */
  finiteDifferences?: boolean;
}

/**
 * The high-precision oracle: forward pass, loss, analytic gradients with their magnitudes, and
 * (unless disabled) finite-difference gradients, all in decimal at `precision` digits.
 */
export function oracle(network: Network, batch: Batch, options: OracleOptions = {}): OracleResult {
  const ctx = typeof options.precision === 'object' ? options.precision : createContext(options.precision);
  const params = decimalNetwork(ctx, network);
  const forward = oracleForward(ctx, network, batch, params);
  const backward = oracleBackward(ctx, network, batch, params, forward);
  const fd = options.finiteDifferences === false ? null : finiteDifferences(ctx, network, batch, params, forward, options);
  return { ctx, params, forward, backward, fd };
}
