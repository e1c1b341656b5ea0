import { inProcess, loadModule } from '../iut/module.js';
import { startCommand } from '../iut/jsonLines.js';
import type { Implementation, Iut } from '../iut/types.js';
import { verifyCases } from './cases.js';
import { verifyGenerated } from './engine.js';
import type { NamedCase, VerifyOptions } from './run.js';
import type { VerifyReport } from './report.js';

/** What `verify` accepts as the implementation under test. */
export type Target =
  | Implementation
  | Iut
  | { readonly module: string }
  | { readonly command: string };

/** Options of `verify`: those of the engine, plus given cases and a per-request timeout. */
export interface VerifyApiOptions extends VerifyOptions {
  /** Verify exactly these cases instead of generated ones. */
  cases?: readonly NamedCase[];
  /** Per-request timeout base in milliseconds (default 5 000, plus 1 ms per thousand weights x samples). */
  timeoutMs?: number;
  /** A name for the implementation in reports (default: the module path, the command, or "implementation"). */
  label?: string;
}

function isIut(target: Target): target is Iut {
  return typeof (target as Iut).close === 'function' && typeof (target as Iut).label === 'string';
}

async function open(target: Target, options: VerifyApiOptions): Promise<{ iut: Iut; owned: boolean }> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  if ('module' in target && typeof target.module === 'string') return { iut: await loadModule(target.module, { timeoutMs }), owned: true };
  if ('command' in target && typeof target.command === 'string') return { iut: await startCommand(target.command, { timeoutMs }), owned: true };
  if (isIut(target)) return { iut: target, owned: false };
  return { iut: inProcess(target as Implementation, options.label ?? 'implementation', { timeoutMs }), owned: true };
}

/**
 * Verifies an implementation of backpropagation against the decimal oracle and returns the report
 * as data (nothing is printed or written). `target` is an object with `gradients` (and optionally
 * `describe`), `{ module: path }`, `{ command: "python3 my_impl.py" }`, or an opened Iut (left open).
 * @example
 *   const report = await verify(myImplementation, { runs: 200 });
 *   if (report.verdict === 'wrong') console.log(report.failures[0]);
 */
export async function verify(target: Target, options: VerifyApiOptions = {}): Promise<VerifyReport> {
  const { iut, owned } = await open(target, options);
  try {
    return options.cases ? await verifyCases(iut, options.cases, options) : await verifyGenerated(iut, options);
  } finally {
    if (owned) await iut.close();
  }
}
