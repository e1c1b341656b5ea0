import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDescription } from '../../src/iut/description.js';
import { parseBatch, parseGradients, parseNetwork } from '../../src/network/index.js';

const doc = readFileSync('docs/protocol.md', 'utf8');

describe('docs/protocol.md', () => {
  it('its worked lines are what the implementation it names answers, and what the verifier accepts', () => {
    const m = /<!-- protocol: (\S+) -->\n```jsonl\n([\s\S]*?)```\n<!-- \/protocol -->/.exec(doc);
    expect(m).not.toBeNull();
    const lines = m![2]!.trimEnd().split('\n');
    const requests = lines.filter((l) => /"method"/.test(l));
    const answers = lines.filter((l) => !/"method"/.test(l));
    expect(requests.length).toBeGreaterThanOrEqual(3);
    const run = spawnSync('python3', [m![1]!], { input: requests.join('\n') + '\n', encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual(answers);
    for (const [k, line] of requests.entries()) {
      const request = JSON.parse(line) as { method: string; network?: unknown; batch?: unknown };
      const answer = JSON.parse(answers[k]!) as { result: unknown };
      if (request.method === 'describe') {
        expect(parseDescription(answer.result, 'python')).toMatchObject({ precision: 'float64' });
        continue;
      }
      const network = parseNetwork(request.network);
      parseBatch(request.batch, network);
      expect(() => parseGradients(answer.result, network)).not.toThrow();
    }
  });

  it('points at no file outside the repository, and names the version-2 fields as coming with the next release', () => {
    expect(doc).not.toMatch(/shared\/spec/);
    for (const field of ['"activation"', '"alpha"', '"loss"', '"activations"', '"losses"', '"kink"']) expect(doc).toContain(field);
    expect(doc).toMatch(/next release/);
  });
});
