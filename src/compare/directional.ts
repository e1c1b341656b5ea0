import type { Batch, Gradients, Network } from '../network/types.js';
import { CaseOracle, type OracleContext } from '../oracle/api.js';
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
  /** The oracle of this network and batch, if already made (reused across checks of one case). */
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
  readonly flagged: boolean;
}

/** A localised wrong entry. */
export interface LocalisedEntry {
  readonly where: EntryLocation;
  readonly text: string;
  readonly value: number;
  /** Its finite difference (sum_b Y_j dE/dS_i by central differences), 20 digits. */
  readonly finiteDifference: string;
  /** |value - finite difference| and the entry's allowance. */
  readonly error: number;
  readonly allowed: number;
}

/** What the directional check found. */
export interface DirectionalResult {
  readonly verdict: 'correct' | 'wrong';
  readonly parameters: number;
  readonly directions: DirectionCheck[];
  readonly localised: LocalisedEntry[];
  /** Directional finite differences computed (each: two carried forward passes). */
  readonly passes: number;
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
  const { network, batch, layout } = oracle;
  const g = new Float64Array(layout.count);
  const allow = new Float64Array(layout.count);
  const pass = forward(network, batch);
  const bound = errorBound(network, batch, pass, loss(network, batch, pass), arithmeticOf(precision));
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

/** The judgement of directions over one answer: g . v and the tolerance of any coordinate set, and the residual against the oracle. */
class Directions {
  passes = 0;
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
  difference(d: number, lo: number, hi: number): ReturnType<CaseOracle['directionalDifference']> {
    this.passes += 1;
    return this.oracle.directionalDifference((k) => directionSign(this.seed, d, k), lo, hi);
  }

  /** g . v on [lo, hi) in double-double, and the tolerance of that set. */
  dotAndTolerance(d: number, lo: number, hi: number): { dot: number; tolerance: number } {
    const { g, allow } = this;
    let sh2 = 0;
    let sl = 0;
    let absSum = 0;
    let worst = 0;
    let squares = 0;
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
    const fdError = 1e-30 * absSum + 2 ** -100 * absSum;
    return { dot: sh2 + sl, tolerance: Math.min(worst, this.z * Math.sqrt(squares)) + fdError + 2 ** -104 * absSum };
  }

  /** g . v - D_v on [lo, hi), rounded once. */
  residual(d: number, lo: number, hi: number, D: ReturnType<CaseOracle['directionalDifference']>): number {
    return -D.minus(this.dotAndTolerance(d, lo, hi).dot);
  }

  /** Group testing in direction d: halve the coordinate set, keeping the halves whose residual exceeds their tolerance. */
  localise(d: number, r: number, maxLocalised: number, into: Set<number>): void {
    const stack: { lo: number; hi: number; r: number }[] = [{ lo: 0, hi: this.g.length, r }];
    while (stack.length > 0 && into.size < maxLocalised) {
      const { lo, hi, r: rAll } = stack.pop()!;
      if (hi - lo === 1) {
        into.add(lo);
        continue;
      }
      const mid = lo + Math.floor((hi - lo) / 2);
      const rA = this.residual(d, lo, mid, this.difference(d, lo, mid));
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
  const oracle = options.oracle ?? CaseOracle.of(ctx, network, batch);
  const P = oracle.parameterCount;
  const { g, allow } = flatAnswer(oracle, answer, precision);
  const dirs = new Directions(oracle, seed, alpha, g, allow);
  const checks: DirectionCheck[] = [];
  const localisedAt = new Set<number>();
  let localisedOnce = false;
  for (let d = 0; d < directions; d++) {
    const D = dirs.difference(d, 0, P);
    const { dot, tolerance } = dirs.dotAndTolerance(d, 0, P);
    const r = dirs.residual(d, 0, P, D);
    // written so that a NaN residual or tolerance flags the direction
    const flagged = !Number.isFinite(dot) || !(Math.abs(r) <= tolerance);
    checks.push({ dot, difference: D.toNumber(), residual: Math.abs(r), tolerance, flagged });
    // one flagged direction is enough to localise: its residual holds every wrong entry's share
    if (!flagged || !localise || localisedOnce || !Number.isFinite(dot)) continue;
    localisedOnce = true;
    dirs.localise(d, r, maxLocalised, localisedAt);
  }
  // each localised entry against its own finite difference
  const localised: LocalisedEntry[] = [];
  for (const k of [...localisedAt].sort((a, b) => a - b)) {
    const where = oracle.layout.locate(k);
    const value = oracle.finiteDifference(where);
    if (!value) continue;
    localised.push({ where, text: formatLocation(where), value: g[k]!, finiteDifference: value.text(20), error: value.distanceTo(g[k]!), allowed: allow[k]! });
  }
  const flagged = checks.some((c) => c.flagged);
  return { verdict: flagged ? 'wrong' : 'correct', parameters: P, directions: checks, localised, passes: dirs.passes, durationMs: performance.now() - started };
}
