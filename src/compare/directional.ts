import type { Batch, Gradients, KinkSide, Network } from '../network/types.js';
import { CaseOracle, type DifferenceKind, type DifferenceValue, type OracleContext } from '../oracle/api.js';
import { forward } from '../reference/forward.js';
import { loss } from '../reference/loss.js';
import { formatLocation, type EntryLocation, type Precision } from '../types.js';
import { errorBound, STABLE_SLACK } from './bound.js';
import { requireFiniteBounds } from './judge.js';
import { arithmeticOf } from './textbook.js';

/**
 * Directional mode: a check whose cost is a handful of decimal forward passes whatever the size.
 *
 * For a random direction v with independent signs v_k = +-1 (Rademacher; PyTorch's fast gradcheck
 * uses non-negative ones, which let errors of opposite sign cancel), the implementation's g . v is
 * compared with the directional finite difference D_v = (E(theta + h v) - E(theta - h v)) / 2h,
 * where the change of E is carried forward exactly as in `CoreOracle.lossChange`: moving every
 * parameter by h v moves S of layer 0 by h (sum_j X_j v_ji + v_bi) (exact, in BigInt), and each
 * layer above by W (Z' - Z) + h v (Z' ) + h v_b, where Z' - Z comes from the exact sigmoid identity.
 *
 * Tolerance. Entry k of a correct implementation errs by at most a_k = STABLE_SLACK * (its stable
 * bound), so |g . v - D_v| <= sum a_k + (finite-difference error): the worst case, never exceeded
 * (no false alarm, ever). The errors e_k do not depend on v, so by Hoeffding's inequality
 * P(|sum v_k e_k| > t) <= 2 exp(-t^2 / (2 sum a_k^2)); the tolerance used is
 *   T = min( sum a_k , sqrt(2 ln(2/alpha)) sqrt(sum a_k^2) ) + FD error,
 * so a correct implementation is flagged in one direction with probability at most alpha
 * (default 1e-12; over 4 directions and 20 localisation passes, below 1e-10).
 *
 * Power. Let one entry k* be wrong by e. The residual is v_k* e + R with R the others' errors:
 * it escapes iff |v_k* e + R| <= T, which needs |R| >= |e| - T. R is a Rademacher sum of the
 * a_k-bounded errors, so P(miss in one direction) <= 2 exp(-(|e| - T)^2 / (2 sum a_k^2)), and
 * for |e| >= 2T that is <= alpha (and 0 when T is the worst-case sum: then |R| <= T always).
 * With K directions the miss probability is at most alpha^K. For several wrong entries with
 * some |e_k| > 2T, flipping v_k moves the residual by 2|e_k| > 2T, so at most one of the two
 * signs can hide it: P(miss) <= 1/2 per direction, 2^-K over K directions.
 *
 * Localisation by group testing. A flagged direction's residual r splits over any partition of
 * the coordinates: r = r_A + r_B (g . v and D_v are linear in v). The coordinates are halved,
 * r_A costs one more directional difference and r_B = r - r_A none; halves whose residual
 * exceeds their own tolerance are halved again, down to single entries: about log2(P) passes
 * for one wrong entry (17 for 101,770 parameters), each localised entry then checked against its
 * own finite difference (its pre-activation's central differences times Y_j).
 *
 * Kinks (protocol version 2's rectifiers). Where moving along v would push a rectifier at its kink
 * (S = 0 exactly) off the piece whose slope backprop takes, the oracle's D_v is one-sided on the
 * side that keeps every rectifier on its piece (`DifferenceValue.kind` 'left' / 'right'), and is
 * judged like a central one. Where no side does (two kink units pushed opposite ways) it is
 * 'not-comparable'. Such a direction is split by halving into parts whose differences are
 * comparable (each moves fewer units on their kinks; g . v and D_v are linear in v, so the parts'
 * residuals add up to the residual over their union, judged by the union's tolerance), a single coordinate that is not comparable left
 * out, counted and checked against the analytic oracle instead (`leftOut`: the same entries the
 * certification cannot check by differences);
 * where that takes more than SPLIT_BUDGET differences it is neither flagged nor passed, recorded,
 * and another direction is drawn in its place (at most 4 K drawn in all); a check whose every
 * direction was not comparable is 'inconclusive'. In localisation a half whose difference is not comparable is
 * had from its complement (r_A = r - r_B); both not comparable, that set is not split further
 * (counted in `unsplit`). A localised entry whose own finite difference is not comparable is
 * measured against the oracle's analytic value instead (said in `against`).
 */

