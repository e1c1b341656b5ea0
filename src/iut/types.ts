/**
 * The two faces of an implementation under test: what a module exports ({@link Implementation},
 * protocol "In-process") and what the verifier talks to ({@link Iut}), whether the
 * implementation runs in this process or as a command speaking JSON Lines.
 */
import type { BatchJson, Description, NetworkJson, ResultJson } from '../network/types.js';

export type { BatchJson, Description, NetworkJson, ResultJson } from '../network/types.js';

/**
 * What an in-process module exports (its default export, or its named export
 * `implementation`): `gradients` and optionally `describe`, each sync or async.
 */
export interface Implementation {
  /** What the implementation says of itself; every field optional (protocol "Description"). */
  describe?(): Description | Promise<Description>;
  /** Loss, gradients and optionally the last layer's outputs for one network and batch. */
  gradients(network: NetworkJson, batch: BatchJson): ResultJson | Promise<ResultJson>;
}

/** Options of one request. */
export interface RequestOptions {
  /** This request's timeout in milliseconds, instead of the implementation's default. */
  timeoutMs?: number;
}

/**
 * An implementation under test as the verifier sees it, in process or out of process.
 * Every Iut must be closed with {@link Iut.close} when done (it may own a child process).
 */
export interface Iut {
  /** How messages name it: the module path or the command line as given. */
  readonly label: string;
  /**
   * Its description, checked: unknown fields are left out, bad types reject with an IutError
   * `E_IUT_PROTOCOL` naming the field. A missing `describe`, or one answered with an error,
   * gives `{}` (the protocol's defaults apply).
   */
  describe(): Promise<Description>;
  /**
   * The raw result for one network and batch, as the implementation gave it (not validated:
   * see `parseGradients` in src/network/validate.ts), or a rejection with an IutError.
   */
  gradients(network: NetworkJson, batch: BatchJson, options?: RequestOptions): Promise<unknown>;
  /** Releases it: for a command, ends its standard input and waits (bounded) for it to exit. */
  close(): Promise<void>;
}
