import type { BatchJson, Description, NetworkJson } from '../network/types.js';
import { IutError } from './errors.js';
import type { Iut, RequestOptions } from './types.js';

/** Default number of crashes after which a restarting implementation gives up. */
export const DEFAULT_MAX_CRASHES = 100;

/**
 * Crashes after which an implementation that has never answered a single gradients request is not
 * started again, whatever `maxCrashes` says: it crashes on every request, and each restart only
 * costs another start-up (a hundred of them took 10 to 20 s).
 */
export const NEVER_ANSWERED_CRASHES = 10;

/**
 * An implementation that is started again when it crashes, so one crash does not end a run: the
 * request that crashed it rejects with `E_IUT_ERROR` (the case is judged wrong, shrunk and saved
 * like any failure, with the crash in the message), and the next request goes to a fresh process.
 * After `maxCrashes` crashes it stops restarting and the crash is final (`E_IUT_CRASH`), and so
 * after {@link NEVER_ANSWERED_CRASHES} when it has never answered a request (it crashes on every one).
 * A timeout also restarts the process (a process that stopped answering is of no further use) but
 * stays final for the run, as a hang is the verifier's to report, not a value to judge.
 */
export class RestartingIut implements Iut {
  readonly label: string;
  private current: Promise<Iut>;
  private crashes = 0;
  private closed = false;
  /** Whether any gradients request was ever answered (a result or an error answer: the process was alive). */
  private answered = false;

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
      const answer = await iut.gradients(network, batch, options);
      this.answered = true;
      return answer;
    } catch (error) {
      if (error instanceof IutError && error.code === 'E_IUT_ERROR') this.answered = true;
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
      if (!this.answered && this.crashes >= NEVER_ANSWERED_CRASHES) {
        throw new IutError('E_IUT_CRASH', `${error.message} (crash ${this.crashes}: it crashed on every request so far and never answered one (${NEVER_ANSWERED_CRASHES} crashes): no more restarts)`, error.request ? { request: error.request } : {});
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
