/**
 * The one error an implementation under test (IUT) causes: it could not be loaded or started,
 * it broke the protocol, was too slow, crashed, or refused a request. Bugs in the IUT's
 * gradients are not errors here: they are what the verifier reports.
 */

/**
 * What went wrong, as a stable code for programs (the message is for people):
 * - `E_IUT_LOAD`: a module could not be loaded (no such file, a syntax error, an exception at
 *   load time, or no `gradients` function in its default export or `implementation` export);
 * - `E_IUT_START`: a command could not be started (command not found, not executable, or it
 *   exited before answering `describe`);
 * - `E_IUT_PROTOCOL`: the IUT broke the protocol (a line on standard output that is not JSON,
 *   an unknown or repeated id, an answer with neither `result` nor `error`, wrong types);
 * - `E_IUT_TIMEOUT`: no answer within the per-request timeout;
 * - `E_IUT_CRASH`: the process exited or was killed while requests were in flight, or a
 *   request was made of an IUT that has exited or been closed;
 * - `E_IUT_ERROR`: the IUT answered `{ "error": { "message": ... } }`, or the in-process
 *   function threw.
 */
export type IutErrorCode =
  | 'E_IUT_LOAD'
  | 'E_IUT_START'
  | 'E_IUT_PROTOCOL'
  | 'E_IUT_TIMEOUT'
  | 'E_IUT_CRASH'
  | 'E_IUT_ERROR';

/** A request made of an IUT: its protocol id and method (`describe` or `gradients`). */
export interface IutRequest {
  readonly id: number;
  readonly method: string;
}

/**
 * An implementation under test failed to do its part. `code` says how; `request`, when the
 * failure belongs to one request, says which.
 */
export class IutError extends Error {
  override readonly name = 'IutError';
  /** What went wrong, for programs. */
  readonly code: IutErrorCode;
  /** The request this error answers, when it belongs to one. */
  readonly request?: IutRequest;

  /**
   * @param code what went wrong
   * @param message a sentence for people: names the IUT, the request and the cause
   * @param options the request the error belongs to, and the underlying error if any
   */
  constructor(code: IutErrorCode, message: string, options: { request?: IutRequest; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.request) this.request = { id: options.request.id, method: options.request.method };
  }
}

/** The message of anything thrown: an Error's message, otherwise its string form. */
export function thrownMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'object' && thrown !== null && typeof (thrown as { message?: unknown }).message === 'string') {
    return (thrown as { message: string }).message;
  }
  return String(thrown);
}

/** `gradients request 3`: how messages name a request. */
export function requestName(request: IutRequest): string {
  return `${request.method} request ${request.id}`;
}
