/**
 * Loading an implementation under test in process: a JavaScript (.js, .mjs, .cjs) or TypeScript
 * (.ts, .mts, .cts) module, imported through tsx.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BatchJson, Description, NetworkJson } from '../network/types.js';
import { parseDescription } from './description.js';
import { IutError, requestName, thrownMessage, type IutRequest } from './errors.js';
import type { Implementation, Iut, RequestOptions } from './types.js';
import { DEFAULT_TIMEOUT_MS as BASE_TIMEOUT_MS, scaledTimeout } from './timeout.js';

/** Options of {@link loadModule}. */
export interface LoadModuleOptions {
  /**
   * How long an asynchronous `describe` or `gradients` may take, in milliseconds, before the
   * request rejects with `E_IUT_TIMEOUT` (a synchronous call cannot be interrupted). Default
   * 10 000; 0 or Infinity for no limit.
   */
  timeoutMs?: number;
  /** Where notes go (a `describe` that threw and so counts as `{}`). Default: nowhere. */
  log?: (line: string) => void;
}

/** Default per-request timeout of asynchronous in-process calls. */
const DEFAULT_TIMEOUT_MS = BASE_TIMEOUT_MS;

/** Whether `value` is an object with a `gradients` function. */
function isImplementation(value: unknown): value is Implementation {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { gradients?: unknown }).gradients === 'function'
  );
}

/**
 * The implementation a module exports: its default export, else its named export
 * `implementation` (also looked for inside a CommonJS `module.exports`), or null.
 */
function findImplementation(namespace: Record<string, unknown>): Implementation | null {
  const fallback = namespace.default as Record<string, unknown> | undefined;
  const candidates: unknown[] = [namespace.default, namespace.implementation];
  if (typeof fallback === 'object' && fallback !== null) candidates.push(fallback.default, fallback.implementation);
  return (candidates.find(isImplementation) as Implementation | undefined) ?? null;
}

/**
 * Imports a module by absolute path through tsx's `tsImport`: TypeScript is compiled on the way,
 * JavaScript is Node's own import (tsx does not transform it, so errors are Node's). One path for
 * both also keeps test runners that rewrite `import()` (vitest) out of the way. Each load gets a
 * fresh module instance.
 */
async function importModule(absolute: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
}

/** Whether a load failure is a syntax error (V8's, or esbuild's when tsx transforms the file). */
function isSyntaxError(thrown: unknown): boolean {
  return thrown instanceof Error && (thrown.name === 'SyntaxError' || /^Transform failed with \d+ error/.test(thrown.message));
}

/**
 * Loads an implementation from a module file, in this process.
 *
 * `path` is resolved against `process.cwd()`. The module's default export, or else its named
 * export `implementation`, must be an object with a `gradients` function and may have a
 * `describe` function (protocol "In-process"); each may be sync or async. Every call gets a
 * deep copy of the network and batch, so an implementation that changes its arguments cannot
 * change the verifier's data. A call that throws rejects with `E_IUT_ERROR`; an async call that
 * does not settle within `timeoutMs` rejects with `E_IUT_TIMEOUT`.
 * @throws IutError `E_IUT_LOAD` when there is no such file, it has a syntax error, it throws
 *   while loading, or it exports no implementation; the message names the path.
 */
export async function loadModule(path: string, options: LoadModuleOptions = {}): Promise<Iut> {
  const absolute = resolve(process.cwd(), path);
  const cannot = (why: string, cause?: unknown): IutError =>
    new IutError('E_IUT_LOAD', `cannot load implementation ${JSON.stringify(path)}: ${why}`, { cause });
  try {
    await stat(absolute);
  } catch (err: unknown) {
    throw cannot(`no such file (${absolute})`, err);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(absolute);
  } catch (err: unknown) {
    const why = isSyntaxError(err) ? 'it has a syntax error' : 'it threw while loading';
    throw cannot(`${why} (${absolute}): ${thrownMessage(err)}`, err);
  }
  const implementation = findImplementation(namespace);
  if (!implementation) {
    const names = Object.keys(namespace).sort();
    const found = names.length === 0 ? 'it exports nothing' : `its exports: ${names.join(', ')}`;
    throw cannot(
      `no default export or named export "implementation" with a gradients function (${absolute}; ${found})`,
    );
  }
  return new ModuleIut(path, implementation, options);
}

