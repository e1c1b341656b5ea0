import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync } from 'node:fs';
import { IutError, startCommand, type Iut, type StartCommandOptions } from '../../src/iut/index.js';
import { nonFiniteWord } from '../../src/iut/jsonLines.js';
import { parseBatch, parseNetwork, type NetworkJson } from '../../src/network/index.js';
import { referenceGradients } from '../../src/reference/index.js';
import { iutTracker, small, tempDir } from './helpers.js';

const tmp = tempDir('jsonl');
const { track, closeAll } = iutTracker();
afterEach(closeAll);
afterAll(() => tmp.remove());

/** Pids the fake IUTs report (on standard error as `pid N`); all must be gone after the specs. */
const pids = new Set<number>();

/** Whether process `pid` still runs (a zombie counts as gone). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

afterAll(async () => {
  await new Promise((r) => setTimeout(r, 100));
  expect([...pids].filter(isAlive)).toEqual([]);
});

/**
 * A fake IUT: a Node script that reports its pid on standard error, answers `describe` with
 * `describeLine` (a JS expression of the answer object, `id` in scope; `null` for no answer), and
 * hands every other request to `body`, where `req`, `send(obj)` and `raw(text)` are in scope.
 */
function fake(name: string, body: string, describeLine = '({ id, result: { name: "fake" } })'): string {
  const path = tmp.write(
    `${name}.mjs`,
    `import { createInterface } from 'node:readline';
process.stderr.write('pid ' + process.pid + '\\n');
const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\\n');
const raw = (text) => process.stdout.write(text);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const id = req.id;
  if (req.method === 'describe') {
    const answer = ${describeLine};
    if (answer !== null) send(answer);
    return;
  }
  ${body}
});
`,
  );
  return `node ${path}`;
}

/** Options that collect the standard-error lines (and the pids in them). */
function logging(extra: StartCommandOptions = {}): { options: StartCommandOptions; lines: string[] } {
  const lines: string[] = [];
  const log = (line: string): void => {
    const match = /^pid (\d+)$/.exec(line);
    if (match) pids.add(Number(match[1]));
    lines.push(line);
  };
  return { options: { timeoutMs: 5000, closeGraceMs: 500, ...extra, log }, lines };
}

async function start(command: string, extra: StartCommandOptions = {}): Promise<Iut> {
  return track(await startCommand(command, logging(extra).options));
}

/** The IutError a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<IutError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (thrown: unknown) => thrown,
  );
  expect(err).toBeInstanceOf(IutError);
  return err as IutError;
}

/** `small` with the first bias shifted by k: a different case per k. */
function variant(k: number): { network: NetworkJson; batch: typeof small.batch } {
  const network = structuredClone(small.network);
  network.layers[0]!.bias![0] = k / 8;
  return { network, batch: small.batch };
}

function referenceLoss(item: ReturnType<typeof variant>): number {
  const network = parseNetwork(item.network);
  return referenceGradients(network, parseBatch(item.batch, network)).loss;
}

describe('startCommand against correct.py', () => {
  const python = 'python3 fixtures/implementations/correct.py';

  it('describes itself and answers one gradients request like the reference', async () => {
    const iut = await start(python);
    expect(iut.label).toBe(python);
    expect(await iut.describe()).toEqual({ name: 'python-reference', precision: 'float64' });
    const result = (await iut.gradients(small.network, small.batch)) as { loss: number; gradients: unknown[]; outputs: number[][] };
    expect(result.gradients).toHaveLength(2);
    expect(result.outputs).toHaveLength(3);
    expect(Math.abs(result.loss - referenceLoss(variant(0.8))) / result.loss).toBeLessThan(1e-14);
  });

  it('answers 20 pipelined concurrent requests, each matched to its own case', async () => {
    const iut = await start(python, { maxInFlight: 8 });
    const cases = Array.from({ length: 20 }, (_, k) => variant(k));
    const results = (await Promise.all(cases.map((item) => iut.gradients(item.network, item.batch)))) as { loss: number }[];
    results.forEach((result, k) => {
      expect(Math.abs(result.loss - referenceLoss(cases[k]!)) / result.loss).toBeLessThan(1e-14);
    });
    expect(new Set(results.map((r) => r.loss)).size).toBe(20);
  });
});