/** Options of the directional check. */
export interface DirectionalOptions {
  /** Random directions (default 4). */
  readonly directions?: number;
  /** Seed of the directions (default 42): the same seed gives the same directions. */
  readonly seed?: number;
  /** False-alarm probability per direction of the Hoeffding tolerance (default 1e-12). */
  readonly alpha?: number;
  /** The implementation's arithmetic (default float64). */
  readonly precision?: Precision;
  /** Localise the wrong entries by halving (default true). */
  readonly localise?: boolean;
  /** Stop localising after this many entries (default 16). */
  readonly maxLocalised?: number;
  /**
   * The side whose derivative the implementation takes at a rectifier's exact kink S = 0 (its
   * declared `Description.kink`; default the given oracle's, else 'left'): the oracle's derivative
   * and its one-sided differences there, and the bound's slopes, take it.
   */
  readonly kink?: KinkSide;
  /** The oracle of this network and batch, if already made (reused across checks of one case; its kink side must be `kink`). */
  readonly oracle?: CaseOracle;
}

/** One direction's comparison. */
export interface DirectionCheck {
  /** The implementation's g . v. */
  readonly dot: number;
  /** The directional finite difference, as a double. */
  readonly difference: number;
  /** |g . v - D_v|. */
  readonly residual: number;
  readonly tolerance: number;
  /** Never for a direction whose difference is not comparable (it is judged neither way). */
  readonly flagged: boolean;
  /** How D_v was taken: 'central', one-sided 'left' / 'right' at a kink (the first such part's), or 'not-comparable' (not judged). */
  readonly kind: DifferenceKind;
  /** The comparable parts it was judged in: 1, more where the whole was not comparable (residual and tolerance then over their union), 0 not judged. */
  readonly parts: number;
  /** Coordinates left out of it (not comparable one by one). */
  readonly leftOut: number;
}

/** A localised wrong entry. */
export interface LocalisedEntry {
  readonly where: EntryLocation;
  readonly text: string;
  readonly value: number;
  /** Its finite difference (sum_b Y_j dE/dS_i by central or one-sided differences), 20 digits; the analytic value where `against` says so. */
  readonly finiteDifference: string;
  /** What the value was measured against: its finite difference, or the oracle's analytic value where that difference is not comparable at an exact kink. */
  readonly against: 'finite difference' | 'analytic';
  /** |value - finite difference| and the entry's allowance. */
  readonly error: number;
  readonly allowed: number;
}

/** What the directional check found. */
export interface DirectionalResult {
  /** 'inconclusive': no direction drawn could be compared (each one's difference not comparable at exact kinks). */
  readonly verdict: 'correct' | 'wrong' | 'inconclusive';
  readonly parameters: number;
  readonly directions: DirectionCheck[];
  readonly localised: LocalisedEntry[];
  /** Directional finite differences computed (each: two carried forward passes, more where one-sided). */
  readonly passes: number;
  /** Directions drawn whose difference was not comparable (recorded in `directions`, not counted among the K asked). */
  readonly notComparable: number;
  /** Directions whose difference was one-sided at a kink (judged as usual). */
  readonly oneSided: number;
  /** Directions not comparable as a whole, judged in comparable parts (their residuals summed, against their union's tolerance). */
  readonly split: number;
  /** Coordinates those directions left out: each one's own difference not comparable at exact kinks; each is checked against the analytic oracle instead. */
  readonly leftOut: number;
  /** Of those, how many lie beyond their allowance of the analytic oracle (wrong; among `localised`, against 'analytic'). */
  readonly leftOutWrong: number;
  /** Coordinate sets localisation could not split (both halves' differences not comparable). */
  readonly unsplit: number;
  readonly durationMs: number;
}

