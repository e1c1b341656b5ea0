import { errorBound } from '../compare/bound.js';
import { arithmeticOf } from '../compare/textbook.js';
import { STABLE_SLACK } from '../compare/judge.js';
import { formatLocation, type EntryLocation, type Precision } from '../types.js';
import type { Batch, Description, Gradients, Network } from '../network/types.js';
import { caseToJson } from '../network/json.js';
import { IutError } from '../iut/errors.js';
import type { Iut } from '../iut/types.js';
import { createContext } from '../oracle/context.js';
import { exitCodeOf, roundToFloat32, verdictOf, type NamedCase } from './run.js';
import { askImplementation } from './evaluate.js';
import type { ClassStats, ErrorReport, FailureReport, VerifyReport } from './report.js';
import { emptyStats } from './stats.js';
import { forward } from '../reference/forward.js';
import { loss } from '../reference/loss.js';
import { BigFloat, doubleParts, sh, ZERO } from '../oracle/bigfloat.js';
import type { OracleContext } from '../oracle/context.js';
import { CoreOracle } from '../oracle/core.js';
import { toDecimal } from '../oracle/decimalBridge.js';

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
  /** The oracle of this network and batch, if already computed (reused across checks of one case). */
  readonly core?: CoreOracle;
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

/** Parameter index layout: per layer, W (row-major) then b. */
interface Layout {
  readonly W: number[];
  readonly b: number[];
  readonly count: number;
}

function layoutOf(network: Network): Layout {
  const W: number[] = [];
  const b: number[] = [];
  let k = 0;
  for (const layer of network.layers) {
    W.push(k);
    k += layer.nIn * layer.nOut;
    b.push(k);
    k += layer.b ? layer.nOut : 0;
  }
  return { W, b, count: k };
}

function locate(network: Network, layout: Layout, k: number): EntryLocation {
  for (let l = network.layers.length - 1; l >= 0; l--) {
    const n = network.layers[l]!.nOut;
    if (k >= layout.b[l]!) return { kind: 'bias', layer: l, i: k - layout.b[l]! };
    if (k >= layout.W[l]!) return { kind: 'weight', layer: l, j: Math.floor((k - layout.W[l]!) / n), i: (k - layout.W[l]!) % n };
  }
  throw new Error(`no parameter ${k}`);
}

/**
 * The directional check of one answer (see the module comment). `answer` holds the
 * implementation's gradients; the oracle is computed here at ctx's precision.
 */
