/**
 * The expression library: mathjs instances that evaluate claims either in BigNumber (decimal.js
 * at the oracle's precision) or in float64, with the functions the derivation needs (`sigma`,
 * `softplus`, `ln`, `log1p`) and `sum_i`, which sums its argument over the units of the layer above.
 *
 * `sum_i` is a "raw arguments" function: mathjs hands it the unevaluated argument, and it
 * evaluates that once per unit i with the unit's quantities (`Z_i`, `t_i`, `W_ji`, ...) added to
 * the scope. The per-sample values travel in the scope under {@link FRAME}, a name no formula
 * can use (the parser accepts only the documented symbols).
 */
import { all, create, type EvalFunction, type MathJsInstance, type MathNode } from 'mathjs';
import type { Arithmetic } from './types.js';

/** A value in a claim's arithmetic: a mathjs BigNumber or a float64 number (booleans from comparisons). */
export type MathValue = unknown;

/** The scope key holding the per-unit scopes that `sum_i` iterates over. */
export const FRAME = '__claimFrame';
/** The scope key holding the per-unit scopes of the softmax row that `sum_k` iterates over. */
export const ROW_FRAME = '__claimRowFrame';

/** What `sum_i` reads from the scope: one scope per unit i (the outer symbols included). */
export interface SumFrame {
  readonly units: number;
  unitScope(i: number): LazyScope;
}

/**
 * A mathjs scope (Map-like) that converts a symbol's Decimal into the claim's arithmetic only when
 * the formula reads it, over an optional parent scope (the outer symbols, inside `sum_i`).
 */
export class LazyScope {
  private readonly cache = new Map<string, MathValue>();
  constructor(
    private readonly values: Readonly<Record<string, { toString(): string; toNumber(): number }>>,
    private readonly convert: (d: { toString(): string; toNumber(): number }) => MathValue,
    private readonly parent: LazyScope | null = null,
    private readonly extra: Readonly<Record<string, unknown>> = {},
  ) {}
  get(name: string): MathValue {
    if (name in this.extra) return this.extra[name];
    if (this.cache.has(name)) return this.cache.get(name);
    const d = this.values[name];
    if (d === undefined) return this.parent?.get(name);
    const v = this.convert(d);
    this.cache.set(name, v);
    return v;
  }
  has(name: string): boolean {
    return name in this.extra || name in this.values || this.cache.has(name) || (this.parent?.has(name) ?? false);
  }
  set(name: string, value: MathValue): this {
    this.cache.set(name, value);
    return this;
  }
  keys(): IterableIterator<string> {
    return new Set([...Object.keys(this.values), ...Object.keys(this.extra), ...this.cache.keys(), ...(this.parent ? this.parent.keys() : [])]).values();
  }
}

/** A mathjs instance for one arithmetic and precision, with the claim functions imported. */
export interface ClaimMath {
  readonly math: MathJsInstance;
  readonly arithmetic: Arithmetic;
  /** A number or decimal string in this arithmetic. */
  value(x: number | string): MathValue;
  /** A Decimal of the oracle in this arithmetic: the same digits as a BigNumber (no parsing), or the nearest double. */
  fromDecimal(d: { toNumber(): number }): MathValue;
  /** Compiles a node once (cached). */
  compile(node: MathNode): EvalFunction;
}

const instances = new Map<string, ClaimMath>();

/** Decimal.js-like methods of a mathjs BigNumber that the functions below use. */
interface Big {
  gt(x: number): boolean;
  lt(x: number): boolean;
  abs(): Big;
  neg(): Big;
  exp(): Big;
  ln(): Big;
  plus(x: Big | number): Big;
  times(x: Big | number): Big;
  div(x: Big | number): Big;
  pow(n: number): Big;
  isZero(): boolean;
}

/** ln(1 + y) of a BigNumber, keeping every digit also for tiny y (series below 1e-5). */
function log1pBig(y: Big, precision: number): Big {
  if (y.isZero() || !y.abs().lt(1e-5)) return y.plus(1).ln();
  let sum = y;
  let power = y;
  for (let k = 2; k < precision; k++) {
    power = power.times(y);
    const term = power.div(k);
    sum = k % 2 === 0 ? sum.plus(term.neg()) : sum.plus(term);
  }
  return sum;
}

function functions(math: MathJsInstance, precision: number): Record<string, unknown> {
  const typed = math.typed;
  const sigma = typed('sigma', {
    number: (x: number) => 1 / (1 + Math.exp(-x)),
    BigNumber: (x: Big) => x.neg().exp().plus(1).pow(-1),
  });
  const softplus = typed('softplus', {
    number: (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    BigNumber: (x: Big) => (x.gt(0) ? x.plus(log1pBig(x.neg().exp(), precision)) : log1pBig(x.exp(), precision)),
  });
  const log1p = typed('log1p', {
    number: (x: number) => Math.log1p(x),
    BigNumber: (x: Big) => log1pBig(x, precision),
  });
  const ln = typed('ln', { 'number | BigNumber': (x: unknown) => math.log(x as number) });
  // step(x) = 1 for x > 0, else 0: ReLU's derivative with its left piece at 0
  const step = typed('step', {
    number: (x: number) => (x > 0 ? 1 : 0),
    BigNumber: (x: Big) => math.bignumber(x.gt(0) ? 1 : 0),
  });
  const sumOver = (key: string) => Object.assign(
    (args: MathNode[], _math: unknown, scope: { get(name: string): unknown }) => {
      const frame = scope.get(key) as SumFrame;
      const term = cached(args[0]!);
      let total: MathValue = 0;
      for (let i = 0; i < frame.units; i++) total = math.add(total as number, term.evaluate(frame.unitScope(i)) as number);
      return total;
    },
    { rawArgs: true },
  );
  return { sigma, softplus, log1p, ln, step, sum_i: sumOver(FRAME), sum_k: sumOver(ROW_FRAME) };
}

const compiled = new WeakMap<MathNode, EvalFunction>();

function cached(node: MathNode): EvalFunction {
  let fn = compiled.get(node);
  if (!fn) {
    fn = node.compile();
    compiled.set(node, fn);
  }
  return fn;
}

/**
 * The mathjs instance for `arithmetic` (`decimal`: BigNumber at `precision` significant digits,
 * `predictable` so that ln of a negative number is NaN, not complex; `float64`: plain numbers).
 * Instances are made once per arithmetic and precision.
 */
export function claimMath(arithmetic: Arithmetic, precision = 50): ClaimMath {
  const key = arithmetic === 'decimal' ? `decimal:${precision}` : 'float64';
  const known = instances.get(key);
  if (known) return known;
  const math = create(all!, arithmetic === 'decimal' ? { number: 'BigNumber', precision, predictable: true } : { number: 'number', predictable: true });
  math.import(functions(math, precision), { override: true });
  const instance: ClaimMath = {
    math,
    arithmetic,
    value: (x) => (arithmetic === 'decimal' ? math.bignumber(x) : Number(x)),
    // mathjs's BigNumber is a clone of the same decimal.js: its constructor copies a Decimal's digits
    fromDecimal: arithmetic === 'decimal' ? (d) => new (math as unknown as { BigNumber: new (d: unknown) => MathValue }).BigNumber(d) : (d) => d.toNumber(),
    compile: cached,
  };
  instances.set(key, instance);
  return instance;
}