/**
 * An implementation object already in hand (such as the built-in reference) as an Iut, with the
 * same guarantees as {@link loadModule}: deep-copied arguments, E_IUT_ERROR for a throw,
 * E_IUT_TIMEOUT for an async call that does not settle in time.
 * @param label how messages name it
 * @throws IutError `E_IUT_LOAD` when `implementation` has no `gradients` function
 */
export function inProcess(implementation: Implementation, label: string, options: LoadModuleOptions = {}): Iut {
  if (!isImplementation(implementation)) {
    throw new IutError('E_IUT_LOAD', `implementation ${JSON.stringify(label)} has no gradients function`);
  }
  return new ModuleIut(label, implementation, options);
}

/** An implementation loaded in process. */
class ModuleIut implements Iut {
  readonly label: string;
  private readonly implementation: Implementation;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private nextId = 0;
  private description: Promise<Description> | null = null;

  constructor(label: string, implementation: Implementation, options: LoadModuleOptions) {
    this.label = label;
    this.implementation = implementation;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.log = options.log ?? ((): void => {});
  }

  describe(): Promise<Description> {
    this.description ??= this.askDescription();
    return this.description;
  }

  /** Calls `describe` once: missing or failing means `{}`, anything else is checked. */
  private async askDescription(): Promise<Description> {
    const describe = this.implementation.describe;
    if (typeof describe !== 'function') return {};
    const request = this.request('describe');
    let answer: unknown;
    try {
      answer = await this.call(request, () => describe.call(this.implementation));
    } catch (err: unknown) {
      if (err instanceof IutError && err.code === 'E_IUT_ERROR') {
        this.log(`${this.label}: describe failed, taking the defaults: ${thrownMessage(err.cause)}`);
        return {};
      }
      throw err;
    }
    return parseDescription(answer, this.label, request);
  }

  gradients(network: NetworkJson, batch: BatchJson, options: RequestOptions = {}): Promise<unknown> {
    const request = this.request('gradients');
    // Copies made now: the caller may change its data while an async call runs.
    const networkCopy = structuredClone(network);
    const batchCopy = structuredClone(batch);
    return this.call(request, () => this.implementation.gradients(networkCopy, batchCopy), options.timeoutMs ?? scaledTimeout(this.timeoutMs, network, batch));
  }

  async close(): Promise<void> {
    // Nothing to release in process.
  }

  private request(method: string): IutRequest {
    return { id: this.nextId++, method };
  }

  /** Runs `fn`; a throw or rejection becomes E_IUT_ERROR, a late async answer E_IUT_TIMEOUT. */
  private call(request: IutRequest, fn: () => unknown, timeoutMs: number = this.timeoutMs): Promise<unknown> {
    const failed = (err: unknown): IutError =>
      new IutError(
        'E_IUT_ERROR',
        `implementation ${JSON.stringify(this.label)} failed on ${requestName(request)}: ${thrownMessage(err)}`,
        { request, cause: err },
      );
    let answer: unknown;
    try {
      answer = fn();
    } catch (err: unknown) {
      return Promise.reject(failed(err));
    }
    if (!isThenable(answer)) return Promise.resolve(answer);
    const settled = Promise.resolve(answer).then(
      (value: unknown) => value,
      (err: unknown) => {
        throw failed(err);
      },
    );
    const limit = timeoutMs;
    if (!(limit > 0 && Number.isFinite(limit))) return settled;
    return new Promise<unknown>((resolvePromise, rejectPromise) => {
      const timer = setTimeout(() => {
        rejectPromise(
          new IutError(
            'E_IUT_TIMEOUT',
            `implementation ${JSON.stringify(this.label)} did not answer ${requestName(request)} within ${limit} ms`,
            { request },
          ),
        );
      }, limit);
      settled.then(
        (value) => {
          clearTimeout(timer);
          resolvePromise(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          rejectPromise(err);
        },
      );
    });
  }
}

/** Whether `value` is a promise or promise-like. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
