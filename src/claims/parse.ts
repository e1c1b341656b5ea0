/**
 * Parsing a claim's formula with mathjs, and checking that it uses only the symbols, functions
 * and operators of its kind of claim. Every error points at its place in the formula.
 */
import type { MathNode } from 'mathjs';
import { ClaimError, pointAt } from './errors.js';
import type { ClaimMath } from './math.js';
import { formatSymbols, namesOf, type SymbolSet } from './symbols.js';

/** A parsed, checked formula. */
export interface ParsedFormula {
  readonly text: string;
  /** The formula's tree; `Z(1 - Z)` already rewritten to `Z * (1 - Z)`. */
  readonly node: MathNode;
}

const OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus', 'equal', 'unequal', 'smaller', 'larger', 'smallerEq', 'largerEq']);
const UNARY_FUNCTIONS = new Set(['sigma', 'softplus', 'exp', 'ln', 'log', 'log1p', 'sqrt', 'abs', 'round', 'sum_i', 'sum_k', 'step', 'tanh']);

/** 0-based position of the first whole identifier `name` in `text` (or of `fallback`, or 0). */
export function positionOf(text: string, name: string): number {
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) if (m[0] === name) return m.index;
  return 0;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let x = 1; x <= a.length; x++) {
    let diagonal = row[0]!;
    row[0] = x;
    for (let y = 1; y <= b.length; y++) {
      const above = row[y]!;
      row[y] = Math.min(above + 1, row[y - 1]! + 1, diagonal + (a[x - 1] === b[y - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known names closest to `name` (equal ignoring case, edit distance at most 2, or the same first 4 letters). */
export function suggestions(name: string, known: readonly string[]): string[] {
  const prefix = (k: string): boolean => name.length >= 4 && k.slice(0, 4).toLowerCase() === name.slice(0, 4).toLowerCase();
  return known.filter((k) => k.toLowerCase() === name.toLowerCase() || editDistance(k, name) <= Math.min(2, name.length - 1) || prefix(k));
}

/** The mathjs node constructors the rewrite needs. */
interface NodeClasses {
  OperatorNode: new (op: string, fn: string, args: MathNode[], implicit: boolean) => MathNode;
  ParenthesisNode: new (content: MathNode) => MathNode;
}

class Checker {
  private readonly outer: Set<string>;
  private readonly inner: Set<string>;
  private readonly functions: Set<string>;
  private readonly row: Set<string>;

  constructor(private readonly text: string, private readonly set: SymbolSet, private readonly nodes: NodeClasses) {
    this.outer = new Set(namesOf(set.outer));
    this.inner = new Set(namesOf(set.inner));
    this.functions = new Set(namesOf(set.functions));
    this.row = new Set(namesOf(set.rowInner ?? []));
  }

  fail(code: 'E_CLAIM_SYNTAX' | 'E_CLAIM_SYMBOL', what: string, at: number, hint = ''): never {
    const tail = hint ? `\n${hint}` : '';
    throw new ClaimError(code, `claim: ${what}\n${pointAt(this.text, at)}${tail}\n${formatSymbols(this.set)}`);
  }

  /** `Z(1 - Z)`: a variable "called" with one argument is a product. */
  rewrite(node: MathNode): MathNode {
    return node.transform((n) => {
      if (n.type !== 'FunctionNode') return n;
      const f = n as MathNode & { fn: MathNode & { name?: string }; args: MathNode[] };
      const name = f.fn.name ?? '';
      if (!this.outer.has(name) && !this.inner.has(name) && !this.row.has(name)) return n;
      if (f.args.length !== 1) this.fail('E_CLAIM_SYNTAX', `${name} is a quantity, not a function: ${name}(...) with ${f.args.length} arguments`, positionOf(this.text, name));
      const { OperatorNode, ParenthesisNode } = this.nodes;
      return new OperatorNode('*', 'multiply', [f.fn, new ParenthesisNode(this.rewrite(f.args[0]!))], true);
    });
  }

  check(node: MathNode, insideSum: boolean, insideRow = false): void {
    const n = node as MathNode & { name?: string; fn?: string | (MathNode & { name?: string }); args?: MathNode[]; op?: string; value?: unknown; content?: MathNode };
    switch (node.type) {
      case 'ConstantNode':
        if (typeof n.value === 'string' || typeof n.value === 'boolean' || n.value === undefined || n.value === null) {
          this.fail('E_CLAIM_SYNTAX', n.value === undefined ? 'the formula is empty' : `${String(node)} is not a number`, 0);
        }
        return;
      case 'SymbolNode':
        return this.checkSymbol(n.name!, insideSum, insideRow);
      case 'ParenthesisNode':
        return this.check(n.content!, insideSum, insideRow);
      case 'ConditionalNode':
        for (const child of [(n as unknown as { condition: MathNode }).condition, (n as unknown as { trueExpr: MathNode }).trueExpr, (n as unknown as { falseExpr: MathNode }).falseExpr]) this.check(child, insideSum, insideRow);
        return;
      case 'OperatorNode':
        if (!OPERATORS.has(n.fn as string)) this.fail('E_CLAIM_SYNTAX', `the operator ${n.op} is not supported`, Math.max(0, this.text.indexOf(n.op!)));
        for (const child of n.args!) this.check(child, insideSum, insideRow);
        return;
      case 'FunctionNode':
        return this.checkCall(n.fn as MathNode & { name?: string }, n.args!, insideSum, insideRow);
      default:
        this.fail('E_CLAIM_SYNTAX', `a claim is one formula; ${node.type.replace(/Node$/, '').toLowerCase()} expressions (assignments, matrices, ...) are not supported`, 0);
    }
  }

  private checkSymbol(name: string, insideSum: boolean, insideRow: boolean): void {
    if (this.outer.has(name) || (insideSum && this.inner.has(name)) || (insideRow && this.row.has(name))) return;
    const at = positionOf(this.text, name);
    if (this.row.has(name)) this.fail('E_CLAIM_SYMBOL', `${name} exists only inside sum_k(...): it belongs to unit k of the softmax row`, at, '  write the whole term inside the parentheses, e.g. sum_k(t_k * Z_k)');
    if (this.inner.has(name)) this.fail('E_CLAIM_SYMBOL', `${name} exists only inside sum_i(...): it belongs to unit i of the layer above`, at, '  write the whole term inside the parentheses, e.g. sum_i((Z_i - t_i) * W_ji)');
    if (this.functions.has(name)) this.fail('E_CLAIM_SYMBOL', `${name} is a function: write ${name}(x)`, at);
    const close = suggestions(name, [...this.outer, ...this.inner, ...this.row]);
    this.fail('E_CLAIM_SYMBOL', `unknown symbol "${name}"`, at, close.length > 0 ? `  did you mean ${close.join(' or ')}?` : '');
  }

  private checkCall(fn: MathNode & { name?: string }, args: MathNode[], insideSum: boolean, insideRow: boolean): void {
    const name = fn.name ?? String(fn);
    const at = positionOf(this.text, name);
    if (!this.functions.has(name)) {
      const close = suggestions(name, [...this.functions]);
      this.fail('E_CLAIM_SYMBOL', `unknown function "${name}"`, at, close.length > 0 ? `  did you mean ${close.join(' or ')}?` : '');
    }
    if (UNARY_FUNCTIONS.has(name) && args.length !== 1) this.fail('E_CLAIM_SYNTAX', `${name} takes one argument, got ${args.length}`, at);
    if (!UNARY_FUNCTIONS.has(name) && args.length < 2) this.fail('E_CLAIM_SYNTAX', `${name} takes two or more arguments, got ${args.length}`, at);
    if (name === 'sum_i' && insideSum) this.fail('E_CLAIM_SYNTAX', 'sum_i(...) cannot be nested', at);
    if (name === 'sum_k' && insideRow) this.fail('E_CLAIM_SYNTAX', 'sum_k(...) cannot be nested', at);
    for (const arg of args) this.check(arg, insideSum || name === 'sum_i', insideRow || name === 'sum_k');
  }
}

/**
 * Parses `text` with mathjs and checks it against `set`.
 * @throws ClaimError `E_CLAIM_SYNTAX` for a syntax error (with mathjs's position), an unsupported
 *   operator or construct; `E_CLAIM_SYMBOL` for an unknown symbol or function, or an inner
 *   symbol outside `sum_i`. Each message has a caret under the place and the list of symbols.
 */
export function parseFormula(text: string, set: SymbolSet, cm: ClaimMath): ParsedFormula {
  const nodes = cm.math as unknown as NodeClasses;
  const checker = new Checker(text, set, { OperatorNode: nodes.OperatorNode, ParenthesisNode: nodes.ParenthesisNode });
  if (text.trim() === '') checker.fail('E_CLAIM_SYNTAX', 'the formula is empty', 0);
  let node: MathNode | undefined;
  try {
    node = cm.math.parse(text);
  } catch (error) {
    const char = (error as { char?: number }).char;
    checker.fail('E_CLAIM_SYNTAX', `syntax error: ${(error as Error).message}`, typeof char === 'number' ? char - 1 : 0);
  }
  const rewritten = checker.rewrite(node!);
  checker.check(rewritten, false);
  return { text, node: rewritten };
}
