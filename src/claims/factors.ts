/**
 * Which factor of the chain rule a false claim gets wrong.
 *
 * The claim's formula is split into its multiplicative factors (through `*`, `/`, unary minus
 * and parentheses). On the probe networks (`probes.ts`, generic numbers) every product of a
 * subset of those factors is compared with every contiguous run of the derivation's chain
 * (`chain.ts`: dE/dZ, dZ/dS, dS/dW and their partial products, e.g. dE/dS = Z - t). The best
 * cover (most of the chain covered, fewest sign flips, fewest factors left over) tells which
 * factors are right, which are missing, which are extra or stand where another should, and a few
 * rewrites (S -> Z, W_ij -> W_ji, round(t) -> t, ...) name the classic mistake behind a substitution.
 */
import type { Decimal } from '../oracle/decimal.js';
import { chainSegments, type ChainSegment } from './chain.js';
import { oracleCase } from './evaluate.js';
import { flattenFactors, product, productText, sampleOf, same, segmentValue, type Factor, type Sample } from './factorValues.js';
import { probeCases } from './probes.js';
import { isLocal, type ResolvedClaim } from './resolve.js';
import { familyExtraFinding, familyFindings, kinkFinding } from './familyFindings.js';
import { rewriteFindings } from './rewrites.js';
import type { OracleCase } from './scope.js';
import type { EntryRef, FactorAnalysis, FactorMatch } from './types.js';
import { formatValue } from './values.js';

export { flattenFactors, productText, type Factor } from './factorValues.js';

/** The most factors analysed (2^n subsets are tried). */
export const MAX_FACTORS = 10;

interface Choice {
  readonly seg: ChainSegment;
  readonly mask: number;
  readonly negated: boolean;
}

interface Cover {
  readonly choices: Choice[];
  readonly used: number;
  readonly covered: number;
  readonly negations: number;
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n += 1;
  return n;
}

/**
 * Better: more chain pieces covered less factors left over (an explanation that accounts for
 * more with less), then more covered, then fewer sign flips.
 */
function better(a: Cover, b: Cover | null, factors: number): boolean {
  if (b === null) return true;
  const score = (c: Cover): number => c.covered - (factors - popcount(c.used));
  if (score(a) !== score(b)) return score(a) > score(b);
  if (a.covered !== b.covered) return a.covered > b.covered;
  return a.negations < b.negations;
}

/** The best assignment of disjoint factor subsets to disjoint contiguous runs of the chain. */
function bestCover(segments: readonly ChainSegment[], chainLength: number, factors: number, matches: Map<ChainSegment, { mask: number; negated: boolean }[]>): Cover {
  let best: Cover | null = null;
  const search = (p: number, used: number, choices: Choice[], covered: number, negations: number): void => {
    if (p === chainLength) {
      const cover = { choices, used, covered, negations };
      if (better(cover, best, factors)) best = cover;
      return;
    }
    search(p + 1, used, choices, covered, negations);
    for (const seg of segments) {
      if (seg.start !== p) continue;
      for (const m of matches.get(seg) ?? []) {
        if (m.mask & used) continue;
        search(seg.end + 1, used | m.mask, [...choices, { seg, mask: m.mask, negated: m.negated }], covered + seg.end - seg.start + 1, negations + (m.negated ? 1 : 0));
      }
    }
  };
  search(0, 0, [], 0, 0);
  return best!;
}

/** The example: the counterexample's entry and sample whose values the analysis shows. */
export interface FactorExample {
  readonly oc: OracleCase;
  readonly entry: EntryRef;
  readonly sample: number;
}

/**
 * Compares the factors of `r`'s formula with the chain rule's (see the module comment). `r` must
 * be in decimal arithmetic. Returns null for a function claim, a claim about the loss, or a
 * formula of more than {@link MAX_FACTORS} factors.
 */
