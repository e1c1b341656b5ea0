/**
 * An implementation under test out of process: a command that speaks JSON Lines over stdio
 * (protocol "Out-of-process"). Requests are pipelined and answers matched by id.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants } from 'node:os';
import type { BatchJson, Description, NetworkJson } from '../network/types.js';
import { describeValue } from '../network/errors.js';
import { parseDescription } from './description.js';
import { IutError, requestName, type IutRequest } from './errors.js';
import type { Iut, RequestOptions } from './types.js';
import { DEFAULT_TIMEOUT_MS, scaledTimeout } from './timeout.js';

/** Options of {@link startCommand}. */
export interface StartCommandOptions {
  /** How long each request may wait for its answer once sent, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /**
   * How long the command may take to start and answer the first `describe`, in milliseconds
   * (interpreters that load a large library can take seconds). Default 30 000.
   */
  startTimeoutMs?: number;
  /** How many requests may be outstanding at once; more wait their turn. Default 8. */
  maxInFlight?: number;
  /** Receives every line the command writes to standard error. Default: nowhere. */
  log?: (line: string) => void;
  /** The command's working directory. Default: this process's. */
  cwd?: string;
  /**
   * How long {@link Iut.close} waits for the command to exit after its standard input closes,
   * and again after SIGTERM, before SIGKILL, in milliseconds. Default 2 000.
   */
  closeGraceMs?: number;
}

/** Defaults of {@link StartCommandOptions}. */
/** How long a process killed with SIGKILL is waited for at most. */
const KILLED_EXIT_MS = 5_000;

const DEFAULTS = { timeoutMs: DEFAULT_TIMEOUT_MS, startTimeoutMs: 30_000, maxInFlight: 8, closeGraceMs: 2_000 } as const;

/** How many of the last standard-error lines messages quote. */
const STDERR_TAIL = 10;

/** Longest line of standard output quoted in a message. */
const MAX_QUOTED_LINE = 120;

/** A request from its creation to its answer. */
interface Pending extends IutRequest {
  /** The request's JSON line, newline included. */
  readonly line: string;
  /** How long it may wait for its answer once sent, in milliseconds (0 or Infinity: no limit). */
  readonly timeoutMs: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: IutError) => void;
  timer?: NodeJS.Timeout;
}

/** How the command ended: exit code or signal. */
interface Ending {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Starts a command that speaks the protocol's JSON Lines and asks it to `describe` itself.
 *
 * The command line runs in a shell (its own process group, so that closing it ends everything
 * it started). Requests are written one JSON object per line (`JSON.stringify`, so every float64
 * travels exactly), up to `maxInFlight` at once, waiting for the pipe to drain when it is full;
 * answers are read line by line (`\n` or `\r\n`) and matched by id in any order. Standard error
 * goes line by line to `log` and is never parsed.
 *
 * Resolves once the command has answered `describe` (an error answer counts as `{}`); the Iut
 * must then be closed with {@link Iut.close}.
 * @throws IutError `E_IUT_START` when the shell cannot run it (command not found: exit code
 *   127, not executable: 126) or it exits before answering `describe`; `E_IUT_TIMEOUT` when
 *   that answer takes longer than `startTimeoutMs`; `E_IUT_PROTOCOL` when it is malformed.
 *   The process is ended before the promise rejects.
 */
export async function startCommand(command: string, options: StartCommandOptions = {}): Promise<Iut> {
  const iut = new CommandIut(command, options);
  try {
    await iut.start();
  } catch (err: unknown) {
    await iut.close();
    throw err;
  }
  return iut;
}

/** A running command and its outstanding requests. */
class CommandIut implements Iut {
  readonly label: string;
  private readonly timeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly closeGraceMs: number;
  private readonly log: (line: string) => void;
  private readonly child: ChildProcessWithoutNullStreams;
  /** Requests not yet written, oldest first. */
  private readonly queue: Pending[] = [];
  /** Requests written and not yet answered, by id. */
  private readonly inFlight = new Map<number, Pending>();
  /** Ids that timed out: a late answer to one is dropped, not a protocol error. */
  private readonly timedOut = new Set<number>();
  /** Ids answered: another answer to one is a protocol error. */
  private readonly answered = new Set<number>();
  private readonly stderrTail: string[] = [];
  private nextId = 0;
  /** Number of the last complete standard-output line read (1-based). */
  private stdoutLine = 0;
  private stdoutRest = '';
  private stderrRest = '';
  /** Waiting for 'drain' before writing more. */
  private blocked = false;
  private started = false;
  private description: Description = {};
  /** Set once the process has exited (its stdio closed) or could not be spawned. */
  private ending: Ending | null = null;
  private spawnError: Error | null = null;
  /** Set once the IUT can take no more requests; later requests reject with it. */
  private broken: IutError | null = null;
  private closing: Promise<void> | null = null;
  private readonly exited: Promise<void>;