describe('startCommand: the JSON Lines exchange', () => {
  it('matches answers given out of order by id', async () => {
    const command = fake(
      'reverse',
      `globalThis.held ??= [];
       held.push(req);
       if (held.length === 3) for (const r of held.reverse()) send({ id: r.id, result: { k: r.batch.inputs[0][0] } });`,
    );
    const iut = await start(command);
    const asks = [1, 2, 3].map((k) => iut.gradients(small.network, { inputs: [[k]], targets: [[0]] }));
    expect(await Promise.all(asks)).toEqual([{ k: 1 }, { k: 2 }, { k: 3 }]);
  });

  it('keeps at most maxInFlight requests outstanding and queues the rest', async () => {
    const command = fake(
      'counting',
      `globalThis.open = (globalThis.open ?? 0) + 1;
       globalThis.most = Math.max(globalThis.most ?? 0, open);
       setTimeout(() => { open--; send({ id, result: { most } }); }, 30);`,
    );
    const iut = await start(command, { maxInFlight: 2 });
    const results = (await Promise.all(Array.from({ length: 6 }, () => iut.gradients(small.network, small.batch)))) as { most: number }[];
    expect(Math.max(...results.map((r) => r.most))).toBe(2);
  });

  it('reads answers split across chunks, with \\r\\n endings, blank lines, and a last line without newline', async () => {
    const command = fake(
      'chunks',
      `const text = JSON.stringify({ id, result: { id } });
       if (id === 1) {
         raw('\\r\\n\\n' + text.slice(0, 5));
         setTimeout(() => raw(text.slice(5) + '\\r\\n'), 30);
       } else {
         raw(text);
         process.exit(0);
       }`,
    );
    const iut = await start(command);
    expect(await iut.gradients(small.network, small.batch)).toEqual({ id: 1 });
    expect(await iut.gradients(small.network, small.batch)).toEqual({ id: 2 });
  });

  it('sends standard error to the log line by line and never parses it', async () => {
    const command = fake('stderr', `process.stderr.write('not json {\\r\\nsecond'); setTimeout(() => { process.stderr.write(' half\\n'); send({ id, result: 1 }); }, 20);`);
    const { options, lines } = logging();
    const iut = track(await startCommand(command, options));
    expect(await iut.gradients(small.network, small.batch)).toBe(1);
    expect(lines.slice(1)).toEqual(['not json {', 'second half']);
  });

  it('writes numbers exactly and waits for the pipe to drain on large requests', async () => {
    const command = fake(
      'echo',
      `const w = req.network.layers[0].weights; send({ id, result: { rows: w.length, first: w[0][0], last: w.at(-1).at(-1) } });`,
    );
    const iut = await start(command, { maxInFlight: 4 });
    const rows = 20_000;
    const big = (k: number): NetworkJson => ({
      layers: [{ weights: Array.from({ length: rows }, (_, j) => [0.1 + k, j === rows - 1 ? Math.PI / (k + 1) : 1 / 3]) }],
    });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, k) => iut.gradients(big(k), { inputs: [new Array<number>(rows).fill(0)], targets: [[0, 0]] })),
    );
    answers.forEach((answer, k) => expect(answer).toEqual({ rows, first: 0.1 + k, last: Math.PI / (k + 1) }));
  });

  it('an error answer is E_IUT_ERROR with the IUT’s message, and the IUT goes on', async () => {
    const command = fake('refuses', `if (req.batch.inputs.length > 1) send({ id, error: { message: 'batches larger than 1 are not supported' } }); else send({ id, result: 'ok' });`);
    const iut = await start(command);
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_ERROR');
    expect(err.request).toEqual({ id: 1, method: 'gradients' });
    expect(err.message).toBe(`implementation ${JSON.stringify(command)} failed on gradients request 1: batches larger than 1 are not supported`);
    expect(await iut.gradients(small.network, { inputs: [[1, 2, 3]], targets: [[0, 1]] })).toBe('ok');
  });
});

