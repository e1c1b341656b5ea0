import { describe, expect, it } from 'vitest';
import { CaseOracle, createContext } from '../../src/oracle/api.js';
import { CoreOracle } from '../../src/oracle/core.js';
import fc from 'fast-check';
import { Binary, type BigFloat } from '../../src/oracle/bigfloat.js';
import { BinaryMath } from '../../src/oracle/bigfloatMath.js';
import { bigFloatExact } from '../../src/oracle/exactArithmetic.js';
import { cceSoftmax, softmax } from '../../src/layers/index.js';
import type { ActivationName, Batch, Layer, Network } from '../../src/network/types.js';

/**
 * Softmax rows whose logit gaps lie far beyond 709 (where e^S overflows a double): the oracle's
 * cce term, output Z and delta stay finite and exact (lse(S) = m + log1p(r), every e^(S_k - m)
 * <= 1; Zc of the dominant unit holds e^-gap to full precision), and agree with its finite
 * differences, for one-hot and soft target rows.
 */

const ctx = createContext(50);
const MIN_DIGITS = 20;

function layer(nIn: number, nOut: number, W: number[], b: number[] | null, activation: ActivationName): Layer {
  return { nIn, nOut, W: Float64Array.from(W), b: b ? Float64Array.from(b) : null, activation };
}

function batchOf(X: number[], T: number[], nIn: number, nOut: number): Batch {
  return { size: X.length / nIn, nIn, nOut, X: Float64Array.from(X), T: Float64Array.from(T) };
}

function digits(core: CoreOracle, a: BigFloat, b: BigFloat, scale: BigFloat): number {
  const d = core.bin.abs(core.bin.sub(a, b));
  if (d.m === 0n) return Infinity;
  return core.bin.log10Abs(scale) - core.bin.log10Abs(d);
}

describe('softmax + cce with logit gaps beyond 709', () => {
  // S = [0, 1000, 5000, -3000] (gaps up to 8000)
  const wide: Network = { layers: [layer(1, 4, [0, 1000, 5000, -3000], null, 'softmax')], reduction: 'sum', loss: 'cce' };

  it('one-hot at a unit 5000 below the largest: E = 5000 + log1p(e^-4000 + e^-5000 + e^-8000), exactly', () => {
    const batch = batchOf([1], [1, 0, 0, 0], 1, 4);
    const core = new CoreOracle(ctx, wide, batch);
    const { bin, math } = core;
    const r = bin.add(bin.add(math.exp(bin.fromInt(-4000)), math.exp(bin.fromInt(-5000))), math.exp(bin.fromInt(-8000)));
    const expected = bin.add(bin.fromInt(5000), math.log1p(r));
    expect(digits(core, core.loss, expected, expected)).toBeGreaterThanOrEqual(50);
    // one-hot at the largest unit instead: E = log1p(r) = e^-1000 + ..., to full relative precision (no 1 - Z)
    const top = new CoreOracle(ctx, wide, batchOf([1], [0, 0, 1, 0], 1, 4));
    const small = bin.add(bin.add(math.exp(bin.fromInt(-4000)), math.exp(bin.fromInt(-5000))), math.exp(bin.fromInt(-8000)));
    expect(digits(top, top.loss, math.log1p(small), math.log1p(small))).toBeGreaterThanOrEqual(50);
    // one term per sample (the row's), finite
    expect(core.terms.length).toBe(1);
    // Z: the dominant unit's complement e^-4000 (relative), the smallest output e^-8000, every one finite and nonzero
    expect(core.Z[0]!.every((z) => z.m !== 0n)).toBe(true);
    expect(digits(core, core.Zc[0]![2]!, math.exp(bin.fromInt(-4000)), math.exp(bin.fromInt(-4000)))).toBeGreaterThanOrEqual(40);
    // delta_0 = -Zc_0 = -(1 - e^-5000...) and delta_2 = Z_2
    expect(digits(core, core.delta[0]![2]!, core.Z[0]![2]!, core.Z[0]![2]!)).toBeGreaterThanOrEqual(50);
    expect(bin.toNumber(core.delta[0]![0]!)).toBe(-1);
    const o = CaseOracle.of(ctx, wide, batch);
    expect(o.differenceAgreement().worstDigits).toBeGreaterThanOrEqual(MIN_DIGITS);
    expect(Number.isFinite(o.exact({ kind: 'loss' }).toNumber())).toBe(true);
  });

  it('soft target rows summing to exactly 1 and a hidden tanh layer with wide gaps, every reduction: the differences agree', () => {
    for (const reduction of ['sum', 'mean'] as const) {
      const network: Network = {
        layers: [layer(2, 3, [0.3, -1.2, 0.8, 0.5, 0.1, -0.7], [0.1, 0, -0.2], 'tanh'), layer(3, 4, [900, -800, 2000, 5, -1500, 700, 0.5, 3000, 400, -2500, 60, 1], [0, 100, -50, 7], 'softmax')],
        reduction,
        loss: 'cce',
      };
      const batch = batchOf([0.7, -0.4, -1.1, 0.9], [0.25, 0.125, 0.5, 0.125, 0, 1, 0, 0], 2, 4);
      const core = new CoreOracle(ctx, network, batch);
      // the logit gaps of each row exceed 709
      for (let s = 0; s < 2; s++) {
        const row = core.S[1]!.slice(s * 4, s * 4 + 4).map((x) => core.bin.toNumber(x));
        expect(Math.max(...row) - Math.min(...row)).toBeGreaterThan(709);
      }
      expect(Number.isFinite(core.bin.toNumber(core.loss))).toBe(true);
      const o = CaseOracle.of(ctx, network, batch);
      const a = o.differenceAgreement();
      expect(a.worstDigits).toBeGreaterThanOrEqual(MIN_DIGITS);
      for (let k = 0; k < o.parameterCount; k++) expect(o.entryAgreement(o.layout.locate(k))!).toBeGreaterThanOrEqual(MIN_DIGITS);
    }
  });
});

