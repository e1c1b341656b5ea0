import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { capture } from '../helpers/io.js';

/**
 * Reliability: whatever an implementation does, the verifier finishes with the right verdict, a
 * message naming the fault and the request, and the triggering case saved for replay.
 * fixtures/hostile/hostile.py MODE misbehaves one way per mode (see its header).
 */


async function hostile(mode: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string; corpus: string; ms: number }> {
  const corpus = mkdtempSync(join(tmpdir(), 'bo-hostile-'));
  const io = capture();
  const started = performance.now();
  const code = await run(['verify', '--cmd', `python3 fixtures/hostile/hostile.py ${mode}`, '--runs', '8', '--quiet', '--timeout', '1000', '--corpus', corpus, ...extra], io);
  return { code, stdout: io.stdout, stderr: io.stderr, corpus, ms: performance.now() - started };
}

function saved(corpus: string): number {
  return readdirSync(corpus, { recursive: true }).filter((f) => String(f).endsWith('.json')).length;
}

describe('hostile implementations over JSON Lines', () => {
  it('answers an error: wrong, the case shrunk and saved, the message quoted', async () => {
    const r = await hostile('error');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('WRONG at result');
    expect(r.stdout).toContain('hostile.py refuses this request');
    expect(saved(r.corpus)).toBe(1);
  });

  it('NaN sent as null: wrong, reported as a non-finite value', async () => {
    const r = await hostile('null');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('WRONG at loss E');
    expect(r.stdout).toContain('non-finite (NaN or Infinity)');
  });

  it('wrong shapes, missing fields, strings for numbers: wrong, as a malformed result naming the field', async () => {
    for (const [mode, field] of [['shape', 'result.gradients'], ['missing', 'result.loss'], ['strings', 'result.loss']] as const) {
      const r = await hostile(mode);
      expect(r.code, mode).toBe(1);
      expect(r.stdout, mode).toContain(`malformed result: ${field}`);
    }
  });

  it('extra fields are allowed by the protocol: correct', async () => {
    expect((await hostile('extra')).code).toBe(0);
  });

  it('another id, a duplicate answer, a line that is not JSON, a 30 MB line: protocol breach, exit 2, the case saved', async () => {
    for (const mode of ['wrong-id', 'duplicate', 'garbage', 'huge-line']) {
      const r = await hostile(mode, ['--timeout', '20000']);
      expect(r.code, mode).toBe(2);
      expect(r.stdout, mode).toContain('the verifier could not finish: E_IUT_PROTOCOL');
      expect(saved(r.corpus), mode).toBeGreaterThanOrEqual(1);
    }
  });

  it('half a line, or no answer at all: a timeout naming the request, exit 2, within the timeout', async () => {
    for (const mode of ['half-line', 'hang']) {
      const r = await hostile(mode);
      expect(r.code, mode).toBe(2);
      expect(r.stdout, mode).toMatch(/E_IUT_TIMEOUT: .*did not answer (request|gradients)/);
      expect(r.ms, mode).toBeLessThan(10_000);
      expect(saved(r.corpus), mode).toBe(1);
    }
  });

  it('a slow implementation is verified, slowly', async () => {
    expect((await hostile('slow')).code).toBe(0);
  });

  it('a crash on some inputs: the process is restarted, the crashing case is wrong and shrunk (within the crash budget)', async () => {
    for (const mode of ['exit', 'signal']) {
      const r = await hostile(mode, ['--runs', '40', '--max-crashes', '8']);
      expect(r.code, mode).toBe(1);
      expect(r.stdout, mode).toContain('crashed on this request and was restarted');
      expect(r.stdout, mode).toContain(mode === 'signal' ? 'SIGKILL' : 'code 3');
      const file = readdirSync(r.corpus, { recursive: true }).map(String).find((f) => f.endsWith('.json'))!;
      const c = JSON.parse(readFileSync(join(r.corpus, file), 'utf8')) as { batch: { inputs: number[][] } };
      expect(c.batch.inputs.length).toBeGreaterThanOrEqual(2);
      expect(r.stdout, mode).toContain('shrinking stopped early: the implementation could not go on');
    }
  });

  it('crashing on every request: restarted at most --max-crashes times; with no restarts left before any case is judged, exit 2', async () => {
    const r = await hostile('exit-always', ['--max-crashes', '3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('shrinking stopped early: the implementation could not go on');
    expect(r.stdout).toContain('more than 3 crashes, no more restarts');
    const none = await hostile('exit-always', ['--max-crashes', '0']);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('the verifier could not finish: E_IUT_CRASH');
    expect(none.stdout).toContain('more than 0 crashes, no more restarts');
  });

  it('crashing on every request, with the default --max-crashes: stops restarting within a few seconds', async () => {
    const r = await hostile('exit-always', ['--max-crashes', '100']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('it crashed on every request so far and never answered one');
    expect(r.ms).toBeLessThan(5000);
  });

  it('exits before describe: could not start, exit 2', async () => {
    const r = await hostile('exit-early');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the implementation could not be started');
  });

  it('nondeterminism is reported as a warning', async () => {
    const r = await hostile('nondeterministic');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: two calls on the same case gave different answers at loss E');
  });

  it('a command that does not exist or is not executable: exit 2 saying so', async () => {
    const io = capture();
    expect(await run(['verify', '--cmd', 'definitely-not-a-command-xyz', '--quiet'], io)).toBe(2);
    expect(io.stderr).toMatch(/could not be started: .*(not found|127)/);
    const io2 = capture();
    expect(await run(['verify', '--cmd', './fixtures/hostile/throws.mjs', '--quiet'], io2)).toBe(2);
    expect(io2.stderr).toMatch(/could not be started: .*(not executable|126|Permission denied)/);
  });
});

describe('hostile in-process modules', () => {
  const inProcess = async (file: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> => {
    const io = capture();
    const code = await run(['verify', '--impl', `fixtures/hostile/${file}`, '--runs', '5', '--quiet', '--corpus', mkdtempSync(join(tmpdir(), 'bo-h-')), ...extra], io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  };

  it('throws: wrong, with its message', async () => {
    const r = await inProcess('throws.mjs');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('throws.mjs: always fails');
  });

  it('a syntax error, no gradients export: exit 2 naming the module and the problem', async () => {
    const a = await inProcess('syntax-error.mjs');
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('cannot load implementation "fixtures/hostile/syntax-error.mjs": it has a syntax error');
    const b = await inProcess('no-gradients.mjs');
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('no default export or named export "implementation" with a gradients function');
  });

  it('never settles: a timeout, exit 2', async () => {
    const r = await inProcess('hang.mjs', ['--timeout', '200']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('E_IUT_TIMEOUT');
  });

  it('scribbling over its arguments does not change what the verifier judges', async () => {
    expect((await inProcess('mutates.mjs', ['--runs', '30'])).code).toBe(0);
  });
});
