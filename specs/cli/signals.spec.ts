import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Runs the real command line in a child process, sends it a signal once its standard error shows
 * `when` (or after `afterMs` when `when` is null), and reports how it ended.
 */
function interrupt(args: string[], signal: NodeJS.Signals, afterMs: number, when: string | null = null): Promise<{ code: number | null; stdout: string; stderr: string; msToExit: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let sentAt = 0;
    const send = (): void => {
      if (sentAt) return;
      sentAt = performance.now();
      child.kill(signal);
    };
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (when !== null && stderr.includes(when)) send();
    });
    const timer = setTimeout(send, afterMs);
    // with a marker, the signal goes half a second after the implementation's process exists
    const marker = /\S*-\d{10,}/.exec(args.join(' '))?.[0];
    const poll = when === null && marker ? setInterval(() => {
      // python3 itself, not the shell that started it (python3 may be shown by its full path)
      if (processesWith(marker).some((line) => /^(\S*\/)?python3\s/.test(line.trim()))) {
        clearInterval(poll);
        setTimeout(send, 500);
      }
    }, 100) : undefined;
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, stdout, stderr, msToExit: performance.now() - sentAt });
    });
  });
}

function processesWith(marker: string): string[] {
  return execSync('ps -eo args', { encoding: 'utf8' }).split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'));
}

describe('interruptions', () => {
  it('Ctrl-C (SIGINT) mid-run: stops the implementation, writes the reports, prints the summary, exits 130 within a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bo-sigint-'));
    const marker = `slow-${Date.now()}`;
    // the signal goes once the first tenth of the cases is done (the progress line says so)
    const r = await interrupt(['verify', '--cmd', `python3 fixtures/hostile/hostile.py slow 1 ${marker}`, '--runs', '400', '--json', join(dir, 'r.json'), '--junit', join(dir, 'r.xml')], 'SIGINT', 60_000, '/400 cases');
    expect(r.code).toBe(130);
    expect(r.msToExit).toBeLessThan(1500);
    expect(r.stdout).toContain('verdict: CORRECT');
    expect(r.stdout).toMatch(/note: interrupted \(SIGINT\): \d+ of 400 cases were run/);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { casesRun: number; interrupted: boolean; exitCode: number };
    expect(report.interrupted).toBe(true);
    expect(report.exitCode).toBe(130);
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toContain('<property name="exitCode" value="130"/>');
    expect(report.casesRun).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'r.xml'))).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });

  it('SIGTERM during a hanging request: exits 143 promptly, the implementation killed', async () => {
    const marker = `hang-${Date.now()}`;
    const dir = mkdtempSync(join(tmpdir(), 'bo-sigterm-'));
    const r = await interrupt(['verify', '--cmd', `python3 fixtures/hostile/hostile.py hang 1 ${marker}`, '--runs', '10', '--timeout', '60000', '--quiet', '--corpus', dir, '--json', join(dir, 'r.json')], 'SIGTERM', 60_000);
    expect(r.code).toBe(143);
    expect((JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { exitCode: number }).exitCode).toBe(143);
    expect(r.msToExit).toBeLessThan(1500);
    expect(r.stdout).toContain('note: interrupted (SIGTERM)');
    expect(processesWith(marker)).toEqual([]);
  });
});
