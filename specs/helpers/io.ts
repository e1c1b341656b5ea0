import type { Io } from '../../src/cli/run.js';

/** An Io that keeps what the command line writes, for specs to read. */
export function capture(isTTY = false, env: NodeJS.ProcessEnv = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY, env, out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}
