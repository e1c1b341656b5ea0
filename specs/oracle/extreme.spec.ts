import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCase } from '../../src/network/index.js';
import type { BigFloat } from '../../src/oracle/bigfloat.js';
import { CoreOracle, type UnitValues } from '../../src/oracle/core.js';
import { createContext } from '../../src/oracle/context.js';
import { OracleLimitError } from '../../src/oracle/errors.js';
import { exactDecimalString } from '../../src/oracle/exact.js';
import { oracle } from '../../src/oracle/oracle.js';
import { PerturbedNetwork } from '../../src/oracle/perturbed.js';
import { decimalDigits } from '../../src/compare/index.js';

/**
 * Extreme but finite input gets exact oracle values, and a verdict from the command line:
 * weights near 1e300 (|S| ~ 1e300, where e^-|S| lies below the BigFloat range and is held as 0,
 * so Z is exactly 0 or 1 and the softplus of the loss is S itself), and |S| just beyond 2^50,
 * where e^-|S| (about 10^-(5.4e14)) is an ordinary BigFloat held to full precision. Values are
 * checked against decimal.js's own exp at 80 digits and exact decimal arithmetic. An
 * OracleLimitError names the layer, sample, unit and S of the quantity and the limit.
 */

const ctx = createContext(50);
const Exact = createContext(1000).D; // products of two doubles, exactly
const H = createContext(80).D;
type Hi = InstanceType<typeof H>;

const huge = {
  network: {
    layers: [
      // unit 0 saturates (|S| ~ 1e300), unit 1 does not (|S| ~ 1), and the 1e300 weights above it amplify its changes
      { weights: [[1e300, 0.5], [2.5e299, -1]], bias: [0.5, 0.25] },
      { weights: [[1e300], [-7e299]], bias: [0.25] },
    ],
    reduction: 'sum',
  },
  batch: { inputs: [[0.5, -0.25], [1, 2]], targets: [[1], [0.3]] },
};

// two equal hidden units whose 1e300 weights cancel exactly, and a third with weight 1: the output
// is not saturated (S = sigma(2)), so a step h of a hidden unit would move it by 1e300 sigma' h,
// a nonlinear move, unless the step is halved 997 times
const cancelling = {
  network: {
    layers: [
      { weights: [[0.5, 0.5, 2]], bias: null },
      { weights: [[1e300], [-1e300], [1]], bias: null },
    ],
    reduction: 'sum',
  },
  batch: { inputs: [[1]], targets: [[0]] },
};

// 2^50 = 1125899906842624 < |S| < 2^51 ln 2 = 1.56e15
const S50 = 1234567890123456.5;
const beyond = {
  network: {
    layers: [
      { weights: [[S50, -S50]], bias: null },
      { weights: [[2], [-1.5]], bias: [0.125] },
    ],
    reduction: 'mean',
  },
  batch: { inputs: [[1], [0.75]], targets: [[1], [0.3]] },
};

const exact = (x: number) => new Exact(exactDecimalString(x));

