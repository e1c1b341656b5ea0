/**
 * The worked example of a false claim: the shrunk case, the entry that fails worst, every
 * quantity of every sample, the claimed and the true value, and which factor differs.
 */
import { batchToJson, networkToJson } from '../network/json.js';
import type { Decimal } from '../oracle/decimal.js';
import { analyzeFactors } from './factors.js';
import { claimedValue, sampleValue, toDecimalValue, type CaseCheck, type EntryCheck } from './evaluate.js';
import type { ResolvedClaim } from './resolve.js';
import { sampleScope, type OracleCase } from './scope.js';
import type { ClaimCounterexample, EntryRef, SampleDetail } from './types.js';
import { digitsOf, formatValue } from './values.js';

/** `layer 2 (output), dE/dW[j=0][i=1]`; hidden entries are dE/dV[k][j]. */
export function entryWhere(r: ResolvedClaim, entry: EntryRef): string {
  const layer = `layer ${entry.layer + 1} (${r.kind})`;
  if (entry.target === 'loss') return `${layer}, the loss E`;
  const [input, unit] = r.kind === 'output' ? ['j', 'i'] : ['k', 'j'];
  const [Z, W] = r.kind === 'output' ? ['Z', 'W'] : ['Y', 'V'];
  const of = entry.sample === undefined ? '' : ` of sample ${entry.sample}`;
  const names: Record<string, string> = { b: 'dE/db', 'dE/dZ': `dE/d${Z}`, 'dZ/dS': `d${Z}/dS`, 'dE/dS': 'dE/dS' };
  const name = names[entry.target];
  if (name !== undefined) return `${layer}, ${name}[${unit}=${entry.unit}]${of}`;
  const weight = entry.target === 'W' ? `dE/d${W}` : `dS/d${W}`;
  return `${layer}, ${weight}[${input}=${entry.input}][${unit}=${entry.unit}]${of}`;
}

/** The quantities worth showing, in the symbol table's order, first names only (B, n_L, s left out). */
function shownQuantities(values: Record<string, Decimal>, names: readonly (readonly string[])[]): [string, string][] {
  const out: [string, string][] = [];
  for (const aliases of names) {
    const name = aliases[0]!;
    const value = values[name];
    if (value !== undefined && !['B', 'n_L', 's'].includes(name)) out.push([name, formatValue(value)]);
  }
  return out;
}

function shownValue(r: ResolvedClaim, v: unknown): string {
  const d = toDecimalValue(r, v);
  return d === null ? `${String(v)} (not a finite number)` : formatValue(d, 20);
}

/** The per-sample details of an entry (for the loss: per sample and output unit). */
export function sampleDetails(r: ResolvedClaim, oc: OracleCase, entry: EntryRef): SampleDetail[] {
  const details: SampleDetail[] = [];
  const units = entry.target === 'loss' ? oc.network.layers[entry.layer]!.nOut : 1;
  const outer = r.set.outer.map((info) => info.names);
  const inner = r.set.inner.map((info) => info.names);
  const samples = entry.sample === undefined ? Array.from({ length: oc.batch.size }, (_, s) => s) : [entry.sample];
  for (const s of samples) {
    for (let u = 0; u < units; u++) {
      const scope = sampleScope(r, oc, entry.target === 'loss' ? { ...entry, unit: u } : entry, s);
      const quantities = shownQuantities(scope.values, outer);
      if (entry.target === 'loss') quantities.unshift(['i', String(u)]);
      details.push({
        sample: s,
        quantities,
        next: scope.units.map((unit, i) => ({ i, quantities: shownQuantities(unit, inner) })),
        claimed: shownValue(r, sampleValue(r, scope)),
      });
    }
  }
  return details;
}

/**
 * The counterexample of a claim on a failing case. `decimalTwin` is the same claim in decimal
 * arithmetic (the claim itself when it is decimal): it does the factor analysis, and for a
 * float64 claim tells what the formula gives in exact arithmetic.
 */
export function buildCounterexample(r: ResolvedClaim, decimalTwin: ResolvedClaim, check: CaseCheck, shrinkSteps: number, path: string | null): ClaimCounterexample {
  const worst = check.worst as EntryCheck;
  const { oc } = check;
  const twinValue = r === decimalTwin ? null : claimedValue(decimalTwin, oc, worst.entry);
  return {
    network: networkToJson(oc.network),
    batch: batchToJson(oc.batch),
    entry: worst.entry,
    where: entryWhere(r, worst.entry),
    claimed: worst.claimed === null ? 'not a finite number' : formatValue(worst.claimed, 20),
    truth: formatValue(worst.truth, 20),
    magnitude: formatValue(worst.magnitude, 6),
    digits: worst.digits,
    samples: sampleDetails(r, oc, worst.entry),
    factors: analyzeFactors(decimalTwin, { oc, entry: worst.entry, sample: worst.entry.sample ?? 0 }),
    decimalValue: r === decimalTwin ? null : twinValue === null ? 'not a finite number' : formatValue(twinValue, 20),
    decimalHolds: r === decimalTwin ? null : twinValue !== null && digitsOf(twinValue, worst.truth, worst.magnitude) >= decimalTwin.minDigits,
    shrinkSteps,
    path,
  };
}