describe('cce termChangeOfRow: several logits of a row moved at once', () => {
  const bin = new Binary(200);
  const x = bigFloatExact(bin, new BinaryMath(bin));
  const wideBin = new Binary(2000);
  const wide = bigFloatExact(wideBin, new BinaryMath(wideBin));

  it('equals the difference of the row terms at 2000 bits to 40 digits relative to sum_k t_k sum_j Z_j |D_j - D_k|', () => {
    const row = fc.integer({ min: 2, max: 5 }).chain((n) =>
      fc.record({
        S: fc.array(fc.double({ min: -2000, max: 2000, noNaN: true }), { minLength: n, maxLength: n }),
        D: fc.array(fc.oneof(fc.constant(0), fc.double({ min: -1e-20, max: 1e-20, noNaN: true }), fc.double({ min: -0.4, max: 0.4, noNaN: true })), { minLength: n, maxLength: n }),
        t: fc.array(fc.nat({ max: 16 }), { minLength: n, maxLength: n }).filter((a) => a.some((v) => v > 0)),
      }),
    );
    fc.assert(
      fc.property(row, ({ S, D, t }) => {
        const n = S.length;
        const total = t.reduce((a, b) => a + b, 0);
        const targetIn = (b: Binary) => (k: number) => ({ t: b.div(b.fromInt(t[k]!), b.fromInt(total)), tc: b.div(b.fromInt(total - t[k]!), b.fromInt(total)), raw: t[k]! / total });
        const Sx = S.map((v) => bin.fromNumber(v));
        const Z = new Array<BigFloat>(n);
        const Zc = new Array<BigFloat>(n);
        softmax.exact.row(x, Sx, 0, n, Z, Zc);
        const change = cceSoftmax.exact.termChangeOfRow!(x, Sx, Z, targetIn(bin), 0, n, D.map((v) => (v === 0 ? null : bin.fromNumber(v))));
        // the direct difference of the row terms at 2000 bits (S + D exact there)
        const Sw = S.map((v) => wideBin.fromNumber(v));
        const Sp = S.map((v, j) => wideBin.add(wideBin.fromNumber(v), wideBin.fromNumber(D[j]!)));
        const direct = wideBin.sub(cceSoftmax.exact.termRow(wide, Sp, targetIn(wideBin), 0, n), cceSoftmax.exact.termRow(wide, Sw, targetIn(wideBin), 0, n));
        let scale = 0;
        for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) scale += (t[k]! / total) * bin.toNumber(Z[j]!) * Math.abs(D[j]! - D[k]!);
        const diff = Math.abs(wideBin.toNumber(wideBin.sub(wideBin.norm(change.m, change.e), direct)));
        return diff <= 1e-40 * scale + 1e-300;
      }),
      { seed: 1203, numRuns: 200 },
    );
  });

  it('a common shift of the row changes nothing, exactly', () => {
    const Sx = [0.5, -3, 800].map((v) => bin.fromNumber(v));
    const Z = new Array<BigFloat>(3);
    const Zc = new Array<BigFloat>(3);
    softmax.exact.row(x, Sx, 0, 3, Z, Zc);
    const shift = bin.fromNumber(1e-7);
    const T = [0.25, 0.75, 0];
    const target = (k: number) => ({ t: bin.fromNumber(T[k]!), tc: bin.fromNumber(1 - T[k]!), raw: T[k]! });
    expect(cceSoftmax.exact.termChangeOfRow!(x, Sx, Z, target, 0, 3, [shift, shift, shift]).m).toBe(0n);
  });
});
