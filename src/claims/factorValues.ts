/**
 * The numbers behind the factor analysis: a claim's multiplicative factors, their values and those
 * of the chain's runs on one sample, and the comparison of two values to 20 digits.
 */
import type { MathNode } from 'mathjs';
import type { Decimal } from '../oracle/decimal.js';
import { chainPieces, type ChainPiece, type ChainSegment } from './chain.js';
import { sampleValue, toDecimalValue } from './evaluate.js';
import type { ResolvedClaim } from './resolve.js';
import { sampleScope, type OracleCase, type SampleScope } from './scope.js';
import type { EntryRef } from './types.js';

/** One multiplicative factor of a claim: a sub-formula, or its reciprocal, or -1. */
export interface Factor {
  readonly text: string;
  /** null for the constant -1 of a unary minus. */
  readonly node: MathNode | null;
  readonly inverse: boolean;
}

/** A mathjs node with the fields the analysis reads. */
export type Node = MathNode & { fn?: string; args?: MathNode[]; content?: MathNode };

/** The claim's multiplicative factors, left to right. */
export function flattenFactors(node: MathNode, inverse = false, out: Factor[] = []): Factor[] {
  const n = node as Node;
  if (node.type === 'ParenthesisNode' && n.content!.type === 'OperatorNode' && ['multiply', 'divide', 'unaryMinus'].includes((n.content as Node).fn!)) {
    return flattenFactors(n.content!, inverse, out);
  }
  if (node.type === 'OperatorNode') {
    const args = n.args!;
    if (n.fn === 'multiply') {
      for (const arg of args) flattenFactors(arg, inverse, out);
      return out;
    }
    if (n.fn === 'divide') {
      flattenFactors(args[0]!, inverse, out);
      flattenFactors(args[1]!, !inverse, out);
      return out;
    }
    if (n.fn === 'unaryMinus') {
      out.push({ text: '-1', node: null, inverse: false });
      return flattenFactors(args[0]!, inverse, out);
    }
    if (n.fn === 'unaryPlus') return flattenFactors(args[0]!, inverse, out);
  }
  out.push({ text: node.toString(), node, inverse });
  return out;
}

/** The text of a product of factors: `a * b / c`. */
export function productText(factors: readonly Factor[]): string {
  const top = factors.filter((f) => !f.inverse).map((f) => f.text);
  const bottom = factors.filter((f) => f.inverse).map((f) => ` / ${f.text}`);
  return (top.length > 0 ? top.join(' * ') : '1') + bottom.join('');
}

/** Values of every factor and chain piece on one sample. */
export interface Sample {
  readonly factors: (Decimal | null)[];
  readonly pieces: ChainPiece[];
  readonly scope: SampleScope;
}

/** A factor's value on one sample (null when not a finite number, or a reciprocal of 0). */
export function factorValue(r: ResolvedClaim, scope: SampleScope, f: Factor): Decimal | null {
  if (f.node === null) return r.ctx.one.neg();
  const value = toDecimalValue(r, sampleValue(r, scope, f.node));
  if (value === null || !f.inverse) return value;
  return value.isZero() ? null : r.ctx.one.div(value);
}

/** Every factor's and chain piece's value on one sample of an entry. */
export function sampleOf(r: ResolvedClaim, oc: OracleCase, entry: EntryRef, s: number, factors: readonly Factor[]): Sample {
  const scope = sampleScope(r, oc, entry, s);
  return { factors: factors.map((f) => factorValue(r, scope, f)), pieces: chainPieces(r, scope), scope };
}

/** The product of the values picked by `mask` (null if one is null). */
export function product(r: ResolvedClaim, values: readonly (Decimal | null)[], mask: number): Decimal | null {
  let p = r.ctx.one;
  for (let k = 0; k < values.length; k++) {
    if (!(mask & (1 << k))) continue;
    const value = values[k];
    if (value === null || value === undefined) return null;
    p = p.times(value);
  }
  return p;
}

/** The value of a run of the chain: the product of its pieces. */
export function segmentValue(r: ResolvedClaim, pieces: readonly ChainPiece[], seg: ChainSegment): Decimal {
  let p = r.ctx.one;
  for (let k = seg.start; k <= seg.end; k++) p = p.times(pieces[k]!.value);
  return p;
}

/** a = sign * b to 20 digits relative to the larger. */
export function same(a: Decimal | null, b: Decimal | null, sign: 1 | -1): boolean {
  if (a === null || b === null) return false;
  const target = sign === 1 ? b : b.neg();
  const scale = a.abs().gt(b.abs()) ? a.abs() : b.abs();
  return a.minus(target).abs().lte(scale.times('1e-20'));
}