export function directionalCheck(ctx: OracleContext, network: Network, batch: Batch, answer: Gradients, options: DirectionalOptions = {}): DirectionalResult {
  const started = performance.now();
  const { directions = 4, seed = 42, alpha = 1e-12, precision = 'float64', localise = true, maxLocalised = 16 } = options;
  const core = options.core ?? new CoreOracle(ctx, network, batch);
  const { bin, B, L } = core;
  const layout = layoutOf(network);
  const P = layout.count;
  // flattened answer and allowances a_k (STABLE_SLACK times the stable bound)
  const g = new Float64Array(P);
  const allow = new Float64Array(P);
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
  const z = Math.sqrt(2 * Math.log(2 / alpha));
  const h = core.defaultStep();
  const twoH = bin.ldexp(h, 1);
  let passes = 0;

  // the inputs X once as integers at the least exponent of their sample: X_j = Xint_j 2^E0
  const first = network.layers[0]!;
  const rows = Array.from({ length: B }, (_, s) => {
    const parts = Array.from(batch.X.subarray(s * first.nIn, (s + 1) * first.nIn), (x) => (x === 0 ? null : doubleParts(x)));
    const E0 = Math.min(0, ...parts.map((p) => (p ? p.exp : 0)));
    return { E0, ints: parts.map((p) => (p ? BigInt(p.mant) << sh(p.exp - E0) : 0n)), one: 1n << sh(-E0) };
  });

  /** D_v for v = sign(d, k) on coordinates [lo, hi), 0 elsewhere, as a BigFloat. */
  const directional = (d: number, lo: number, hi: number): BigFloat => {
    passes += 1;
    const v = (k: number): number => (k >= lo && k < hi ? directionSign(seed, d, k) : 0);
    // the signs of layer 0's coordinates, once per pass
    const signs0 = new Int8Array(first.nIn * first.nOut + (first.b ? first.nOut : 0));
    const from = Math.max(lo, layout.W[0]!);
    const to = Math.min(hi, layout.W[0]! + signs0.length);
    for (let k = from; k < to; k++) signs0[k - layout.W[0]!] = directionSign(seed, d, k);
    let total = ZERO;
    for (let s = 0; s < B; s++) {
      // layer 0: A_i = sum_j X_j v_ji + v_bi, exactly
      const { E0, ints, one } = rows[s]!;
      const A: BigFloat[] = [];
      for (let i = 0; i < first.nOut; i++) {
        const vb = first.b ? signs0[first.nIn * first.nOut + i]! : 0;
        let acc = vb === 0 ? 0n : vb > 0 ? one : -one;
        for (let j = 0; j < first.nIn; j++) {
          const sign = signs0[j * first.nOut + i]!;
          if (sign === 0) continue;
          const x = ints[j]!;
          if (x === 0n) continue;
          acc = sign > 0 ? acc + x : acc - x;
        }
        A.push(bin.norm(acc, E0));
      }
      const change = (sign: 1 | -1): BigFloat => {
        const hs = sign > 0 ? h : bin.neg(h);
        let D = A.map((a) => bin.mul(hs, a));
        for (let m = 0; m < L - 1; m++) {
          const { nOut } = network.layers[m]!;
          const next = network.layers[m + 1]!;
          const W = core.weightsOf(m + 1);
          const Z = core.Z[m]!;
          const dZ = D.map((Dm, i) => (Dm.m === 0n ? ZERO : core.unitChange(m, s, i, Dm)));
          const nextD: BigFloat[] = [];
          for (let q = 0; q < next.nOut; q++) {
            // (W + h v)(Z + dZ) - W Z = W dZ + h v (Z + dZ), plus h v_b
            let Dq = ZERO;
            let Vq = ZERO;
            for (let i = 0; i < nOut; i++) {
              const w = W[i * next.nOut + q]!;
              if (w.m !== 0n && dZ[i]!.m !== 0n) Dq = bin.add(Dq, bin.mul(w, dZ[i]!));
              const vv = v(layout.W[m + 1]! + i * next.nOut + q);
              if (vv !== 0) {
                const zNew = bin.add(Z[s * nOut + i]!, dZ[i]!);
                Vq = vv > 0 ? bin.add(Vq, zNew) : bin.sub(Vq, zNew);
              }
            }
            const vb = next.b ? v(layout.b[m + 1]! + q) : 0;
            if (vb !== 0) Vq = vb > 0 ? bin.add(Vq, bin.one) : bin.sub(Vq, bin.one);
            nextD.push(bin.add(Dq, bin.mul(hs, Vq)));
          }
          D = nextD;
        }
        let dE = ZERO;
        D.forEach((Dk, i) => {
          if (Dk.m !== 0n) dE = bin.add(dE, core.outputChange(s, i, Dk));
        });
        return dE;
      };
      total = bin.add(total, bin.sub(change(1), change(-1)));
    }
    const diff = bin.div(total, twoH);
    return core.divisor === 1 ? diff : bin.div(diff, bin.fromInt(core.divisor));
  };

  /** g . v on [lo, hi) in double-double, its error bound, and the tolerance of that set. */
  const dotAndTolerance = (d: number, lo: number, hi: number): { dot: number; tolerance: number } => {
    let sh2 = 0;
    let sl = 0;
    let absSum = 0;
    let worst = 0;
    let squares = 0;
    for (let k = lo; k < hi; k++) {
      const t = directionSign(seed, d, k) * g[k]!;
      const s = sh2 + t;
      const bb = s - sh2;
      sl += sh2 - (s - bb) + (t - bb);
      sh2 = s;
      absSum += Math.abs(t);
      worst += allow[k]!;
      squares += allow[k]! * allow[k]!;
    }
    const fdError = 1e-30 * absSum + 2 ** -100 * absSum;
    return { dot: sh2 + sl, tolerance: Math.min(worst, z * Math.sqrt(squares)) + fdError + 2 ** -104 * absSum };
  };

  const residualOf = (d: number, lo: number, hi: number, D: BigFloat): number => {
    const { dot } = dotAndTolerance(d, lo, hi);
    return bin.toNumber(bin.sub(bin.fromNumber(dot), D));
  };

  const checks: DirectionCheck[] = [];
  const localisedAt = new Set<number>();
  let localisedOnce = false;
  for (let d = 0; d < directions; d++) {
    const D = directional(d, 0, P);
    const { dot, tolerance } = dotAndTolerance(d, 0, P);
    const r = residualOf(d, 0, P, D);
    // written so that a NaN residual or tolerance flags the direction
    const flagged = !Number.isFinite(dot) || !(Math.abs(r) <= tolerance);
    checks.push({ dot, difference: bin.toNumber(D), residual: Math.abs(r), tolerance, flagged });
    // one flagged direction is enough to localise: its residual holds every wrong entry's share
    if (!flagged || !localise || localisedOnce || !Number.isFinite(dot)) continue;
    localisedOnce = true;
    // group testing: halve the coordinate set, keeping the halves whose residual exceeds their tolerance
    const stack: { lo: number; hi: number; r: number }[] = [{ lo: 0, hi: P, r }];
    while (stack.length > 0 && localisedAt.size < maxLocalised) {
      const { lo, hi, r: rAll } = stack.pop()!;
      if (hi - lo === 1) {
        localisedAt.add(lo);
        continue;
      }
      const mid = lo + Math.floor((hi - lo) / 2);
      const rA = residualOf(d, lo, mid, directional(d, lo, mid));
      const rB = rAll - rA;
      if (!(Math.abs(rB) <= dotAndTolerance(d, mid, hi).tolerance)) stack.push({ lo: mid, hi, r: rB });
      if (!(Math.abs(rA) <= dotAndTolerance(d, lo, mid).tolerance)) stack.push({ lo, hi: mid, r: rA });
    }
  }

  // each localised entry against its own finite difference
  const localised: LocalisedEntry[] = [];
  const byLayer = new Map<number, ReturnType<CoreOracle['finiteDifferences']>>();
  for (const k of [...localisedAt].sort((a, b) => a - b)) {
    const where = locate(network, layout, k);
    if (where.kind !== 'weight' && where.kind !== 'bias') continue;
    let fd = byLayer.get(where.layer);
    if (!fd) {
      fd = core.finiteDifferences({ layers: [where.layer] });
      byLayer.set(where.layer, fd);
    }
    const gS = fd.preActivation[where.layer]!;
    const value = where.kind === 'weight' ? core.sumOverBatch(where.layer, where.j, where.i, gS, false) : core.sumSamples(where.layer, where.i, gS);
    const error = Math.abs(bin.toNumber(bin.sub(bin.fromNumber(g[k]!), value)));
    localised.push({ where, text: formatLocation(where), value: g[k]!, finiteDifference: toDecimal(bin, value, ctx.D).toSignificantDigits(20).toString(), error, allowed: allow[k]! });
  }
  const flagged = checks.some((c) => c.flagged);
  return { verdict: flagged ? 'wrong' : 'correct', parameters: P, directions: checks, localised, passes, durationMs: performance.now() - started };
}