export function analyzeFactors(r: ResolvedClaim, example: FactorExample): FactorAnalysis | null {
  if (typeof r.formula === 'function' || r.target === 'loss') return null;
  const factors = flattenFactors(r.formula.node);
  if (factors.length > MAX_FACTORS) return null;
  const probes: Sample[] = [];
  for (const c of probeCases(Math.max(...r.depths), r.reduction, 2, r.family, r.layerIndex)) {
    const oc = oracleCase(r, c);
    for (let s = 0; s < c.batch.size; s++) {
      const entry: EntryRef = { target: r.target, layer: r.layerIndex(c.network.layers.length), input: 1, unit: 1, ...(isLocal(r.target) ? { sample: s } : {}) };
      probes.push(sampleOf(r, oc, entry, s, factors));
    }
  }
  const chainLength = probes[0]!.pieces.length;
  const segments = chainSegments(probes[0]!.pieces);
  const matches = new Map<ChainSegment, { mask: number; negated: boolean }[]>();
  for (const seg of segments) {
    const list: { mask: number; negated: boolean }[] = [];
    for (let mask = 1; mask < 1 << factors.length; mask++) {
      for (const sign of [1, -1] as const) {
        if (probes.every((p) => same(product(r, p.factors, mask), segmentValue(r, p.pieces, seg), sign))) list.push({ mask, negated: sign === -1 });
      }
    }
    matches.set(seg, list);
  }
  const cover = r.family.version1 ? bestCover(segments, chainLength, factors.length, matches) : signsToExtras(bestCover(segments, chainLength, factors.length, matches), factors);
  const shown = sampleOf(r, example.oc, example.entry, example.sample, factors);
  const show = (d: Decimal | null): string => (d === null ? 'not a finite number' : formatValue(d));
  const pick = (mask: number): Factor[] => factors.filter((_, k) => mask & (1 << k));

  const result: FactorMatch[] = [];
  const missing: ChainSegment[] = [];
  let p = 0;
  const addMissing = (start: number, end: number): void => {
    if (start > end) return;
    const seg = segments.find((s) => s.start === start && s.end === end)!;
    missing.push(seg);
    result.push({ piece: seg.name, formula: seg.formula, claimed: null, negated: false, value: show(segmentValue(r, shown.pieces, seg)) });
  };
  for (const choice of cover.choices) {
    addMissing(p, choice.seg.start - 1);
    result.push({ piece: choice.seg.name, formula: choice.seg.formula, claimed: productText(pick(choice.mask)), negated: choice.negated, value: show(segmentValue(r, shown.pieces, choice.seg)) });
    p = choice.seg.end + 1;
  }
  addMissing(p, chainLength - 1);

  const extraMask = ((1 << factors.length) - 1) & ~cover.used;
  const extras = pick(extraMask);
  const extraText = productText(extras);
  const extraValue = show(product(r, shown.factors, extraMask));
  const findings: string[] = [];
  for (const choice of cover.choices.filter((c) => c.negated)) {
    findings.push(`the sign is flipped: ${productText(pick(choice.mask))} is minus ${choice.seg.name} = ${choice.seg.formula}`);
  }
  if (missing.length === 1 && extras.length > 0) {
    const seg = missing[0]!;
    findings.push(`${extraText} (= ${extraValue}) stands where ${seg.name} = ${seg.formula} (= ${show(segmentValue(r, shown.pieces, seg))}) should be`);
    findings.push(...rewriteFindings(r, extras, probes, seg));
    findings.push(...familyFindings(r, probes, extraMask, seg));
  } else {
    for (const seg of missing) findings.push(`the claim lacks ${seg.name} = ${seg.formula} (= ${show(segmentValue(r, shown.pieces, seg))})`);
    if (extras.length > 0) findings.push(extraFinding(r, cover, extras, extraMask, extraValue, probes, segments));
  }
  const kink = findings.length === 0 && !r.family.version1 ? kinkFinding(r, shown) : null;
  if (kink !== null) findings.push(kink);
  if (findings.length === 0) findings.push('every factor of the chain rule is there, and nothing else (on the probe networks): the difference is in the arithmetic or the sample');
  return { matches: result, extra: extras.map((f, k) => ({ text: f.inverse ? `1 / ${f.text}` : f.text, value: show(shown.factors[factors.indexOf(extras[k]!)] ?? null) })), findings };
}

/**
 * Version 2: a negated match that holds a unary minus's -1 gives the -1 back to the left-over
 * factors (the run matches without it), so that a wrong form with its sign (-t (1 - Z)) is named.
 */
function signsToExtras(cover: Cover, factors: readonly Factor[]): Cover {
  let used = cover.used;
  let negations = cover.negations;
  const choices = cover.choices.map((c) => {
    const k = factors.findIndex((f, index) => f.node === null && (c.mask & (1 << index)) !== 0);
    if (!c.negated || k < 0 || popcount(c.mask) < 2) return c;
    used &= ~(1 << k);
    negations -= 1;
    return { ...c, mask: c.mask & ~(1 << k), negated: false };
  });
  return { choices, used, covered: cover.covered, negations };
}

function extraFinding(r: ResolvedClaim, cover: Cover, extras: readonly Factor[], extraMask: number, extraValue: string, probes: readonly Sample[], segments: readonly ChainSegment[]): string {
  const text = productText(extras);
  const twice = segments.find((seg) => cover.choices.some((c) => c.seg.start <= seg.start && seg.end <= c.seg.end) && probes.every((p) => same(product(r, p.factors, extraMask), segmentValue(r, p.pieces, seg), 1)));
  const named = familyExtraFinding(r, probes, extraMask, text, extraValue);
  if (named !== null) return named;
  if (!twice) return `an extra factor ${text} (= ${extraValue}) that no factor of the chain rule accounts for`;
  const squaredError = r.kind === 'output' && r.family.loss === 'bce' && probes[0]!.pieces[twice.start]!.id === 'dZdS' && twice.start === twice.end;
  const why = squaredError ? ': for cross-entropy dE/dS is already Z - t, and (Z - t) Z (1 - Z) is the delta of the squared error' : '';
  return `an extra factor ${text} (= ${extraValue}), which is ${twice.name} = ${twice.formula} again: the claim already has it${why}`;
}
