/** The shape of one classic mistake of the catalogue (`mistakes.ts` lists version 1's, `mistakes2.ts` the version-2 family's). */
import type { Claim } from '../claims/types.js';
import type { ActivationName, LossName } from '../network/types.js';
import type { Hooks } from './implementation.js';
import type { Family, Hooks2 } from './implementation2.js';

/**
 * A claim of the catalogue: a formula, and for a version-2 mistake the network family it is about
 * (the claims' `loss`, `activation` of the claim's layer and leaky_relu's `alpha`).
 */
export type CatalogueClaim = Claim & { readonly formula: string; readonly loss?: LossName; readonly activation?: ActivationName; readonly alpha?: number };

/** One classic mistake. */
export interface Mistake {
  /** Stable id: the pinned counterexample is `fixtures/counterexamples/<id>.json`. */
  readonly id: string;
  readonly name: string;
  /** One line: what is wrong and why. */
  readonly explanation: string;
  /** The mistake as a claim (formula, layer, target, ...). */
  readonly claim: CatalogueClaim;
  /** The right formula for the same entry (same layer, target, reduction and arithmetic). */
  readonly right: string;
  /** The hooks of the correct version-1 implementation that the mistake swaps (none for a version-2 mistake). */
  readonly hooks: Partial<Hooks>;
  /**
   * A version-2 mistake: the family its buggy implementation declares (description activations
   * and losses; kink left) and the hooks of the correct version-2 implementation it swaps.
   * Absent: a version-1 mistake (sigmoid / bce, `implementation.ts`).
   */
  readonly v2?: { readonly family: Family; readonly hooks: Partial<Hooks2> };
  /**
   * A numerics mistake, not a calculus one: it only shows in saturation, where the verifier may
   * call it inaccurate rather than wrong. Killed means flagged non-correct with `--strict`.
   */
  readonly numerics?: boolean;
  /** Where the mistake is known from. */
  readonly source: string;
}

