/**
 * Evaluating a claim on one case: per entry of its layer, the claim summed over the batch beside
 * the oracle's finite difference, and the correct digits relative to the entry's magnitude.
 */
import type { MathNode } from 'mathjs';
import type { Case } from '../network/types.js';
import type { Decimal } from '../oracle/decimal.js';
import { toDecimal } from '../oracle/exact.js';
import { oracle } from '../oracle/oracle.js';
import { ClaimError } from './errors.js';
import { localTruth } from './local.js';
import { digitsOf } from './values.js';
import { FRAME, LazyScope, ROW_FRAME, type MathValue, type SumFrame } from './math.js';
import { isLocal, type ResolvedClaim } from './resolve.js';
import { sampleScope, type OracleCase, type SampleScope } from './scope.js';
import { formatSymbols } from './symbols.js';
import type { ClaimQuantities, EntryRef, NextQuantities, RowQuantities } from './types.js';

/** One entry of one case: the claim beside the truth. */
export interface EntryCheck {
  readonly entry: EntryRef;
  /** The claim summed over the batch, or null when it is not a finite real number. */
  readonly claimed: Decimal | null;
  readonly truth: Decimal;
  readonly magnitude: Decimal;
  /** -log10(|claimed - truth| / magnitude); Infinity when equal, -Infinity for a non-finite claim. */
  readonly digits: number;
}

/** Every entry of one case, and the worst. */
export interface CaseCheck {
  readonly oc: OracleCase;
  readonly entries: readonly EntryCheck[];
  /** The entry with the fewest correct digits (null when the layer has no such entry, e.g. no bias). */
  readonly worst: EntryCheck | null;
  readonly holds: boolean;
}

interface BigLike {
  isBigNumber?: boolean;
  isFinite(): boolean;
  toString(): string;
}

/** A value of the claim's arithmetic as the Decimal it is exactly, or null (NaN, infinite, complex, ...). */
export function toDecimalValue(r: ResolvedClaim, v: MathValue): Decimal | null {
  if (typeof v === 'boolean') return v ? r.ctx.one : r.ctx.zero;
  if (typeof v === 'number') return Number.isFinite(v) ? toDecimal(r.ctx, v) : null;
  const big = v as BigLike | null;
  if (big !== null && typeof big === 'object' && typeof big.isFinite === 'function' && !Array.isArray(big)) {
    return big.isFinite() ? new r.ctx.D(big as unknown as Decimal) : null;
  }
  return null;
}


/** The quantities a function claim reads; reading a symbol its kind does not have throws a ClaimError. */
function quantities(r: ResolvedClaim, scope: SampleScope): ClaimQuantities {
  const guard = <T extends object>(target: T, where: string): T =>
    new Proxy(target, {
      get(object, name) {
        if (typeof name === 'string' && !(name in object)) {
          throw new ClaimError('E_CLAIM_SYMBOL', `claim: the function reads ${name}, which ${where} does not have\n${formatSymbols(r.set)}`);
        }
        return (object as Record<string | symbol, unknown>)[name];
      },
    });
  const sumI = (term: (next: NextQuantities) => Decimal | number): Decimal => {
    let total = r.ctx.zero;
    for (const unit of scope.units) {
      const value = toDecimalValue(r, term(guard({ ...unit }, 'a unit i of the layer above') as unknown as NextQuantities));
      total = total.plus(value ?? new r.ctx.D(NaN));
    }
    return total;
  };
  const base: Record<string, unknown> = { ...scope.values };
  if (r.kind === 'hidden' && r.target !== 'loss') base.sum_i = sumI;
  const row = scope.row;
  if (row) {
    base.sum_k = (term: (unit: RowQuantities) => Decimal | number): Decimal => {
      let total = r.ctx.zero;
      for (const unit of row) total = total.plus(toDecimalValue(r, term(guard({ ...unit }, 'a unit k of the softmax row') as unknown as RowQuantities)) ?? new r.ctx.D(NaN));
      return total;
    };
  }
  return guard(base, `a ${r.description.kind}-layer claim about ${r.description.entryName}`) as unknown as ClaimQuantities;
}

/**
 * The claim's value for one sample in its arithmetic (or of a sub-formula `node` of it), as a
 * mathjs value (BigNumber or number); a function claim gives a Decimal or number.
 */
export function sampleValue(r: ResolvedClaim, scope: SampleScope, node?: MathNode): MathValue {
  if (typeof r.formula === 'function' && node === undefined) return r.formula(quantities(r, scope));
  const convert = r.math.fromDecimal;
  const frame: SumFrame = { units: scope.units.length, unitScope: (i) => new LazyScope(scope.units[i]!, convert, outer) };
  const row = scope.row;
  const rowFrame: SumFrame | null = row ? { units: row.length, unitScope: (k) => new LazyScope(row[k]!, convert, outer) } : null;
  const outer: LazyScope = new LazyScope(scope.values, convert, null, rowFrame ? { [FRAME]: frame, [ROW_FRAME]: rowFrame } : { [FRAME]: frame });
  const tree = node ?? (r.formula as { node: MathNode }).node;
  return r.math.compile(tree).evaluate(outer);
}