describe('weights near 1e300: e^-|S| below the BigFloat range', () => {
  it('the oracle gives the loss, gradients and outputs (by hand: Z exactly 0 or 1 where |S| ~ 1e300), and the finite differences agree', () => {
    const { network, batch } = parseCase(huge, 'huge');
    const o = oracle(network, batch, { precision: ctx });
    const X = huge.batch.inputs;
    const [W1, W2] = [huge.network.layers[0]!, huge.network.layers[1]!];
    const sigma = (S: Hi) => new H(1).div(S.neg().exp().plus(1));
    let loss = new H(0);
    const gW2 = [new H(0), new H(0)];
    let gb2 = new H(0);
    const gW1 = [new H(0), new H(0)]; // dE/dW1[k][1], the unit that does not saturate
    X.forEach((x, s) => {
      // unit 0: |S| ~ 1e300, so Z is 0 or 1 (e^-|S| < 10^-(10^299) is held as 0); unit 1 an ordinary sigmoid
      const S10 = exact(x[0]!).times(exact(W1.weights[0]![0]!)).plus(exact(x[1]!).times(exact(W1.weights[1]![0]!))).plus(exact(W1.bias[0]!));
      const S11 = new H(x[0]!).times(W1.weights[0]![1]!).plus(new H(x[1]!).times(W1.weights[1]![1]!)).plus(W1.bias[1]!);
      const Z1 = [new H(S10.isNeg() ? 0 : 1), sigma(S11)];
      const S2 = Z1[0]!.times(exactDecimalString(W2.weights[0]![0]!)).plus(Z1[1]!.times(exactDecimalString(W2.weights[1]![0]!))).plus(W2.bias[0]!);
      expect(S2.abs().gt(1e299)).toBe(true);
      const t = new H(exactDecimalString(huge.batch.targets[s]![0]!));
      // softplus(S) = S + log1p(e^-S) = S at this size (and softplus(-S) = 0)
      loss = loss.plus(S2.isNeg() ? t.times(S2.neg()) : new H(1).minus(t).times(S2));
      const delta2 = (S2.isNeg() ? new H(0) : new H(1)).minus(t);
      Z1.forEach((z, j) => (gW2[j] = gW2[j]!.plus(delta2.times(z))));
      gb2 = gb2.plus(delta2);
      const delta11 = Z1[1]!.times(new H(1).minus(Z1[1]!)).times(exactDecimalString(W2.weights[1]![0]!)).times(delta2);
      x.forEach((xk, k) => (gW1[k] = gW1[k]!.plus(delta11.times(xk))));
      expect(o.forward.Z[0]![2 * s]!.toNumber()).toBe(S10.isNeg() ? 0 : 1);
      expect(o.forward.Z[1]![s]!.toNumber()).toBe(S2.isNeg() ? 0 : 1);
    });
    const close = (a: InstanceType<typeof ctx.D>, b: Hi) => decimalDigits(a, new ctx.D(b.toSignificantDigits(50)), new ctx.D(b.abs().toSignificantDigits(50)));
    expect(close(o.forward.loss, loss)).toBeGreaterThanOrEqual(48);
    gW2.forEach((g, j) => expect(close(o.backward.layers[1]!.W[j]!, g)).toBeGreaterThanOrEqual(48));
    expect(close(o.backward.layers[1]!.b![0]!, gb2)).toBeGreaterThanOrEqual(48);
    gW1.forEach((g, k) => expect(close(o.backward.layers[0]!.W[2 * k + 1]!, g)).toBeGreaterThanOrEqual(48));
    // below the saturated unit the exact gradient is about e^-(10^299) of its inputs' size: held as 0
    expect([o.backward.layers[0]!.W[0]!, o.backward.layers[0]!.W[2]!, o.backward.layers[0]!.b![0]!].every((g) => g.isZero())).toBe(true);
    // the finite differences (step halved below the 1e300 weights, else their changes would be 1e274) agree
    o.backward.layers.forEach((g, l) => {
      const m = o.backward.magnitudes[l]!;
      g.W.forEach((a, k) => expect(decimalDigits(a, o.fd!.layers[l]!.W[k]!, m.W[k]!.isZero() ? ctx.one : m.W[k]!)).toBeGreaterThanOrEqual(45));
      g.b!.forEach((a, k) => expect(decimalDigits(a, o.fd!.layers[l]!.b![k]!, m.b![k]!.isZero() ? ctx.one : m.b![k]!)).toBeGreaterThanOrEqual(45));
    });
  });
});

