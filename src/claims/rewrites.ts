/**
 * Rewrites that name a classic mistake: when a rewrite of the factors a claim has left over turns
 * them into the factor of the chain it lacks (S -> Z, W_ij -> W_ji, round(t) -> t, W -> Y, Z -> Y,
 * the weights put back into sum_i), the mistake is the one the rewrite undoes.
 */
import type { MathNode } from 'mathjs';
import type { ChainSegment } from './chain.js';
import { factorValue, product, same, segmentValue, type Factor, type Node, type Sample } from './factorValues.js';
import type { ResolvedClaim } from './resolve.js';

/** A rewrite of the extra factors that, when it turns them into the missing run, names the mistake. */
interface Rewrite {
  readonly applies: (r: ResolvedClaim) => boolean;
  readonly rewrite: (node: MathNode, r: ResolvedClaim) => MathNode;
  readonly message: string;
}

type Classes = {
  SymbolNode: new (name: string) => MathNode;
  OperatorNode: new (op: string, fn: string, args: MathNode[]) => MathNode;
  FunctionNode: new (fn: string, args: MathNode[]) => MathNode;
};

function renameSymbols(from: readonly string[], to: string): (node: MathNode, r: ResolvedClaim) => MathNode {
  return (node, r) => node.transform((n) => (n.type === 'SymbolNode' && from.includes((n as Node & { name: string }).name) ? new (r.math.math as unknown as Classes).SymbolNode(to) : n));
}

/** Whether the claim's symbols include the input Y (weight claims). */
function hasY(r: ResolvedClaim): boolean {
  return r.set.outer.some((info) => info.names.includes('Y'));
}

const REWRITES: Rewrite[] = [
  { applies: (r) => r.kind === 'output', rewrite: renameSymbols(['S', 'S_i'], 'Z'), message: "sigma'(S) = Z (1 - Z) is applied to S instead of to Z = sigma(S)" },
  { applies: (r) => r.kind === 'hidden', rewrite: renameSymbols(['S_j'], 'Y_j'), message: "sigma'(S_j) = Y_j (1 - Y_j) is applied to S_j instead of to Y_j = sigma(S_j)" },
  { applies: (r) => r.kind === 'hidden', rewrite: renameSymbols(['W_ij'], 'W_ji'), message: 'the weight index is transposed: W_ij instead of W_ji' },
  { applies: (r) => r.kind === 'output' && hasY(r), rewrite: renameSymbols(['W', 'W_ji'], 'Y'), message: 'dS_i/dW_ji is the input Y_j, not the weight W_ji' },
  { applies: (r) => r.kind === 'output' && hasY(r), rewrite: renameSymbols(['Z', 'Z_i'], 'Y'), message: "dS_i/dW_ji is the layer's input Y_j, not the unit's own output Z_i" },
  {
    applies: () => true,
    rewrite: (node) => node.transform((n) => (n.type === 'FunctionNode' && String((n as Node & { fn: MathNode }).fn) === 'round' ? (n as Node).args![0]! : n)),
    message: 'the targets are rounded: cross-entropy takes soft targets t in [0, 1] as they are',
  },
  {
    applies: (r) => r.kind === 'hidden',
    rewrite: (node, r) =>
      node.transform((n) => {
        if (n.type !== 'FunctionNode' || String((n as Node & { fn: MathNode }).fn) !== 'sum_i') return n;
        const c = r.math.math as unknown as Classes;
        return new c.FunctionNode('sum_i', [new c.OperatorNode('*', 'multiply', [(n as Node).args![0]!, new c.SymbolNode('W_ji')])]);
      }),
    message: 'the error of the layer above is summed without the weights W_ji it travels back through',
  },
];

/** The messages of the rewrites that turn `extras` into the missing run `seg` on every probe sample. */
export function rewriteFindings(r: ResolvedClaim, extras: readonly Factor[], probes: readonly Sample[], seg: ChainSegment): string[] {
  const found: string[] = [];
  for (const rw of REWRITES) {
    if (!rw.applies(r)) continue;
    const rewritten = extras.map((f) => (f.node === null ? f : { ...f, node: rw.rewrite(f.node, r) }));
    if (rewritten.every((f, k) => f.node === extras[k]!.node || f.node?.toString() === extras[k]!.node?.toString())) continue;
    const agrees = probes.every((p) => {
      const values = rewritten.map((f) => factorValue(r, p.scope, f));
      return same(product(r, values, (1 << values.length) - 1), segmentValue(r, p.pieces, seg), 1);
    });
    if (agrees) found.push(rw.message);
  }
  return found;
}