/** The samples (and, for the loss, units) an entry's claim is summed over. */
function terms(r: ResolvedClaim, oc: OracleCase, entry: EntryRef): SampleScope[] {
  if (entry.sample !== undefined) return [sampleScope(r, oc, entry, entry.sample)];
  const scopes: SampleScope[] = [];
  const units = entry.target === 'loss' ? oc.network.layers[entry.layer]!.nOut : 1;
  for (let s = 0; s < oc.batch.size; s++) {
    for (let u = 0; u < units; u++) scopes.push(sampleScope(r, oc, entry.target === 'loss' ? { ...entry, unit: u } : entry, s));
  }
  return scopes;
}

/** The claim for `entry` summed over the batch, in the claim's arithmetic (float64 sums in float64). */
export function claimedValue(r: ResolvedClaim, oc: OracleCase, entry: EntryRef): Decimal | null {
  const values = terms(r, oc, entry).map((scope) => sampleValue(r, scope));
  if (r.arithmetic === 'float64') {
    let total = 0;
    for (const v of values) total += typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : NaN;
    return toDecimalValue(r, total);
  }
  let total = r.ctx.zero;
  for (const v of values) {
    const d = toDecimalValue(r, v);
    if (d === null) return null;
    total = total.plus(d);
  }
  return total;
}

/** Every entry of the claim's layer in a network of this depth. */
export function entriesOf(r: ResolvedClaim, oc: OracleCase): EntryRef[] {
  const layer = r.layerIndex(oc.network.layers.length);
  const { nIn, nOut, b } = oc.network.layers[layer]!;
  const target = r.target;
  if (target === 'loss') return [{ target, layer, input: 0, unit: 0 }];
  if (target === 'b') return b ? Array.from({ length: nOut }, (_, unit) => ({ target, layer, input: 0, unit })) : [];
  const inputs = target === 'W' || target === 'dS/dW' ? nIn : 1;
  const samples: (number | undefined)[] = isLocal(target) ? Array.from({ length: oc.batch.size }, (_, s) => s) : [undefined];
  const out: EntryRef[] = [];
  for (const sample of samples) {
    for (let input = 0; input < inputs; input++) {
      for (let unit = 0; unit < nOut; unit++) out.push(sample === undefined ? { target, layer, input, unit } : { target, layer, input, unit, sample });
    }
  }
  return out;
}

/** The truth for an entry (finite difference; the oracle's loss for E) and its magnitude. */
export function truthOf(r: ResolvedClaim, oc: OracleCase, entry: EntryRef): { truth: Decimal; magnitude: Decimal } {
  const { fd, backward, forward } = oc.oracle;
  if (entry.sample !== undefined) return localTruth(r, oc, entry);
  if (entry.target === 'loss') return { truth: forward.loss, magnitude: forward.loss };
  const nOut = oc.network.layers[entry.layer]!.nOut;
  const k = entry.target === 'W' ? entry.input * nOut + entry.unit : entry.unit;
  const pick = (g: { W: Decimal[]; b: Decimal[] | null } | undefined): Decimal => (entry.target === 'W' ? g!.W[k]! : g!.b![k]!);
  return { truth: pick(fd!.layers[entry.layer]), magnitude: pick(backward.magnitudes[entry.layer]) };
}

/** Checks one entry. */
export function checkEntry(r: ResolvedClaim, oc: OracleCase, entry: EntryRef): EntryCheck {
  const claimed = claimedValue(r, oc, entry);
  const { truth, magnitude } = truthOf(r, oc, entry);
  const digits = claimed === null ? Number.NEGATIVE_INFINITY : digitsOf(claimed, truth, magnitude);
  return { entry, claimed, truth, magnitude, digits };
}

/** Runs the oracle (with finite differences) on a case. */
export function oracleCase(r: ResolvedClaim, c: Case): OracleCase {
  return { network: c.network, batch: c.batch, oracle: oracle(c.network, c.batch, { precision: r.ctx }) };
}

/** Checks every entry of the claim's layer on one case; it holds when each keeps `r.minDigits`. */
export function checkCase(r: ResolvedClaim, c: Case): CaseCheck {
  return checkOracleCase(r, oracleCase(r, c));
}

/** {@link checkCase} on a case the oracle has already run (several claims can share it). */
export function checkOracleCase(r: ResolvedClaim, oc: OracleCase): CaseCheck {
  const entries = entriesOf(r, oc).map((entry) => checkEntry(r, oc, entry));
  let worst: EntryCheck | null = null;
  for (const e of entries) if (worst === null || e.digits < worst.digits) worst = e;
  return { oc, entries, worst, holds: worst === null || worst.digits >= r.minDigits };
}