/** The sign of coordinate k in direction d of seed: a 32-bit hash, +1 or -1. */
export function directionSign(seed: number, d: number, k: number): number {
  let x = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(d + 1, 0xc2b2ae35) ^ Math.imul(k + 0x27d4eb2f, 0x165667b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  x = Math.imul(x, 0x297a2d39);
  x ^= x >>> 15;
  return x & 1 ? 1 : -1;
}

/** The answer flattened in parameter order, and each entry's allowance a_k (STABLE_SLACK times its stable bound). */
function flatAnswer(oracle: CaseOracle, answer: Gradients, precision: Precision): { g: Float64Array; allow: Float64Array } {
  const { network, batch, layout, kink } = oracle;
  const g = new Float64Array(layout.count);
  const allow = new Float64Array(layout.count);
  const pass = forward(network, batch);
  const bound = errorBound(network, batch, pass, loss(network, batch, pass), { ...arithmeticOf(precision), kink });
  network.layers.forEach((layer, l) => {
    g.set(answer.layers[l]!.W, layout.W[l]!);
    allow.set(bound.layers[l]!.W.map((x) => STABLE_SLACK * x), layout.W[l]!);
    if (layer.b) {
      g.set(answer.layers[l]!.b!, layout.b[l]!);
      allow.set(bound.layers[l]!.b!.map((x) => STABLE_SLACK * x), layout.b[l]!);
    }
  });
  // a bound that cannot be computed (an intermediate overflows) stops the run, naming the entry
  requireFiniteBounds(allow, (k) => layout.locate(k), network, pass);
  return { g, allow };
}

/** sqrt(sum a_k^2) over the ranges without underflow: each a_k scaled by the largest (as dnrm2 does). */
function scaledNorm(a: Float64Array, ranges: readonly { lo: number; hi: number }[]): number {
  let scale = 0;
  for (const { lo, hi } of ranges) for (let k = lo; k < hi; k++) scale = Math.max(scale, a[k]!);
  if (scale === 0) return 0;
  let ssq = 0;
  for (const { lo, hi } of ranges) for (let k = lo; k < hi; k++) ssq += (a[k]! / scale) ** 2;
  return scale * Math.sqrt(ssq);
}

/** A coordinate set [lo, hi) of a direction and its difference. */
interface Part {
  readonly lo: number;
  readonly hi: number;
  readonly D: DifferenceValue;
}

/** Further differences a not-comparable direction may spend on being split into comparable parts. */
const SPLIT_BUDGET = 64;

/** The judgement of directions over one answer: g . v and the tolerance of any coordinate set, and the residual against the oracle. */
class Directions {
  passes = 0;
  unsplit = 0;
  private readonly z: number;

  constructor(
    private readonly oracle: CaseOracle,
    private readonly seed: number,
    alpha: number,
    readonly g: Float64Array,
    readonly allow: Float64Array,
  ) {
    this.z = Math.sqrt(2 * Math.log(2 / alpha));
  }

  /** D_v for v = sign(d, k) on coordinates [lo, hi), 0 elsewhere. */
  difference(d: number, lo: number, hi: number): DifferenceValue {
    this.passes += 1;
    return this.oracle.directionalDifference((k) => directionSign(this.seed, d, k), lo, hi);
  }

  /** g . v on [lo, hi) in double-double, and the tolerance of that set. */
  dotAndTolerance(d: number, lo: number, hi: number): { dot: number; tolerance: number } {
    return this.dotAndToleranceOver(d, [{ lo, hi }]);
  }

  /** g . v on the union of the ranges in double-double, and the tolerance of that set. */
  dotAndToleranceOver(d: number, ranges: readonly { lo: number; hi: number }[]): { dot: number; tolerance: number } {
    const { g, allow } = this;
    let sh2 = 0;
    let sl = 0;
    let absSum = 0;
    let worst = 0;
    let squares = 0;
    for (const { lo, hi } of ranges) {
      for (let k = lo; k < hi; k++) {
        const t = directionSign(this.seed, d, k) * g[k]!;
        const s = sh2 + t;
        const bb = s - sh2;
        sl += sh2 - (s - bb) + (t - bb);
        sh2 = s;
        absSum += Math.abs(t);
        worst += allow[k]!;
        squares += allow[k]! * allow[k]!;
      }
    }
    const fdError = 1e-30 * absSum + 2 ** -100 * absSum;
    // the Hoeffding width sqrt(sum a_k^2), scaled where the squares underflow (allowances below 2^-450: tiny, subnormal gradients)
    const width = squares >= 2 ** -900 || worst === 0 ? Math.sqrt(squares) : scaledNorm(allow, ranges);
    // dot rounded once from double-double: half an ulp, relative 2^-104 of absSum, or 2^-1074 among subnormals
    return { dot: sh2 + sl, tolerance: Math.min(worst, this.z * width) + fdError + 2 ** -104 * absSum + (absSum > 0 ? Number.MIN_VALUE : 0) };
  }

  /** g . v - D_v on [lo, hi), rounded once. */
  residual(d: number, lo: number, hi: number, D: DifferenceValue): number {
    return -D.minus(this.dotAndTolerance(d, lo, hi).dot);
  }

  /**
   * The parts of direction d over [lo, hi) whose differences are comparable: a set whose difference
   * is not comparable at exact kinks is halved until each part is (each part moves fewer units on
   * their kinks), a single coordinate that is not comparable left out; null when that takes more
   * than `budget` further differences (the direction is then not comparable).
   */
  comparableParts(d: number, lo: number, hi: number, D: DifferenceValue, budget: number): { parts: Part[]; leftOut: number[] } | null {
    const parts: Part[] = [];
    const leftOut: number[] = [];
    let spent = 0;
    const stack: Part[] = [{ lo, hi, D }];
    while (stack.length > 0) {
      const part = stack.pop()!;
      if (part.D.comparable) {
        parts.push(part);
        continue;
      }
      if (part.hi - part.lo === 1) {
        leftOut.push(part.lo);
        continue;
      }
      if ((spent += 2) > budget) return null;
      const mid = part.lo + Math.floor((part.hi - part.lo) / 2);
      stack.push({ lo: mid, hi: part.hi, D: this.difference(d, mid, part.hi) }, { lo: part.lo, hi: mid, D: this.difference(d, part.lo, mid) });
    }
    return { parts: parts.sort((a, b) => a.lo - b.lo), leftOut };
  }

  /** Group testing in direction d: halve the coordinate set, keeping the halves whose residual exceeds their tolerance. */
  localise(d: number, r: number, maxLocalised: number, into: Set<number>, from = 0, to = this.g.length): void {
    const stack: { lo: number; hi: number; r: number }[] = [{ lo: from, hi: to, r }];
    while (stack.length > 0 && into.size < maxLocalised) {
      const { lo, hi, r: rAll } = stack.pop()!;
      if (hi - lo === 1) {
        into.add(lo);
        continue;
      }
      const mid = lo + Math.floor((hi - lo) / 2);
      // a half not comparable at a kink is had from the other half; neither comparable, the set stays whole
      let rA: number;
      const DA = this.difference(d, lo, mid);
      if (DA.comparable) rA = this.residual(d, lo, mid, DA);
      else {
        const DB = this.difference(d, mid, hi);
        if (!DB.comparable) {
          this.unsplit += 1;
          continue;
        }
        rA = rAll - this.residual(d, mid, hi, DB);
      }
      const rB = rAll - rA;
      if (!(Math.abs(rB) <= this.dotAndTolerance(d, mid, hi).tolerance)) stack.push({ lo: mid, hi, r: rB });
      if (!(Math.abs(rA) <= this.dotAndTolerance(d, lo, mid).tolerance)) stack.push({ lo, hi: mid, r: rA });
    }
  }
}

/**
 * The directional check of one answer (see the module comment). `answer` holds the
 * implementation's gradients; the oracle is computed here at ctx's precision unless given.
 */
export function directionalCheck(ctx: OracleContext, network: Network, batch: Batch, answer: Gradients, options: DirectionalOptions = {}): DirectionalResult {
  const started = performance.now();
  const { directions = 4, seed = 42, alpha = 1e-12, precision = 'float64', localise = true, maxLocalised = 16 } = options;
  const kink = options.kink ?? options.oracle?.kink ?? 'left';
  const oracle = options.oracle ?? CaseOracle.of(ctx, network, batch, kink);
  if (oracle.kink !== kink) throw new Error(`directionalCheck: the oracle given takes the ${oracle.kink} side at a kink, the implementation declares ${kink}`);
  const P = oracle.parameterCount;
  const { g, allow } = flatAnswer(oracle, answer, precision);
  const dirs = new Directions(oracle, seed, alpha, g, allow);
  const checks: DirectionCheck[] = [];
  const localisedAt = new Set<number>();
  let localisedOnce = false;
  let judged = 0;
  let notComparable = 0;
  let oneSided = 0;
  let split = 0;
  const leftOut = new Set<number>();
  // K comparable directions: one not comparable at exact kinks is split into comparable parts, or
  // (more than SPLIT_BUDGET differences, or nothing comparable) replaced by the next (4 K drawn at most)
  for (let d = 0; judged < directions && d < 4 * directions; d++) {
    const D = dirs.difference(d, 0, P);
    const { dot, tolerance } = dirs.dotAndTolerance(d, 0, P);
    const split_ = D.comparable ? { parts: [{ lo: 0, hi: P, D }], leftOut: [] as number[] } : dirs.comparableParts(d, 0, P, D, SPLIT_BUDGET);
    if (!split_ || split_.parts.length === 0) {
      notComparable += 1;
      checks.push({ dot, difference: D.toNumber(), residual: Number.NaN, tolerance, flagged: false, kind: 'not-comparable', parts: 0, leftOut: 0 });
      continue;
    }
    judged += 1;
    const { parts } = split_;
    if (!D.comparable) {
      split += 1;
      for (const k of split_.leftOut) leftOut.add(k);
    }
    const kind = parts.find((q) => q.D.kind !== 'central')?.D.kind ?? 'central';
    if (kind !== 'central') oneSided += 1;
    // the parts' residuals add up to the residual over their union (g . v and D_v are linear in v), judged by the union's tolerance
    const rs = parts.map((q) => dirs.residual(d, q.lo, q.hi, q.D));
    const r = rs.reduce((a, b) => a + b, 0);
    const union = parts.length === 1 ? { dot, tolerance } : dirs.dotAndToleranceOver(d, parts);
    // written so that a NaN residual or tolerance flags the direction
    const flagged = !Number.isFinite(dot) || !(Math.abs(r) <= union.tolerance);
    checks.push({ dot, difference: parts.reduce((a, q) => a + q.D.toNumber(), 0), residual: Math.abs(r), tolerance: union.tolerance, flagged, kind, parts: parts.length, leftOut: split_.leftOut.length });
    // one flagged direction is enough to localise: its residual holds every wrong entry's share (in
    // parts: from each part past its own tolerance, or from every part when none is)
    if (!flagged || !localise || localisedOnce || !Number.isFinite(dot)) continue;
    localisedOnce = true;
    const past = parts.filter((q, i) => !(Math.abs(rs[i]!) <= dirs.dotAndTolerance(d, q.lo, q.hi).tolerance));
    for (const q of past.length > 0 ? past : parts) dirs.localise(d, rs[parts.indexOf(q)]!, maxLocalised, localisedAt, q.lo, q.hi);
  }
  // each localised entry against its own finite difference (its analytic value where that is not comparable)
  const localised: LocalisedEntry[] = [];
  for (const k of [...localisedAt].sort((a, b) => a - b)) {
    const where = oracle.layout.locate(k);
    const difference = oracle.finiteDifference(where);
    if (!difference) continue;
    const value = difference.comparable ? difference : oracle.exact(where);
    const against = difference.comparable ? 'finite difference' : 'analytic';
    localised.push({ where, text: formatLocation(where), value: g[k]!, finiteDifference: value.text(20), against, error: value.distanceTo(g[k]!), allowed: allow[k]! });
  }
  // a coordinate left out of the directions (its own difference not comparable) is checked against the analytic oracle, as the certification does
  let leftOutWrong = 0;
  for (const k of [...leftOut].sort((a, b) => a - b)) {
    const where = oracle.layout.locate(k);
    const exact = oracle.exact(where);
    const error = exact.distanceTo(g[k]!);
    if (error <= allow[k]!) continue;
    leftOutWrong += 1;
    if (localised.length < maxLocalised && !localisedAt.has(k)) localised.push({ where, text: formatLocation(where), value: g[k]!, finiteDifference: exact.text(20), against: 'analytic', error, allowed: allow[k]! });
  }
  const flagged = checks.some((c) => c.flagged) || leftOutWrong > 0;
  return {
    verdict: flagged ? 'wrong' : judged === 0 ? 'inconclusive' : 'correct',
    parameters: P,
    directions: checks,
    localised,
    passes: dirs.passes,
    notComparable,
    oneSided,
    split,
    leftOut: leftOut.size,
    leftOutWrong,
    unsplit: dirs.unsplit,
    durationMs: performance.now() - started,
  };
}