  constructor(command: string, options: StartCommandOptions) {
    this.label = command;
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULTS.startTimeoutMs;
    this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? DEFAULTS.maxInFlight) || 1);
    this.closeGraceMs = options.closeGraceMs ?? DEFAULTS.closeGraceMs;
    this.log = options.log ?? ((): void => {});
    this.child = spawn(command, {
      shell: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let markExited: () => void = () => {};
    this.exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const { stdin, stdout, stderr } = this.child;
    stdout.setEncoding('utf8');
    stderr.setEncoding('utf8');
    stdout.on('data', (chunk: string) => this.onStdout(chunk));
    stderr.on('data', (chunk: string) => this.onStderr(chunk));
    // A write to a process that has gone fails with EPIPE; its exit is what counts.
    stdin.on('error', () => {});
    this.child.on('error', (err: Error) => {
      // Only spawning fails this way (kill errors are caught where they happen).
      this.spawnError = err;
      this.onEnd({ code: null, signal: null });
      markExited();
    });
    this.child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.stdoutRest !== '') this.onLine(this.stdoutRest);
      if (this.stderrRest !== '') this.onStderrLine(this.stderrRest);
      this.stdoutRest = this.stderrRest = '';
      this.onEnd({ code, signal });
      markExited();
    });
  }

  /** Sends `describe` and waits for its answer (see {@link startCommand}). */
  async start(): Promise<void> {
    let answer: unknown;
    const request = this.enqueue('describe', {}, this.startTimeoutMs);
    try {
      answer = await request.answer;
    } catch (err: unknown) {
      if (err instanceof IutError && err.code === 'E_IUT_ERROR') {
        answer = {};
      } else {
        throw err;
      }
    }
    this.description = parseDescription(answer, this.label, request.request);
    this.started = true;
  }

  describe(): Promise<Description> {
    return Promise.resolve(structuredClone(this.description));
  }

  gradients(network: NetworkJson, batch: BatchJson, options: RequestOptions = {}): Promise<unknown> {
    return this.enqueue('gradients', { network, batch }, options.timeoutMs ?? scaledTimeout(this.timeoutMs, network, batch)).answer;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** Ends standard input and waits for the exit; SIGTERM, then SIGKILL, when it takes too long. */
  private async shutDown(): Promise<void> {
    const closed = new IutError('E_IUT_CRASH', `implementation ${this.quoted} was closed before the request was sent`);
    this.broken ??= closed;
    for (const pending of this.queue.splice(0)) pending.reject(this.withRequest(closed, pending));
    this.child.stdin.end();
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (await this.exitsWithin(this.closeGraceMs)) return;
      this.killGroup(signal);
    }
    // SIGKILL cannot be ignored, but on a loaded machine the exit can take longer than the grace:
    // wait for it (bounded), so that a closed implementation is gone when close() resolves
    await this.exitsWithin(Math.max(this.closeGraceMs, KILLED_EXIT_MS));
  }

  /** Whether the process has exited, or does so within `ms`. */
  private async exitsWithin(ms: number): Promise<boolean> {
    if (this.ending) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const result = await Promise.race([this.exited.then(() => true as const), late]);
    clearTimeout(timer);
    return result;
  }

  /** Sends `signal` to the command's process group (the shell and everything it started). */
  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    try {
      if (pid !== undefined) process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  private get quoted(): string {
    return JSON.stringify(this.label);
  }

  /** A copy of `err` that belongs to `request`. */
  private withRequest(err: IutError, request: IutRequest): IutError {
    return new IutError(err.code, err.message, { request, cause: err.cause });
  }

  /** Creates a request and queues it, or rejects it at once when the IUT is unusable. */
  private enqueue(
    method: string,
    body: Record<string, unknown>,
    timeoutMs: number,
  ): { request: IutRequest; answer: Promise<unknown> } {
    const id = this.nextId++;
    const request: IutRequest = { id, method };
    const line = `${JSON.stringify({ id, method, ...body })}\n`;
    const answer = new Promise<unknown>((resolve, reject) => {
      const unusable = this.unusable();
      if (unusable) {
        reject(this.withRequest(unusable, request));
        return;
      }
      this.queue.push({ id, method, line, timeoutMs, resolve, reject });
      this.pump();
    });
    return { request, answer };
  }

  /** Why no request can be made now, or null. */
  private unusable(): IutError | null {
    if (this.broken) return this.broken;
    if (this.ending) {
      return new IutError('E_IUT_CRASH', `implementation ${this.quoted} ${this.endingText(this.ending)}${this.stderrText()}`);
    }
    return null;
  }

  /** Writes queued requests while there is room in flight and the pipe takes them. */
  private pump(): void {
    while (!this.blocked && this.inFlight.size < this.maxInFlight) {
      const pending = this.queue.shift();
      if (!pending) return;
      this.inFlight.set(pending.id, pending);
      const limit = pending.timeoutMs;
      if (limit > 0 && Number.isFinite(limit)) {
        pending.timer = setTimeout(() => this.onTimeout(pending, limit), limit);
      }
      if (!this.child.stdin.write(pending.line)) {
        this.blocked = true;
        this.child.stdin.once('drain', () => {
          this.blocked = false;
          this.pump();
        });
      }
    }
  }

  private onTimeout(pending: Pending, limit: number): void {
    this.inFlight.delete(pending.id);
    this.timedOut.add(pending.id);
    pending.reject(
      new IutError(
        'E_IUT_TIMEOUT',
        `implementation ${this.quoted} did not answer ${requestName(pending)} within ${limit} ms`,
        { request: pending },
      ),
    );
    this.pump();
  }

  /** Removes an answered request and settles it. */
  private settle(pending: Pending, outcome: { value: unknown } | { error: IutError }): void {
    clearTimeout(pending.timer);
    this.inFlight.delete(pending.id);
    this.answered.add(pending.id);
    if ('error' in outcome) pending.reject(outcome.error);
    else pending.resolve(outcome.value);
    this.pump();
  }

  private onStdout(chunk: string): void {
    const lines = (this.stdoutRest + chunk).split('\n');
    this.stdoutRest = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  private onStderr(chunk: string): void {
    const lines = (this.stderrRest + chunk).split('\n');
    this.stderrRest = lines.pop() ?? '';
    for (const line of lines) this.onStderrLine(line);
  }

  private onStderrLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
    this.log(line);
  }

  /** One line of standard output: an answer, or a protocol violation. */
  private onLine(raw: string): void {
    this.stdoutLine++;
    if (this.broken) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const where = `line ${this.stdoutLine} of its standard output`;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      const nonFinite = nonFiniteWord(line);
      this.breakProtocol(nonFinite !== null
        ? `${where} is not JSON: it has ${nonFinite}, which JSON cannot write: send null in its place (the verifier reports a null as a non-finite value): ${quoteLine(line)}`
        : `${where} is not JSON (diagnostics belong on standard error): ${quoteLine(line)}`);
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.breakProtocol(`${where} is ${describeValue(message)}, expected an object with "id" and "result" or "error"`);
      return;
    }
    const answer = message as Record<string, unknown>;
    const id = answer.id;
    if (typeof id !== 'number') {
      this.breakProtocol(`${where} has "id" ${describeValue(id)}, expected the number of a request`);
      return;
    }
    const pending = this.inFlight.get(id);
    if (!pending) {
      if (this.timedOut.delete(id)) {
        this.answered.add(id); // a late answer to a request that timed out: dropped
        return;
      }
      const what = this.answered.has(id) ? 'a second answer to request' : 'an answer to request';
      const which = this.answered.has(id) ? '' : ', which was never sent';
      this.breakProtocol(`${where} is ${what} id ${id}${which}`);
      return;
    }
    const hasResult = 'result' in answer;
    const hasError = 'error' in answer;
    const bad = (detail: string): void =>
      this.settle(pending, {
        error: new IutError(
          'E_IUT_PROTOCOL',
          `implementation ${this.quoted} broke the protocol: its answer to ${requestName(pending)} (${where}) ${detail}`,
          { request: pending },
        ),
      });
    if (hasResult === hasError) {
      bad(hasResult ? 'has both "result" and "error"' : 'has neither "result" nor "error"');
      return;
    }
    if (hasResult) {
      this.settle(pending, { value: answer.result });
      return;
    }
    const error = answer.error;
    const text = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
    if (typeof text !== 'string') {
      bad(`has "error" ${describeValue(error)}, expected { "message": string }`);
      return;
    }
    this.settle(pending, {
      error: new IutError('E_IUT_ERROR', `implementation ${this.quoted} failed on ${requestName(pending)}: ${text}`, {
        request: pending,
      }),
    });
  }

  /**
   * A violation that belongs to no request (unparsable line, unknown or repeated id): nothing it
   * says can be trusted any more, so every outstanding request fails and so do later ones.
   */
  private breakProtocol(detail: string): void {
    const err = new IutError('E_IUT_PROTOCOL', `implementation ${this.quoted} broke the protocol: ${detail}`);
    this.broken = err;
    this.failAll(err);
  }

  /** Rejects every queued and in-flight request with a copy of `err` naming the request. */
  private failAll(err: IutError): void {
    const all = [...this.inFlight.values(), ...this.queue.splice(0)];
    this.inFlight.clear();
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.reject(this.withRequest(err, pending));
    }
  }

  /** The process has exited (or never started): fail what is outstanding. */
  private onEnd(ending: Ending): void {
    if (this.ending) return;
    this.ending = ending;
    for (const pending of this.inFlight.values()) clearTimeout(pending.timer);
    if (!this.started && !this.broken) {
      this.failAll(new IutError('E_IUT_START', `cannot start implementation ${this.quoted}: ${this.startFailure(ending)}${this.stderrText()}`));
      return;
    }
    const outstanding = [...this.inFlight.values(), ...this.queue];
    if (outstanding.length === 0) return;
    const what = outstanding.length === 1 ? `${requestName(outstanding[0]!)} was` : `${outstanding.length} requests were`;
    this.failAll(
      new IutError('E_IUT_CRASH', `implementation ${this.quoted} ${this.endingText(ending)} while ${what} in flight${this.stderrText()}`),
    );
  }

  /** Why the command did not start: spawn failure, shell codes 127 and 126, or an early exit. */
  private startFailure(ending: Ending): string {
    if (this.spawnError) return `the shell could not be started: ${this.spawnError.message}`;
    if (ending.code === 127) return 'command not found (the shell exited with code 127)';
    if (ending.code === 126) return 'command not executable (the shell exited with code 126)';
    return `it ${this.endingText(ending)} before answering describe`;
  }

  /**
   * `exited with code 1`, `was killed by signal SIGKILL`, or for a shell that reports its
   * command's death by signal as 128 + n: `exited with code 137 (killed by signal SIGKILL?)`.
   */
  private endingText(ending: Ending): string {
    if (ending.signal) return `was killed by signal ${ending.signal}`;
    const signal = ending.code !== null && ending.code > 128 ? signalName(ending.code - 128) : undefined;
    return `exited with code ${ending.code}${signal ? ` (killed by signal ${signal}?)` : ''}`;
  }

  /** The last standard-error lines, indented, for a message (empty when there were none). */
  private stderrText(): string {
    if (this.stderrTail.length === 0) return '';
    return `; the last lines of its standard error:\n${this.stderrTail.map((line) => `  ${line}`).join('\n')}`;
  }
}

/** The name of signal number `n` (`SIGKILL` for 9), if there is one. */
function signalName(n: number): string | undefined {
  return Object.entries(constants.signals).find(([, number]) => number === n)?.[0];
}

/** A standard-output line quoted for a message, shortened when long. */
/**
 * The NaN, Infinity or -Infinity (as Python's json.dumps writes them) that keeps a line from being
 * JSON: the word, when writing null in its place makes the line parse; otherwise null.
 */
export function nonFiniteWord(line: string): string | null {
  const word = /(?<=[[,:]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/;
  const found = word.exec(line);
  if (!found) return null;
  try {
    JSON.parse(line.replace(new RegExp(word.source, 'g'), 'null'));
    return found[1]!;
  } catch {
    return null;
  }
}

function quoteLine(line: string): string {
  return JSON.stringify(line.length > MAX_QUOTED_LINE ? `${line.slice(0, MAX_QUOTED_LINE)}...` : line);
}
