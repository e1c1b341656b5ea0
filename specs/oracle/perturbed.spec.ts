import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary } from '../../src/generate/index.js';
import { ZERO, type BigFloat, type Binary } from '../../src/oracle/bigfloat.js';
import { CoreOracle, type UnitValues } from '../../src/oracle/core.js';
import { createContext } from '../../src/oracle/context.js';
import { Decimal } from '../../src/oracle/decimal.js';
import { fromDecimal, toDecimal } from '../../src/oracle/decimalBridge.js';
import { exactDecimalString } from '../../src/oracle/exact.js';
import { oracle } from '../../src/oracle/oracle.js';
import { decimalDigits } from '../../src/compare/index.js';

/**
 * The finite differences are a truth of their own: they move a network that shares only the first
 * layer's pre-activations with the analytic pass (src/oracle/perturbed.ts). A wrong Z, Zc or slope
 * in the analytic pass (injected through CoreOracle's `unit` seam, or written into its arrays)
 * makes the analytic gradient disagree with the finite differences. The identities the former
 * finite differences used, evaluated from the analytic pass's arrays (`sharedArrayDifference`
 * below), agree with the corrupted gradient instead: the check they made could not see such a bug.
 */

const ctx = createContext(50);

/** A CoreOracle whose forward pass takes unit k of layer l from `corrupt` (given S and the correct `unit`). */
function corrupted(corrupt: (l: number, S: BigFloat, unit: (S: BigFloat) => UnitValues, bin: Binary) => UnitValues): typeof CoreOracle {
  return class extends CoreOracle {
    protected override unit(l: number, k: number, S: BigFloat): UnitValues {
      return corrupt(l, S, (x) => super.unit(l, k, x), this.bin);
    }
  };
}

/**
 * dE/dS of pre-activation i of layer l, sample s, the way the finite differences were computed
 * before they got a network of their own: sigma(S + D) - sigma(S) = -slope expm1(-D) / (1 + Zc expm1(-D))
 * and the loss change log1p(Zc expm1(-D)), log1p(Z expm1(D)), all from the analytic pass's arrays.
 */
function sharedArrayDifference(core: CoreOracle, l: number, s: number, i: number, h: BigFloat): BigFloat {
  const { bin, math, network, L } = core;
  const change = (sign: 1 | -1): BigFloat => {
    let D: (BigFloat | null)[] = new Array(network.layers[l]!.nOut).fill(null);
    D[i] = sign > 0 ? h : bin.neg(h);
    for (let m = l; m < L - 1; m++) {
      const n = network.layers[m]!.nOut;
      const nNext = network.layers[m + 1]!.nOut;
      const W = core.weightsOf(m + 1);
      const next: (BigFloat | null)[] = new Array(nNext).fill(null);
      for (let u = 0; u < n; u++) {
        const d = D[u];
        if (!d || d.m === 0n) continue;
        const k = s * n + u;
        const em = math.expm1(bin.neg(d));
        const dZ = bin.neg(bin.div(bin.mul(core.slope[m]![k]!, em), bin.add(bin.one, bin.mul(core.Zc[m]![k]!, em))));
        for (let q = 0; q < nNext; q++) next[q] = bin.add(next[q] ?? ZERO, bin.mul(W[u * nNext + q]!, dZ));
      }
      D = next;
    }
    let dE = ZERO;
    const n = network.layers[L - 1]!.nOut;
    D.forEach((d, u) => {
      if (!d || d.m === 0n) return;
      const k = s * n + u;
      const { t, tc } = core.target(k);
      const dMinus = math.log1p(bin.mul(core.Zc[L - 1]![k]!, math.expm1(bin.neg(d))));
      const dPlus = math.log1p(bin.mul(core.Z[L - 1]![k]!, math.expm1(d)));
      dE = bin.add(dE, bin.add(bin.mul(t, dMinus), bin.mul(tc, dPlus)));
    });
    return core.divisor === 1 ? dE : bin.div(dE, bin.fromInt(core.divisor));
  };
  return bin.div(bin.sub(change(1), change(-1)), bin.ldexp(h, 1));
}

/** Least digits of agreement, relative to the delta magnitudes, of `values` with the analytic delta of layer l. */
function agreement(core: CoreOracle, l: number, values: readonly BigFloat[]): number {
  let worst = Infinity;
  values.forEach((g, k) => {
    const diff = core.bin.abs(core.bin.sub(core.delta[l]![k]!, g));
    if (diff.m === 0n) return;
    worst = Math.min(worst, core.bin.log10Abs(core.deltaMagnitude[l]![k]!) - core.bin.log10Abs(diff));
  });
  return worst;
}

