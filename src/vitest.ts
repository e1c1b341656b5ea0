/**
 * A vitest matcher: `await expect(myImplementation).toPassBackpropOracle({ runs: 200 })`.
 * Register it once, in a setup file or at the top of a spec:
 *   import { expect } from 'vitest';
 *   import { backpropOracleMatchers } from 'backprop-oracle/vitest';
 *   expect.extend(backpropOracleMatchers);
 */
import type {} from 'vitest';
import { formatReport } from './report/text.js';
import { verify, type Target, type VerifyApiOptions } from './verify/api.js';

/** The matcher's result shape (what vitest's expect.extend expects). */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** Matchers to pass to `expect.extend`. */
export const backpropOracleMatchers = {
  /**
   * Passes when the verdict is correct, or inaccurate without `strict`; the failure message is the
   * verifier's summary with the minimal counterexample.
   */
  async toPassBackpropOracle(received: unknown, options: VerifyApiOptions = {}): Promise<MatcherResult> {
    const report = await verify(received as Target, options);
    const pass = report.exitCode === 0;
    const summary = formatReport(report, 'backprop-oracle verify');
    return {
      pass,
      message: () => (pass ? `expected the implementation not to pass backprop-oracle, but it did:\n${summary}` : `expected the implementation to pass backprop-oracle:\n${summary}`),
    };
  },
};

declare module 'vitest' {
  interface Matchers<T = any> {
    /** Verifies the implementation with backprop-oracle (see `verify`); resolves when it passes. */
    toPassBackpropOracle(options?: VerifyApiOptions): Promise<T>;
  }
}