describe('startCommand: describe', () => {
  it('an error answer to describe means the defaults', async () => {
    const iut = await start(fake('nodescribe', 'send({ id, result: 1 });', '({ id, error: { message: "unknown method" } })'));
    expect(await iut.describe()).toEqual({});
    expect(await iut.gradients(small.network, small.batch)).toBe(1);
  });

  it('keeps known fields, drops unknown ones, and hands out copies', async () => {
    const iut = await start(fake('describes', 'send({ id, result: 1 });', '({ id, result: { name: "f", reductions: ["sum"], vendor: 1 } })'));
    const first = await iut.describe();
    expect(first).toEqual({ name: 'f', reductions: ['sum'] });
    first.reductions!.push('mean');
    expect(await iut.describe()).toEqual({ name: 'f', reductions: ['sum'] });
  });

  it('a description with a bad type fails the start with E_IUT_PROTOCOL naming the field', async () => {
    const command = fake('baddescribe', '', '({ id, result: { maxLayers: "many" } })');
    const err = await rejection(startCommand(command, logging().options));
    expect(err.code).toBe('E_IUT_PROTOCOL');
    expect(err.request).toEqual({ id: 0, method: 'describe' });
    expect(err.message).toMatch(/its description's field "maxLayers" is "many", expected a whole number of at least 1$/);
  });

  it('no answer to describe fails the start with E_IUT_TIMEOUT, and the process is ended', async () => {
    const { options, lines } = logging({ startTimeoutMs: 1000 });
    const err = await rejection(startCommand(fake('mute', '', 'null'), options));
    expect(err.code).toBe('E_IUT_TIMEOUT');
    expect(err.message).toMatch(/did not answer describe request 0 within 1000 ms$/);
    const pid = Number(lines[0]?.slice(4));
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('startCommand: protocol violations (E_IUT_PROTOCOL)', () => {
  it('a line that is not JSON fails every outstanding request and every later one', async () => {
    const command = fake('chatty', `raw('computing gradients...\\n');`);
    const iut = await start(command);
    const asks = [iut.gradients(small.network, small.batch), iut.gradients(small.network, small.batch)];
    const errors = await Promise.all(asks.map(rejection));
    expect(errors.map((e) => e.code)).toEqual(['E_IUT_PROTOCOL', 'E_IUT_PROTOCOL']);
    expect(errors.map((e) => e.request)).toEqual([{ id: 1, method: 'gradients' }, { id: 2, method: 'gradients' }]);
    expect(errors[0]!.message).toBe(
      `implementation ${JSON.stringify(command)} broke the protocol: line 2 of its standard output is not JSON (diagnostics belong on standard error): "computing gradients..."`,
    );
    const later = await rejection(iut.gradients(small.network, small.batch));
    expect(later.code).toBe('E_IUT_PROTOCOL');
    expect(later.request).toEqual({ id: 3, method: 'gradients' });
  });

  it('an answer with NaN or Infinity (as Python writes them) is told to write null, not that it is no JSON', async () => {
    const iut = await start(fake('nan', `raw('{"id": 1, "result": {"loss": NaN, "gradients": [{"weights": [[-Infinity]], "bias": null}]}}\\n');`));
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_PROTOCOL');
    expect(err.message).toContain('line 2 of its standard output is not JSON: it has NaN, which JSON cannot write: send null in its place (the verifier reports a null as a non-finite value): "{\\"id\\": 1, \\"result\\": {\\"loss\\": NaN');
    expect(err.message).not.toContain('diagnostics');
    expect(nonFiniteWord('[1, -Infinity]')).toBe('-Infinity');
    expect(nonFiniteWord('{"note": "NaN"}')).toBeNull();
    expect(nonFiniteWord('NaN then text')).toBeNull();
    expect(nonFiniteWord('{"a": NaN, oops}')).toBeNull();
  });

  it('a long non-JSON line is shortened in the message', async () => {
    const iut = await start(fake('long', `raw('x'.repeat(500) + '\\n');`));
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.message).toMatch(/not JSON \(diagnostics belong on standard error\): "x{120}\.\.\."$/);
  });

  it('an answer to an id that was never sent', async () => {
    const iut = await start(fake('unknownid', `send({ id: 999, result: 1 });`));
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_PROTOCOL');
    expect(err.message).toMatch(/broke the protocol: line 2 of its standard output is an answer to request id 999, which was never sent$/);
  });

  it('a second answer to the same request', async () => {
    const iut = await start(fake('twice', `send({ id, result: 1 }); send({ id, result: 2 });`));
    expect(await iut.gradients(small.network, small.batch)).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_PROTOCOL');
    expect(err.message).toMatch(/line 3 of its standard output is a second answer to request id 1$/);
  });

  it('JSON that is not an object, or an id that is not a number', async () => {
    const array = await start(fake('array', `raw('[1, 2]\\n');`));
    expect((await rejection(array.gradients(small.network, small.batch))).message).toMatch(
      /line 2 of its standard output is an array of 2, expected an object with "id" and "result" or "error"$/,
    );
    const stringId = await start(fake('stringid', `send({ id: String(id), result: 1 });`));
    expect((await rejection(stringId.gradients(small.network, small.batch))).message).toMatch(
      /line 2 of its standard output has "id" "1", expected the number of a request$/,
    );
  });

  it('an answer with neither result nor error, or both, or a bad error, fails only its request', async () => {
    const command = fake(
      'malformed',
      `const k = req.batch.inputs[0][0];
       if (k === 1) send({ id, answer: 1 });
       else if (k === 2) send({ id, result: 1, error: { message: 'm' } });
       else if (k === 3) send({ id, error: 'plain text' });
       else send({ id, result: 'fine' });`,
    );
    const iut = await start(command);
    const ask = (k: number): Promise<unknown> => iut.gradients(small.network, { inputs: [[k]], targets: [[0]] });
    const errors = await Promise.all([1, 2, 3].map((k) => rejection(ask(k))));
    expect(errors.map((e) => e.code)).toEqual(['E_IUT_PROTOCOL', 'E_IUT_PROTOCOL', 'E_IUT_PROTOCOL']);
    expect(errors[0]!.request).toEqual({ id: 1, method: 'gradients' });
    expect(errors[0]!.message).toMatch(/its answer to gradients request 1 \(line 2 of its standard output\) has neither "result" nor "error"$/);
    expect(errors[1]!.message).toMatch(/its answer to gradients request 2 \(line 3 of its standard output\) has both "result" and "error"$/);
    expect(errors[2]!.message).toMatch(/has "error" "plain text", expected \{ "message": string \}$/);
    expect(await ask(4)).toBe('fine');
  });
});

describe('startCommand: timeouts (E_IUT_TIMEOUT)', () => {
  it('a request without an answer times out, naming the method, the id and the limit', async () => {
    const command = fake('never', '');
    const iut = await start(command, { timeoutMs: 300 });
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_TIMEOUT');
    expect(err.request).toEqual({ id: 1, method: 'gradients' });
    expect(err.message).toBe(`implementation ${JSON.stringify(command)} did not answer gradients request 1 within 301 ms`);
  });

  it('a late answer to a timed-out request is dropped and the IUT goes on', async () => {
    const command = fake('late', `const delay = req.batch.inputs[0][0]; setTimeout(() => send({ id, result: delay }), delay);`);
    const iut = await start(command, { timeoutMs: 150 });
    const slow = await rejection(iut.gradients(small.network, { inputs: [[300]], targets: [[0]] }));
    expect(slow.code).toBe('E_IUT_TIMEOUT');
    await new Promise((r) => setTimeout(r, 300));
    expect(await iut.gradients(small.network, { inputs: [[1]], targets: [[0]] })).toBe(1);
  });

  it('timeoutMs 0 means no limit', async () => {
    const iut = await start(fake('slowly', `setTimeout(() => send({ id, result: 'slow' }), 100);`), { timeoutMs: 0 });
    expect(await iut.gradients(small.network, small.batch)).toBe('slow');
  });
});

describe('startCommand: the process ends (E_IUT_CRASH)', () => {
  it('an exit while requests are in flight fails them with the exit code and the last standard-error lines', async () => {
    const command = fake(
      'exits',
      `setTimeout(() => {
         for (let k = 1; k <= 12; k++) process.stderr.write('frame ' + k + '\\n');
         process.stderr.write('Traceback: out of memory\\n');
         process.exit(3);
       }, 50);`,
    );
    const iut = await start(command);
    const errors = await Promise.all([iut.gradients(small.network, small.batch), iut.gradients(small.network, small.batch)].map(rejection));
    expect(errors.map((e) => e.code)).toEqual(['E_IUT_CRASH', 'E_IUT_CRASH']);
    expect(errors.map((e) => e.request?.id)).toEqual([1, 2]);
    // Only the last 10 lines of standard error are quoted.
    const frames = Array.from({ length: 9 }, (_, k) => `  frame ${k + 4}`).join('\n');
    expect(errors[0]!.message).toBe(
      `implementation ${JSON.stringify(command)} exited with code 3 while 2 requests were in flight; the last lines of its standard error:\n${frames}\n  Traceback: out of memory`,
    );
    const later = await rejection(iut.gradients(small.network, small.batch));
    expect(later.code).toBe('E_IUT_CRASH');
    expect(later.message).toMatch(/exited with code 3; the last lines/);
  });

  it('a death by signal is reported as such (exec: the shell is replaced by the command)', async () => {
    const iut = await start(`exec ${fake('killed', `process.kill(process.pid, 'SIGKILL');`)}`);
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_CRASH');
    expect(err.message).toMatch(/was killed by signal SIGKILL while gradients request 1 was in flight/);
  });

  it('a shell that reports its command’s death as 128 + n is read as a signal too', async () => {
    const iut = await start(`${fake('killed2', `process.kill(process.pid, 'SIGKILL');`)}; exit $?`);
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.message).toMatch(/exited with code 137 \(killed by signal SIGKILL\?\) while gradients request 1 was in flight/);
  });

  it('an exit while idle fails the next request', async () => {
    const iut = await start(fake('quits', `send({ id, result: 'bye' }); process.exit(0);`));
    expect(await iut.gradients(small.network, small.batch)).toBe('bye');
    await new Promise((r) => setTimeout(r, 100));
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_CRASH');
    expect(err.request).toEqual({ id: 2, method: 'gradients' });
    expect(err.message).toMatch(/^implementation ".*" exited with code 0; the last lines of its standard error:\n {2}pid \d+$/);
  });
});

describe('startCommand: start failures (E_IUT_START)', () => {
  it('command not found', async () => {
    const err = await rejection(startCommand('no-such-backprop-command --serve', logging().options));
    expect(err.code).toBe('E_IUT_START');
    expect(err.request).toEqual({ id: 0, method: 'describe' });
    expect(err.message).toMatch(
      /^cannot start implementation "no-such-backprop-command --serve": command not found \(the shell exited with code 127\); the last lines of its standard error:\n {2}.*no-such-backprop-command.*not found/,
    );
  });

  it('not executable', async () => {
    const path = tmp.write('not-executable.sh', 'echo hello\n');
    chmodSync(path, 0o644);
    const err = await rejection(startCommand(path, logging().options));
    expect(err.code).toBe('E_IUT_START');
    expect(err.message).toMatch(/: command not executable \(the shell exited with code 126\); the last lines of its standard error:\n.*Permission denied/);
  });

  it('exits before answering describe', async () => {
    const path = tmp.write('early.mjs', 'process.stderr.write("missing --model\\n"); process.exit(2);');
    const err = await rejection(startCommand(`node ${path}`, logging().options));
    expect(err.code).toBe('E_IUT_START');
    expect(err.message).toMatch(/: it exited with code 2 before answering describe; the last lines of its standard error:\n {2}missing --model$/);
  });

  it('exits silently before answering describe', async () => {
    const err = await rejection(startCommand('true', logging().options));
    expect(err.message).toBe('cannot start implementation "true": it exited with code 0 before answering describe');
  });

  it('the shell cannot be spawned (a working directory that does not exist)', async () => {
    const err = await rejection(startCommand('true', { ...logging().options, cwd: `${tmp.dir}/missing` }));
    expect(err.code).toBe('E_IUT_START');
    expect(err.message).toMatch(/^cannot start implementation "true": the shell could not be started: spawn .* ENOENT$/);
  });

  it('runs in the given working directory', async () => {
    const iut = await start('python3 correct.py', { cwd: 'fixtures/implementations' });
    expect(await iut.describe()).toEqual({ name: 'python-reference', precision: 'float64' });
  });
});

describe('startCommand: close', () => {
  it('ends standard input and waits for a well-behaved IUT to exit', async () => {
    const iut = await start(fake('polite', `send({ id, result: 1 });`));
    const began = Date.now();
    await iut.close();
    expect(Date.now() - began).toBeLessThan(400);
    await iut.close(); // twice is fine
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_CRASH');
    expect(err.message).toMatch(/was closed before the request was sent$/);
  });

  it('terminates an IUT that ignores the end of its input, then kills one that ignores SIGTERM', async () => {
    const stubborn = `setInterval(() => {}, 1000), process.stdin.on('end', () => {})`;
    const { options, lines } = logging({ closeGraceMs: 150 });
    const iut = await startCommand(fake('stubborn', '', `(${stubborn}, { id, result: {} })`), options);
    const { options: options2, lines: lines2 } = logging({ closeGraceMs: 150 });
    const iut2 = await startCommand(
      fake('deaf', '', `(${stubborn}, process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\\n')), { id, result: {} })`),
      options2,
    );
    await Promise.all([iut.close(), iut2.close()]);
    const pid = Number(lines[0]?.slice(4));
    const pid2 = Number(lines2[0]?.slice(4));
    expect(isAlive(pid)).toBe(false);
    expect(isAlive(pid2)).toBe(false);
    expect(lines2).toContain('ignoring SIGTERM');
  });

  it('rejects queued requests at once and in-flight ones when the process ends', async () => {
    const iut = await start(fake('holds', ''), { maxInFlight: 1, closeGraceMs: 100 });
    const inFlight = rejection(iut.gradients(small.network, small.batch));
    const queued = rejection(iut.gradients(small.network, small.batch));
    await new Promise((r) => setTimeout(r, 50));
    await iut.close();
    const [a, b] = await Promise.all([inFlight, queued]);
    expect(b.code).toBe('E_IUT_CRASH');
    expect(b.request).toEqual({ id: 2, method: 'gradients' });
    expect(b.message).toMatch(/was closed before the request was sent$/);
    expect(a.code).toBe('E_IUT_CRASH');
    expect(a.message).toMatch(/exited with code 0 while gradients request 1 was in flight/);
  });
});