/** The independent and the shared-array finite differences of layer l, each against the analytic delta. */
function bothAgreements(core: CoreOracle, l: number): { independent: number; shared: number } {
  const independent = agreement(core, l, core.finiteDifferences({ layers: [l] }).preActivation[l]!);
  const h = core.finiteDifferences({ layers: [l] }).steps[l]!;
  const n = core.network.layers[l]!.nOut;
  const shared = Array.from({ length: core.B * n }, (_, k) => sharedArrayDifference(core, l, Math.floor(k / n), k % n, h));
  return { independent, shared: agreement(core, l, shared) };
}

const twoLayers = caseArbitrary({ minLayers: 2, maxLayers: 3, maxWidth: 4, maxBatch: 2, classes: ['typical'] });
const cases = fc.sample(twoLayers, { seed: 811, numRuns: 20 }).filter((c) => c.network.layers.length >= 2);
/** A factor 1 + 1e-12 in BigFloat. */
const slip = (bin: Binary) => bin.add(bin.one, fromDecimal(bin, new Decimal('1e-12')));

describe('the finite differences do not read the analytic pass', () => {
  it("CoreOracle's lossChange and centralDifference are the differenced network's", () => {
    const { network, batch } = cases[0]!;
    const core = new CoreOracle(ctx, network, batch);
    const d = core.finiteDifferences();
    const h = d.steps[0]!;
    expect(core.centralDifference(0, 0, 0, h)).toEqual(d.preActivation[0]![0]);
    const change = Array.from({ length: network.layers[0]!.nOut }, (_, i) => (i === 0 ? h : null));
    expect(core.lossChange(0, 0, change)).toEqual(core.perturbed.lossChange(0, 0, change));
  });

  it('uncorrupted: both ways of differencing agree with the analytic delta to 45 digits (the spec helper is right)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const { network, batch } of cases) {
      const core = new CoreOracle(ctx, network, batch);
      for (let l = 0; l < network.layers.length; l++) {
        const { independent, shared } = bothAgreements(core, l);
        expect(independent).toBeGreaterThanOrEqual(45);
        expect(shared).toBeGreaterThanOrEqual(45);
      }
    }
  });

  it('a hidden slope Z(1-Z) off by 1e-12: the finite differences disagree with the analytic delta (the shared arrays would have agreed)', () => {
    const Slipped = corrupted((l, S, unit, bin) => {
      const u = unit(S);
      return l === 0 ? { ...u, slope: bin.mul(u.slope, slip(bin)) } : u;
    });
    let checked = 0;
    for (const { network, batch } of cases) {
      const core = new Slipped(ctx, network, batch);
      // only units whose delta is not 0 can show the slip
      if (core.delta[0]!.every((d) => d.m === 0n)) continue;
      const { independent, shared } = bothAgreements(core, 0);
      // a slip of 1e-12 shows as about 12 to 13 digits of agreement, far below the 20 certification needs
      expect(independent).toBeLessThan(14);
      expect(independent).toBeGreaterThan(11);
      expect(shared).toBeGreaterThanOrEqual(45);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('the output Z and Zc of a pre-activation off by 1e-12: the finite differences disagree (the shared arrays would have agreed)', () => {
    let checked = 0;
    for (const { network, batch } of cases) {
      const L = network.layers.length;
      // the forward pass evaluates the output sigmoid at S (1 + 1e-12) + 1e-12: a wrong Z, Zc, f and slope
      const Shifted = corrupted((l, S, unit, bin) => (l === L - 1 ? unit(bin.sub(bin.mul(S, slip(bin)), bin.sub(bin.one, slip(bin)))) : unit(S)));
      const core = new Shifted(ctx, network, batch);
      const { independent, shared } = bothAgreements(core, L - 1);
      expect(independent).toBeLessThan(14);
      expect(shared).toBeGreaterThanOrEqual(45);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it("a hidden Z (the next layer's Y) written over after the forward pass: oracle().fd uses its own Y, so dE/dW disagrees", () => {
    const { network, batch } = cases[0]!;
    const o = oracle(network, batch, { precision: ctx });
    const core = o.core!;
    const { bin } = core;
    // corrupt Y of layer 2 in the analytic pass only (the Decimal views are made on first read, after this)
    core.Z[0] = core.Z[0]!.map((z) => bin.mul(z, slip(bin)));
    const analytic = o.backward.layers[1]!.W;
    const fd = o.fd!.layers[1]!.W;
    const scale = o.backward.magnitudes[1]!.W;
    const digits = analytic.map((a, k) => decimalDigits(a, fd[k]!, scale[k]!.isZero() ? ctx.one : scale[k]!));
    expect(Math.min(...digits)).toBeLessThan(14);
    // while the deltas, which do not involve Y, still agree
    expect(agreement(core, 1, o.coreDifferences!.preActivation[1]!)).toBeGreaterThanOrEqual(45);
  });
});


/** 260 digits: the references below lose at most about 160 to cancellation and saturation (e^-300 beside 1, D = 1e-25 beside 300). */
const H = Decimal.clone({ precision: 260, minE: -9e15, maxE: 9e15 });
type Hi = InstanceType<typeof H>;
const sigma = (y: Hi): Hi => new H(1).div(new H(1).plus(y.neg().exp()));
const softplus = (y: Hi): Hi => (y.isNeg() ? y.exp().plus(1).ln() : y.plus(y.neg().exp().plus(1).ln()));

/** The differenced network of a one-unit layer (two layers when `hidden`) whose pre-activation is S. */
function unitNetwork(S: number, t: number, hidden: boolean): CoreOracle {
  const first = { nIn: 1, nOut: 1, W: new Float64Array([S]), b: null };
  const layers = hidden ? [first, { nIn: 1, nOut: 1, W: new Float64Array([1]), b: null }] : [first];
  return new CoreOracle(ctx, { layers, reduction: 'sum' }, { size: 1, nIn: 1, nOut: 1, X: new Float64Array([1]), T: new Float64Array([t]) });
}

describe('the identities of the differenced network, against their definitions at 260 digits', () => {
  const pre = [0, 2.5, -2.5, 40, -40, 300, -300];
  const steps = ['1e-25', '0.3', '0.7', '5', '3000', String(2 ** 41 * 1.5)].flatMap((d) => [d, `-${d}`]);
  const relative = (got: BigFloat, want: Hi, core: CoreOracle): number => {
    const g = new H(toDecimal(core.bin, got, H));
    return want.isZero() ? (g.isZero() ? 0 : Infinity) : g.minus(want).div(want).abs().toNumber();
  };

  it('sigma(S + D) - sigma(S) from e^-|S + D|: every step size (tiny, moderate, beyond 2^40), both signs, saturated units', () => {
    for (const S of pre) {
      const core = unitNetwork(S, 0, true);
      for (const d of steps) {
        const got = core.unitChange(0, 0, 0, fromDecimal(core.bin, new Decimal(d)));
        const want = sigma(new H(S).plus(d)).minus(sigma(new H(S)));
        expect(relative(got, want, core), `S = ${S}, D = ${d}`).toBeLessThan(1e-55);
      }
    }
  });

  it('the loss change of an output, t softplus(-S - D) + (1 - t) softplus(S + D) minus the same at D = 0, for hard and soft t', () => {
    for (const S of pre) {
      const x = new H(S);
      const changes = steps.map((d) => ({ d, minus: softplus(x.plus(d).neg()).minus(softplus(x.neg())), plus: softplus(x.plus(d)).minus(softplus(x)) }));
      for (const t of [0, 1, 0.3]) {
        const core = unitNetwork(S, t, false);
        const tt = new H(exactDecimalString(t)); // the double t exactly
        for (const { d, minus, plus } of changes) {
          const got = core.outputChange(0, 0, fromDecimal(core.bin, new Decimal(d)));
          const want = tt.times(minus).plus(new H(1).minus(tt).times(plus));
          // relative to the change's magnitude: the two terms of a soft target may cancel
          const scale = tt.times(minus.abs()).plus(new H(1).minus(tt).times(plus.abs()));
          const error = new H(toDecimal(core.bin, got, H)).minus(want).abs().div(scale).toNumber();
          expect(error, `S = ${S}, t = ${t}, D = ${d}`).toBeLessThan(1e-55);
        }
      }
    }
  });

  it('the step is halved below large weights, so that the change at the output stays below h', () => {
    // two equal hidden units whose 1e300 weights cancel, and one of weight 1: the output (S = sigma(2)) is not saturated
    const network = {
      layers: [
        { nIn: 1, nOut: 3, W: new Float64Array([0.5, 0.5, 2]), b: null },
        { nIn: 3, nOut: 1, W: new Float64Array([1e300, -1e300, 1]), b: null },
      ],
      reduction: 'sum' as const,
    };
    const batch = { size: 1, nIn: 1, nOut: 1, X: new Float64Array([1]), T: new Float64Array([0]) };
    const core = new CoreOracle(ctx, network, batch);
    // ceil(log2(1e300 * 3 / 4)) = 997 halvings for the first layer, none for the output layer
    expect(core.perturbed.stepHalvings(0)).toBe(997);
    expect(core.perturbed.stepHalvings(1)).toBe(0);
    const d = core.finiteDifferences();
    expect(d.steps[1]).toEqual(d.step);
    expect(agreement(core, 0, d.preActivation[0]!)).toBeGreaterThanOrEqual(48);
    // with the unhalved step the change at the output is 1e300 sigma' h = 2e274: the central difference is 30% off
    expect(agreement(core, 0, core.finiteDifferences({ step: new Decimal('1e-25') }).preActivation[0]!)).toBeLessThan(1);
    // the usual networks keep the default step: max|W| n_l / 4 <= 1
    const small = new CoreOracle(ctx, { layers: [network.layers[0]!, { ...network.layers[1]!, W: new Float64Array([0.5, -1, 1.25]) }], reduction: 'sum' }, batch);
    expect(small.perturbed.stepHalvings(0)).toBe(0);
  });
});
