/**
 * The size of a counterexample, for the shrink-quality table: layers, the widest layer, batch
 * size, and the most significant digits of any of its numbers.
 */
import type { CaseJson } from '../network/types.js';

/** How big a case is. */
export interface CaseSize {
  readonly layers: number;
  /** The most units of any layer, inputs included. */
  readonly maxUnits: number;
  readonly batch: number;
  /** The most significant digits of any weight, bias, input or target (0 counts as 1). */
  readonly maxDigits: number;
}

/** Significant digits of a number's shortest decimal form: 0.25 has 2, 1e-300 has 1, 37 has 2. */
export function significantDigits(x: number): number {
  const mantissa = Math.abs(x).toExponential().split('e')[0]!;
  return mantissa.replace('.', '').replace(/^0+/, '').length || 1;
}

/** The size of a case given as JSON. */
export function caseSize(c: CaseJson): CaseSize {
  const numbers: number[] = [];
  const widths = [c.batch.inputs[0]?.length ?? 0];
  for (const layer of c.network.layers) {
    widths.push(layer.weights[0]?.length ?? 0);
    for (const row of layer.weights) numbers.push(...row);
    if (layer.bias) numbers.push(...layer.bias);
  }
  for (const row of [...c.batch.inputs, ...c.batch.targets]) numbers.push(...row);
  return {
    layers: c.network.layers.length,
    maxUnits: Math.max(...widths),
    batch: c.batch.inputs.length,
    maxDigits: Math.max(1, ...numbers.map(significantDigits)),
  };
}

/** `2 layers, 2-1-1, batch 1, 2 digits`-style one-liner. */
export function formatSize(c: CaseJson): string {
  const s = caseSize(c);
  const widths = [c.batch.inputs[0]?.length ?? 0, ...c.network.layers.map((l) => l.weights[0]?.length ?? 0)].join('-');
  return `${s.layers} layer${s.layers === 1 ? '' : 's'} ${widths}, batch ${s.batch}, ${s.maxDigits} digit${s.maxDigits === 1 ? '' : 's'}`;
}
