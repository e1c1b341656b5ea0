/**
 * The shapes of claims and of what checking one gives back.
 *
 * A claim is a formula for one gradient entry of a named layer (or for the loss), written per
 * sample; the tool sums it over the batch and compares the sum with the oracle's finite
 * differences. Symbols: `src/claims/symbols.ts` (and the README section "Disproving a derivation").
 */
import type { ActivationName, BatchJson, LossName, NetworkJson, Reduction } from '../network/types.js';
import type { Decimal } from '../oracle/decimal.js';

/** Which layer a claim is about: the last one, the one below it, or a layer number (1 = first). */
export type ClaimLayer = 'output' | 'hidden' | number;

/**
 * Which entry: a weight `dE/dW` (`dE/dV` in a hidden layer), a bias `dE/db`, the loss `E` itself
 * (all summed over the batch), or one factor of the chain rule per sample: `dE/dZ` (the unit's
 * output; `dE/dY_j` in a hidden layer), `dZ/dS` (the activation's slope), `dS/dW` (the input the
 * weight multiplies), `dE/dS` (the delta). `dE/dY`, `dY/dS` and `dS/dV` are accepted as the
 * hidden-layer spellings of the same three.
 */
export type ClaimTarget = 'W' | 'b' | 'loss' | LocalTarget;

/** A target as written: a {@link ClaimTarget} or a hidden-layer spelling of a chain factor. */
export type TargetName = ClaimTarget | 'dE/dY' | 'dY/dS' | 'dS/dV';

/** A factor of the chain rule, claimed per sample. */
export type LocalTarget = 'dE/dZ' | 'dZ/dS' | 'dS/dW' | 'dE/dS';

/**
 * How a claim is evaluated: `decimal` in the oracle's precision (a calculus claim), or `float64`
 * the way a program would (every symbol the double nearest its exact value, every operation
 * rounded to double: a numerics claim).
 */
export type Arithmetic = 'decimal' | 'float64';

/** The quantities of an output-layer entry `dE/dW_ji` for one sample (see `symbols.ts`). */
export interface OutputQuantities {
  readonly Y: Decimal; readonly Y_j: Decimal;
  readonly S: Decimal; readonly S_i: Decimal;
  readonly Z: Decimal; readonly Z_i: Decimal;
  readonly Zc: Decimal; readonly Zc_i: Decimal;
  readonly t: Decimal; readonly t_i: Decimal;
  readonly W: Decimal; readonly W_ji: Decimal;
  readonly b: Decimal; readonly b_i: Decimal;
}

/** The quantities of a hidden-layer entry `dE/dV_kj` for one sample (see `symbols.ts`). */
export interface HiddenQuantities {
  readonly X: Decimal; readonly X_k: Decimal;
  readonly S_j: Decimal; readonly Y_j: Decimal; readonly Yc_j: Decimal;
  readonly V: Decimal; readonly V_kj: Decimal; readonly b_j: Decimal;
}

/** The next layer's quantities of unit i, inside `sum_i` of a hidden-layer claim. */
export interface NextQuantities {
  readonly Z_i: Decimal; readonly Zc_i: Decimal; readonly S_i: Decimal; readonly t_i: Decimal;
  readonly W_ji: Decimal; readonly W_ij: Decimal; readonly delta_i: Decimal;
}

/** What a function claim receives: the symbols of its layer (others throw a ClaimError when read). */
export type ClaimQuantities = OutputQuantities & HiddenQuantities & {
  readonly B: Decimal;
  readonly n_L: Decimal;
  readonly s: Decimal;
  /** The sum over the next layer's units i of `term` (hidden-layer claims only). */
  sum_i(term: (next: NextQuantities) => Decimal | number): Decimal;
  /** The sum over the units k of the softmax row of `term` (cce output claims only). */
  sum_k(term: (unit: RowQuantities) => Decimal | number): Decimal;
  /** leaky_relu's alpha (claims of a leaky_relu layer only). */
  readonly alpha: Decimal;
};

/** The quantities of unit k of a softmax row, inside `sum_k` of a cce output claim. */
export interface RowQuantities {
  readonly Z_k: Decimal; readonly Zc_k: Decimal; readonly S_k: Decimal; readonly t_k: Decimal;
}

/** A claim written as a function: per sample, of Decimals in the oracle's precision. */
export type ClaimFunction = (q: ClaimQuantities) => Decimal | number;