/** Options of `verifyDirectional`: the directional check's, and the run's. */
export interface VerifyDirectionalOptions extends DirectionalOptions {
  /** Oracle digits (default 50). */
  readonly digits?: number;
  /** Fail on inaccurate too (kept for the report; directional mode finds only wrong). */
  readonly strict?: boolean;
}

/**
 * `--mode directional`: verifies an implementation on given cases with the directional check
 * (K random signed directions, then group testing to localise), and returns the usual report:
 * a localised entry becomes a failure, each case's directions become a note.
 */
export async function verifyDirectional(iut: Iut, cases: readonly NamedCase[], options: VerifyDirectionalOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const strict = options.strict ?? false;
  const ctx = createContext(options.digits ?? 50);
  const failures: FailureReport[] = [];
  const notes: string[] = [];
  const classes: { given?: ClassStats } = {};
  let description: Description = {};
  let error: ErrorReport | null = null;
  let casesRun = 0;
  let precision: Precision = options.precision ?? 'float64';
  try {
    description = await iut.describe();
    if (!options.precision && description.precision) precision = description.precision;
    for (const named of cases) {
      const c = precision === 'float32' ? roundToFloat32(named.case).case : named.case;
      const answer = await askImplementation(iut, c);
      if ('fatal' in answer) {
        error = { code: answer.fatal.code, message: answer.fatal.message, case: caseToJson(c) };
        break;
      }
      casesRun += 1;
      const stats = (classes.given ??= emptyStats());
      stats.cases += 1;
      if ('refusal' in answer) {
        stats.wrong += 1;
        failures.push({ outcome: 'wrong', kind: answer.refusal!.kind, where: 'result', message: answer.refusal!.message, iut: null, oracle: null, finiteDifference: null, error: null, bound: null, digits: null, digitsLost: null, cancellation: null, origin: 'given', valuesAffected: 1, case: caseToJson(c), name: named.name, shrinkSteps: null, replay: { seed: null, path: null, file: named.name } });
        continue;
      }
      const result = directionalCheck(ctx, c.network, c.batch, answer.result, { ...options, precision });
      const flagged = result.directions.filter((d) => d.flagged).length;
      notes.push(`directional ${named.name}: ${result.directions.length} random signed directions over ${result.parameters} parameters, ${flagged} flagged; ${result.passes} directional finite differences in ${(result.durationMs / 1000).toFixed(2)} s; ${result.localised.length} entr${result.localised.length === 1 ? 'y' : 'ies'} localised`);
      if (result.verdict === 'correct') {
        stats.correct += 1;
        continue;
      }
      stats.wrong += 1;
      for (const e of result.localised) {
        failures.push({
          outcome: 'wrong', kind: 'value', where: e.text,
          message: `${e.text}: implementation ${e.value}, finite difference ${e.finiteDifference}, error ${e.error.toExponential(2)} > ${e.allowed.toExponential(2)} allowed (localised by group testing)`,
          iut: e.value, oracle: e.finiteDifference, finiteDifference: e.finiteDifference, error: e.error, bound: e.allowed, digits: null, digitsLost: e.allowed > 0 ? Math.log10(e.error / e.allowed) : null, cancellation: null,
          origin: 'given', valuesAffected: result.localised.length, case: caseToJson(c), name: named.name, shrinkSteps: null, replay: { seed: options.seed ?? 42, path: null, file: named.name },
        });
      }
      if (result.localised.length === 0) notes.push(`directional ${named.name}: a direction was flagged but no single entry stood out (many small errors)`);
    }
  } catch (thrown) {
    error = { code: thrown instanceof IutError ? thrown.code : 'E_INTERNAL', message: thrown instanceof Error ? thrown.message : String(thrown), case: null };
  }
  const verdict = error ? 'error' : verdictOf(classes);
  return {
    tool: 'backprop-oracle', verdict, exitCode: exitCodeOf(verdict, strict), strict,
    implementation: { label: iut.label, description, precision, precisionFrom: options.precision ? 'option' : description.precision ? 'description' : 'default' },
    mode: 'cases', seed: options.seed ?? 42, runs: cases.length, shard: null, casesRun, interrupted: false, stoppedEarly: false,
    classes, failures, nondeterminism: { checked: 0, differing: [] }, error, notes, durationMs: performance.now() - started,
  };
}
