import type { BatchJson, Description, NetworkJson } from '../network/types.js';
import { IutError } from './errors.js';
import type { Iut, RequestOptions } from './types.js';

/** Default number of crashes after which a restarting implementation gives up. */
export const DEFAULT_MAX_CRASHES = 100;

/**
 * An implementation that is started again when it crashes, so one crash does not end a run: the
 * request that crashed it rejects with `E_IUT_ERROR` (the case is judged wrong, shrunk and saved
 * like any failure, with the crash in the message), and the next request goes to a fresh process.
 * After `maxCrashes` crashes it stops restarting and the crash is final (`E_IUT_CRASH`).
 * A timeout also restarts the process (a process that stopped answering is of no further use) but
 * stays final for the run, as a hang is the verifier's to report, not a value to judge.
 */
export class RestartingIut implements Iut {
  readonly label: string;
  private current: Promise<Iut>;
  private crashes = 0;
  private closed = false;

  constructor(private readonly start: () => Promise<Iut>, label: string, private readonly maxCrashes: number = DEFAULT_MAX_CRASHES, first?: Iut) {
    this.label = label;
    this.current = first ? Promise.resolve(first) : start();
  }

  /** How many times the implementation crashed so far. */
  get crashCount(): number {
    return this.crashes;
  }

  async describe(): Promise<Description> {
    return (await this.current).describe();
  }

  async gradients(network: NetworkJson, batch: BatchJson, options?: RequestOptions): Promise<unknown> {
    const iut = await this.current;
    try {
      return await iut.gradients(network, batch, options);
    } catch (error) {
      // once closed, a process that ends is not a crash and is not started again
      if (this.closed || !(error instanceof IutError) || (error.code !== 'E_IUT_CRASH' && error.code !== 'E_IUT_TIMEOUT')) throw error;
      if (error.code === 'E_IUT_TIMEOUT') {
        this.current = this.restart(iut);
        throw error;
      }
      this.crashes += 1;
      if (this.crashes > this.maxCrashes) {
        throw new IutError('E_IUT_CRASH', `${error.message} (crash ${this.crashes}: more than ${this.maxCrashes} crashes, no more restarts)`, error.request ? { request: error.request } : {});
      }
      this.current = this.restart(iut);
      throw new IutError('E_IUT_ERROR', `the implementation crashed on this request and was restarted (crash ${this.crashes} of at most ${this.maxCrashes}): ${error.message}`, error.request ? { request: error.request } : {});
    }
  }

  private async restart(old: Iut): Promise<Iut> {
    await old.close().catch(() => undefined);
    return this.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    const iut = await this.current.catch(() => null);
    await iut?.close();
  }
}