/** A claimed formula for one gradient entry (or the loss), and where it applies. */
export interface Claim {
  /** An expression (mathjs syntax, symbols of `symbols.ts`) or a function of the quantities. */
  readonly formula: string | ClaimFunction;
  /** Default `'output'`. */
  readonly layer?: ClaimLayer;
  /** Default `'W'`. */
  readonly target?: TargetName;
  /** The networks' reduction; default `'sum'` (with `'mean'` the claim must divide by `B * n_L` itself). */
  readonly reduction?: Reduction;
  /**
   * Layers of the generated networks. Default: 1 or 2 for `'output'`, 2 for `'hidden'` (the
   * hidden layer is the one below the output), `max(n, 2)` for a layer number n.
   */
  readonly layers?: number;
  /** Default `'decimal'` (functions: decimal only). */
  readonly arithmetic?: Arithmetic;
  /** How reports name a function claim (default: its source text). */
  readonly label?: string;
  /**
   * The networks' loss (protocol version 2; default `'bce'`). The output layer's activation follows
   * from it unless the claim is about the output layer and names one: bce sigmoid, cce softmax,
   * mse linear (any elementwise activation under mse).
   */
  readonly loss?: LossName;
  /**
   * The activation of the claim's layer: for an output claim the output's (it must fit the loss),
   * for a hidden claim the hidden layer's (default sigmoid; softmax is last-layer only). Other
   * hidden layers of deeper networks stay sigmoid.
   */
  readonly activation?: ActivationName;
  /** leaky_relu's alpha (default 0.01); only with a leaky_relu claim layer. */
  readonly alpha?: number;
}

/** One gradient entry: `layer` is 0-based; `input` is j (k in a hidden layer), `unit` is i (j). */
export interface EntryRef {
  readonly target: ClaimTarget;
  readonly layer: number;
  readonly input: number;
  readonly unit: number;
  /** The sample of a per-sample (chain-factor) entry. */
  readonly sample?: number;
}

/** One sample's quantities in a worked example, in display order, as decimal strings. */
export interface SampleDetail {
  readonly sample: number;
  readonly quantities: readonly (readonly [string, string])[];
  /** Per unit i of the next layer, inside `sum_i` (hidden-layer claims). */
  readonly next: readonly { readonly i: number; readonly quantities: readonly (readonly [string, string])[] }[];
  readonly claimed: string;
}

/** A factor of the derivation's chain and the claim's factors that stand for it. */
export interface FactorMatch {
  /** e.g. `dE/dS = dE/dZ * dZ/dS`. */
  readonly piece: string;
  /** The derivation's formula for it, e.g. `Z - t`. */
  readonly formula: string;
  /** The claim's factors that equal it (their product), or null when the claim lacks it. */
  readonly claimed: string | null;
  /** True when the claim's factors equal minus the piece. */
  readonly negated: boolean;
  /** Value on the counterexample's first sample. */
  readonly value: string;
}

/** Which factor of the chain rule differs, when that can be told. */
export interface FactorAnalysis {
  readonly matches: readonly FactorMatch[];
  /** Factors of the claim that stand for no factor of the derivation: text and value. */
  readonly extra: readonly { readonly text: string; readonly value: string }[];
  /** The conclusion, one sentence per finding. */
  readonly findings: readonly string[];
}

/** The shrunk case on which a claim fails, with everything needed to check it by hand. */
export interface ClaimCounterexample {
  readonly network: NetworkJson;
  readonly batch: BatchJson;
  readonly entry: EntryRef;
  /** `layer 1 (output), dE/dW[j=0][i=0]`. */
  readonly where: string;
  /** The claim summed over the batch. */
  readonly claimed: string;
  /** The finite difference of the oracle's loss (for the loss: the oracle's loss). */
  readonly truth: string;
  readonly magnitude: string;
  /** Correct digits of the claim relative to the magnitude (-Infinity for a non-finite claim). */
  readonly digits: number;
  readonly samples: readonly SampleDetail[];
  readonly factors: FactorAnalysis | null;
  /** For a float64 claim: what the same formula gives in decimal (right: a numerics mistake). */
  readonly decimalValue: string | null;
  /** Whether that decimal value is right (to the decimal claim's digits): then the mistake is numerical. */
  readonly decimalHolds: boolean | null;
  readonly shrinkSteps: number;
  readonly path: string | null;
}

/** A claim as reports describe it. */
export interface ClaimDescription {
  readonly text: string;
  readonly layer: ClaimLayer;
  readonly target: ClaimTarget;
  readonly reduction: Reduction;
  readonly arithmetic: Arithmetic;
  /** Depths of the generated networks. */
  readonly depths: readonly number[];
  /** `output` or `hidden`: which symbol set applies. */
  readonly kind: 'output' | 'hidden';
  /** `dE/dW_ji`, `dE/dV_kj`, `dE/db_i`, `E`, `dZ_i/dS_i`, ... */
  readonly entryName: string;
  /** Present only for a claim that named its family (version 2): the loss, the claim layer's activation, leaky_relu's alpha. */
  readonly loss?: LossName;
  readonly activation?: ActivationName;
  readonly alpha?: number;
}

/** The verdict on a claim, as data (`formatClaimResult` prints it). */
export type ClaimResult =
  | {
      readonly verdict: 'true';
      readonly claim: ClaimDescription;
      readonly cases: number;
      readonly entries: number;
      /** Fewest correct digits over every entry of every case. */
      readonly worstDigits: number;
      readonly minDigits: number;
      readonly seed: number;
      readonly durationMs: number;
    }
  | {
      readonly verdict: 'false';
      readonly claim: ClaimDescription;
      /** Cases run up to and including the first failing one. */
      readonly cases: number;
      readonly minDigits: number;
      readonly seed: number;
      readonly counterexample: ClaimCounterexample;
      readonly durationMs: number;
    };
