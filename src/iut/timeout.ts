import type { BatchJson, NetworkJson } from '../network/types.js';

/** Default base of the per-request timeout, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** Extra milliseconds allowed per thousand parameter-samples (weights and biases times batch size). */
export const TIMEOUT_MS_PER_THOUSAND = 1;

/**
 * The timeout of one gradients request: the base plus 1 ms per thousand parameter-samples, so a
 * 784-128-10 network at batch 64 (6.5 million) gets 6.5 s more than a toy one. A base of 0 or
 * Infinity means no limit.
 */
export function scaledTimeout(baseMs: number, network: NetworkJson, batch: BatchJson): number {
  if (!(baseMs > 0) || !Number.isFinite(baseMs)) return baseMs;
  let parameters = 0;
  for (const layer of Array.isArray(network?.layers) ? network.layers : []) {
    const rows = Array.isArray(layer?.weights) ? layer.weights : [];
    parameters += rows.length * (Array.isArray(rows[0]) ? rows[0].length : 0) + (Array.isArray(layer?.bias) ? layer.bias.length : 0);
  }
  const samples = Array.isArray(batch?.inputs) ? batch.inputs.length : 1;
  return baseMs + Math.ceil((parameters * Math.max(1, samples) * TIMEOUT_MS_PER_THOUSAND) / 1000);
}
