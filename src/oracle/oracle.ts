import type { Batch, KinkSide, Network } from '../network/types.js';
import type { DecimalLayerGradient, OracleBackward } from './backward.js';
import type { BigFloat } from './bigfloat.js';
import { createContext, type OracleContext } from './context.js';
import { CoreOracle, type CoreDifferences } from './core.js';
import type { Decimal } from './decimal.js';
import { toDecimal as bigToDecimal } from './decimalBridge.js';
import { toDecimals } from './exact.js';
import { defaultStep, type FiniteDifferenceOptions, type FiniteDifferences } from './finiteDifference.js';
import { decimalNetwork, type DecimalNetwork, type OracleForward } from './forward.js';

/** Everything the oracle computes for one network and batch. */
export interface OracleResult {
  readonly ctx: OracleContext;
  readonly params: DecimalNetwork;
  readonly forward: OracleForward;
  readonly backward: OracleBackward;
  /** Present unless `finiteDifferences: false`. */
  readonly fd: FiniteDifferences | null;
  /**
   * The computation itself, in BigFloat (`core.ts`); the Decimal fields above are made from it on
   * first use. Absent only in results built by hand.
   */
  readonly core?: CoreOracle;
  /** The finite differences through the pre-activations, in BigFloat (null when not computed). */
  readonly coreDifferences?: CoreDifferences | null;
}

/** Options of `oracle`. */
export interface OracleOptions extends FiniteDifferenceOptions {
  /** Significant digits (default 50), or a context to reuse. */
  precision?: number | OracleContext;
  /** Compute finite differences too (default true). */
  finiteDifferences?: boolean;
  /** The side whose derivative a rectifier takes at S = 0 exactly (the implementation's declared convention; default 'left', the protocol's). */
  kink?: KinkSide;
}

/** An OracleResult whose Decimal views are converted from the BigFloat computation once, when read. */
class ComputedOracle implements OracleResult {
  private cached: { params?: DecimalNetwork; forward?: OracleForward; backward?: OracleBackward; fd?: FiniteDifferences | null } = {};

  constructor(
    readonly ctx: OracleContext,
    readonly core: CoreOracle,
    readonly coreDifferences: CoreDifferences | null,
    private readonly step: Decimal | undefined,
  ) {}

  private dec(x: BigFloat): Decimal {
    return bigToDecimal(this.core.bin, x, this.ctx.D);
  }

  private decs(xs: readonly BigFloat[]): Decimal[] {
    return xs.map((x) => this.dec(x));
  }

  get params(): DecimalNetwork {
    return (this.cached.params ??= decimalNetwork(this.ctx, this.core.network));
  }

  get forward(): OracleForward {
    if (!this.cached.forward) {
      const c = this.core;
      this.cached.forward = {
        X: toDecimals(this.ctx, c.batch.X),
        T: toDecimals(this.ctx, c.batch.T),
        S: c.S.map((v) => this.decs(v)),
        Z: c.Z.map((v) => this.decs(v)),
        Zc: c.Zc.map((v) => this.decs(v)),
        f: c.f.map((v) => this.decs(v)),
        terms: this.decs(c.terms),
        loss: this.dec(c.loss),
      };
    }
    return this.cached.forward;
  }

  /**
   * Per layer, dE/dW_ji = sum_b Y_j v_i and dE/db_i = sum_b v_i (or magnitudes) from per-sample
   * vectors v of every layer; Y the analytic pass's inputs, or the given ones (the differenced network's).
   */
  private perParameter(vectors: readonly (readonly BigFloat[] | null)[], abs: boolean, inputs?: readonly (readonly BigFloat[])[]): DecimalLayerGradient[] {
    return this.core.network.layers.map(({ nIn, nOut, b }, l) => {
      const v = vectors[l];
      if (!v) return { W: [], b: null };
      const Y = inputs ? inputs[l]! : this.core.inputsOf(l);
      const W = new Array<Decimal>(nIn * nOut);
      for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) W[j * nOut + i] = this.dec(this.core.sumOverBatch(l, j, i, v, abs, Y));
      const Gb = b ? Array.from({ length: nOut }, (_, i) => this.dec(this.core.sumSamples(l, i, v))) : null;
      return { W, b: Gb };
    });
  }

  get backward(): OracleBackward {
    if (!this.cached.backward) {
      const c = this.core;
      this.cached.backward = {
        delta: c.delta.map((v) => this.decs(v)),
        deltaMagnitude: c.deltaMagnitude.map((v) => this.decs(v)),
        layers: this.perParameter(c.delta, false),
        magnitudes: this.perParameter(c.deltaMagnitude, true),
      };
    }
    return this.cached.backward;
  }

  get fd(): FiniteDifferences | null {
    if (this.cached.fd === undefined) {
      const d = this.coreDifferences;
      if (!d) this.cached.fd = null;
      else {
        const preActivation = d.preActivation.map((v) => (v ? this.decs(v) : []));
        // the per-parameter differences use the differenced network's own Y, not the analytic pass's Z
        const base = { step: this.step ?? defaultStep(this.ctx), preActivation, layers: this.perParameter(d.preActivation, false, d.inputs) };
        this.cached.fd = d.truncation ? { ...base, truncation: d.truncation.map((v) => (v ? this.decs(v) : [])) } : base;
      }
    }
    return this.cached.fd;
  }
}

/**
 * The high-precision oracle: forward pass, loss, analytic gradients with their magnitudes, and
 * (unless disabled) finite-difference gradients through the pre-activations, at `precision`
 * digits. Computed in BigFloat (`core.ts`); the Decimal fields are converted when first read.
 */
export function oracle(network: Network, batch: Batch, options: OracleOptions = {}): OracleResult {
  const ctx = typeof options.precision === 'object' ? options.precision : createContext(options.precision);
  const core = new CoreOracle(ctx, network, batch, options.kink ?? 'left');
  const differences = options.finiteDifferences === false ? null : core.finiteDifferences(options);
  return new ComputedOracle(ctx, core, differences, options.step);
}