describe('1e300 weights above an unsaturated output', () => {
  it("the finite differences, with the step halved below them, agree with dE/dW = X sigma'(S) W sigma(S_out)", () => {
    const { network, batch } = parseCase(cancelling, 'cancelling');
    const o = oracle(network, batch, { precision: ctx });
    expect(o.coreDifferences!.steps[0]!.e).toBeLessThan(o.coreDifferences!.step.e - 990);
    const sigma = (S: number) => new H(1).div(new H(-S).exp().plus(1));
    const z = sigma(0.5);
    const out = new H(1).div(sigma(2).neg().exp().plus(1)); // S_out = 1e300 z - 1e300 z + sigma(2)
    const want = z.times(new H(1).minus(z)).times(exactDecimalString(1e300)).times(out); // dE/dW1[0][0], t = 0
    expect(decimalDigits(o.backward.layers[0]!.W[0]!, new ctx.D(want.toSignificantDigits(50)), new ctx.D(want.toSignificantDigits(50)))).toBeGreaterThanOrEqual(48);
    o.backward.layers[0]!.W.forEach((a, k) => expect(decimalDigits(a, o.fd!.layers[0]!.W[k]!, o.backward.magnitudes[0]!.W[k]!)).toBeGreaterThanOrEqual(45));
  });
});

describe('|S| beyond 2^50: e^-|S| held to full precision', () => {
  it('Zc = e^-S / (1 + e^-S), the slope and the first layer gradient equal decimal.js to 48 digits; the finite differences agree', () => {
    const { network, batch } = parseCase(beyond, 'beyond');
    const o = oracle(network, batch, { precision: ctx });
    const x = [new H(1), new H(0.75)];
    let gW1 = [new H(0), new H(0)];
    x.forEach((xs, s) => {
      // decimal.js's own e^-|S|, |S| = S50 xs: 5.37e-536166880925212 for sample 0 (9.26e14 for sample 1)
      const fs = new H(-S50).times(xs).exp();
      const small = fs.div(fs.plus(1));
      const big = new H(1).div(fs.plus(1));
      const Z1 = [big, small];
      const Zc1 = [small, big];
      expect(decimalDigits(o.forward.Zc[0]![2 * s]!, new ctx.D(small), new ctx.D(small))).toBeGreaterThanOrEqual(48);
      expect(decimalDigits(o.forward.Z[0]![2 * s + 1]!, new ctx.D(small), new ctx.D(small))).toBeGreaterThanOrEqual(48);
      const S2 = Z1[0]!.times(2).minus(Z1[1]!.times(1.5)).plus(0.125);
      const Z2 = new H(1).div(S2.neg().exp().plus(1));
      const t = new H(exactDecimalString(beyond.batch.targets[s]![0]!));
      const delta2 = Z2.minus(t).div(2); // mean over B n_L = 2
      const delta1 = [0, 1].map((j) => Z1[j]!.times(Zc1[j]!).times(j === 0 ? 2 : -1.5).times(delta2));
      gW1 = gW1.map((g, j) => g.plus(xs.times(delta1[j]!)));
    });
    o.backward.layers[0]!.W.forEach((g, j) => {
      expect(decimalDigits(g, new ctx.D(gW1[j]!), new ctx.D(gW1[j]!.abs())), `dE/dW[0][${j}]`).toBeGreaterThanOrEqual(48);
      expect(decimalDigits(o.fd!.layers[0]!.W[j]!, g, o.backward.magnitudes[0]!.W[j]!)).toBeGreaterThanOrEqual(48);
    });
    expect(o.forward.loss.isFinite()).toBe(true);
  });
});

describe('a quantity beyond the limits: OracleLimitError naming the entry and the limit', () => {
  afterEach(() => vi.restoreAllMocks());
  const { network, batch } = parseCase(huge, 'huge');
  const limit = new OracleLimitError('e^x for x = 2e15', 'the BigFloat exponent range (e^x below 2^(2^51) needs x below 1.56e15)');

  it('in the forward pass: layer, sample, unit and S', () => {
    const Overflowing = class extends CoreOracle {
      protected override unit(l: number, k: number, S: BigFloat): UnitValues {
        if (l === 1 && k === 1) throw limit;
        return super.unit(l, k, S);
      }
    };
    expect(() => new Overflowing(ctx, network, batch)).toThrow(
      'oracle: cannot compute layer 2, sample 1, unit 0: Z = sigma(S) for S = 8.44110e+299 (e^x for x = 2e15): it is beyond the BigFloat exponent range (e^x below 2^(2^51) needs x below 1.56e15)',
    );
    try {
      new Overflowing(ctx, network, batch);
    } catch (error) {
      expect(error).toBeInstanceOf(OracleLimitError);
      expect((error as OracleLimitError).code).toBe('E_ORACLE_LIMIT');
    }
    // any other error passes through unchanged (it is a bug, not a limit)
    const Failing = class extends CoreOracle {
      protected override unit(): UnitValues {
        throw new TypeError('a bug');
      }
    };
    expect(() => new Failing(ctx, network, batch)).toThrow(new TypeError('a bug'));
  });

  it('in the backward pass and in the finite differences', () => {
    const Steep = class extends CoreOracle {
      protected override unit(l: number, k: number, S: BigFloat): UnitValues {
        const u = super.unit(l, k, S);
        // a slope of 2^(2^51 - 100) for sample 1, unit 0 (delta 0.7 above it): times a weight of 1e300 it leaves the range
        return l === 0 && k === 2 ? { ...u, slope: this.bin.ldexp(this.bin.one, 2 ** 51 - 100) } : u;
      }
    };
    expect(() => new Steep(ctx, network, batch)).toThrow(/^oracle: cannot compute layer 1, sample 1, unit 0: delta = Z Zc sum_i W_ji delta_i for S = 1\.50000e\+300 \(a value of magnitude 2\^\d+\): it is beyond the BigFloat exponent range/);
    // (unit 0 of layer 1 is saturated, so its change never reaches an output: the first output change is unit 1's)
    const core = new CoreOracle(ctx, network, batch);
    void core.perturbed;
    vi.spyOn(PerturbedNetwork.prototype, 'outputChange').mockImplementation(() => {
      throw limit;
    });
    expect(() => core.finiteDifferences()).toThrow(/^oracle: cannot compute layer 1, sample 0, unit 1: the finite difference dE\/dS for S = 0\.750000 \(e\^x for x = 2e15\)/);
    vi.restoreAllMocks();
    vi.spyOn(PerturbedNetwork.prototype, 'sigmoid').mockImplementation(() => {
      throw limit;
    });
    expect(() => new CoreOracle(ctx, network, batch).finiteDifferences()).toThrow(/^oracle: cannot compute layer 1, sample 0, unit 0: sigma\(S\) for the finite differences/);
  });
});

describe('the command line gives these cases a verdict, or an error naming the entry and the limit', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'bpo-extreme-'));
  for (const [name, json] of [['weights-1e300', huge], ['cancelling-1e300', cancelling], ['beyond-2-50', beyond]] as const) {
    it(`verify --case ${name}.json: never an internal error`, () => {
      const file = join(dir, `${name}.json`);
      const report = join(dir, `${name}.report.json`);
      writeFileSync(file, JSON.stringify(json));
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify', '--impl', 'fixtures/implementations/correct.mjs', '--case', file, '--json', report, '--quiet'], { encoding: 'utf8', timeout: 60_000 });
      expect(run.stdout + run.stderr).not.toMatch(/E_INTERNAL|beyond 2\^50/);
      const parsed = JSON.parse(readFileSync(report, 'utf8')) as { verdict: string; error?: { code: string; message: string } | null };
      if (run.status === 2) {
        // the verifier could not judge the case: then with a stable code and the entry named
        expect(parsed.error?.code).toMatch(/^E_[A-Z_]+$/);
        expect(parsed.error?.code).not.toBe('E_INTERNAL');
        expect(parsed.error?.message).toMatch(/layer \d/);
      } else {
        // the oracle's part: a verdict, every entry certified against the finite differences
        expect([0, 1]).toContain(run.status);
        expect(run.stdout).toMatch(/verdict: (CORRECT|INACCURATE|WRONG)/);
        expect(run.stdout).toMatch(/note: certified/);
        expect(parsed.error ?? null).toBeNull();
        expect(['correct', 'inaccurate', 'wrong']).toContain(parsed.verdict);
      }
    });
  }
});
