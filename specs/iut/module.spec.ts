import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { resolve } from 'node:path';
import { inProcess, IutError, loadModule, type Implementation } from '../../src/iut/index.js';
import { parseBatch, parseNetwork } from '../../src/network/index.js';
import { referenceGradients } from '../../src/reference/index.js';
import { iutTracker, normalise, small, tempDir } from './helpers.js';

const tmp = tempDir('module');
const { track, closeAll } = iutTracker();
afterEach(closeAll);
afterAll(() => tmp.remove());

/** The IutError a promise rejects with (fails the spec when it resolves or throws something else). */
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

/** Loads a module written to the temp directory. */
async function loadText(name: string, text: string, options = {}): Promise<ReturnType<typeof track>> {
  return track(await loadModule(tmp.write(name, text), options));
}

const referenceLoss = (() => {
  const network = parseNetwork(small.network);
  return referenceGradients(network, parseBatch(small.batch, network)).loss;
})();

describe('loadModule: loading', () => {
  it('loads correct.mjs by its default export, resolving the path against the working directory', async () => {
    const iut = track(await loadModule('fixtures/implementations/correct.mjs'));
    expect(iut.label).toBe('fixtures/implementations/correct.mjs');
    expect(await iut.describe()).toEqual({ name: 'correct.mjs', precision: 'float64' });
    const result = (await iut.gradients(small.network, small.batch)) as { loss: number };
    expect(result.loss).toBe(referenceLoss);
  });

  it('loads correct.ts by its named export `implementation` (through tsx)', async () => {
    const iut = track(await loadModule(resolve('fixtures/implementations/correct.ts')));
    expect(await iut.describe()).toEqual({ name: 'correct.ts', precision: 'float64' });
    const result = (await iut.gradients(small.network, small.batch)) as { loss: number };
    expect(result.loss).toBeCloseTo(referenceLoss, 14);
  });

  it('loads a CommonJS module (module.exports is the default export)', async () => {
    const iut = await loadText('plain.cjs', 'module.exports = { gradients: (n, b) => ({ loss: b.inputs.length }) };');
    expect(await iut.gradients(small.network, small.batch)).toEqual({ loss: 3 });
    expect(await iut.describe()).toEqual({});
  });

  it('finds `implementation` inside module.exports, and a transpiled `exports.default`', async () => {
    const named = await loadText('named.cjs', 'exports.implementation = { gradients: () => "named" };');
    expect(await named.gradients(small.network, small.batch)).toBe('named');
    const transpiled = await loadText(
      'transpiled.cjs',
      'Object.defineProperty(exports, "__esModule", { value: true }); exports.default = { gradients: () => "default" }; exports.other = 1;',
    );
    expect(await transpiled.gradients(small.network, small.batch)).toBe('default');
  });

  it('prefers `implementation` when the default export has no gradients function', async () => {
    const iut = await loadText(
      'both.mjs',
      'export default { name: "not it" }; export const implementation = { gradients: () => ({ loss: 7 }) };',
    );
    expect(await iut.gradients(small.network, small.batch)).toEqual({ loss: 7 });
  });

  it('accepts a function object with a gradients property', async () => {
    const iut = await loadText('fn.mjs', 'function impl() {} impl.gradients = () => 5; export default impl;');
    expect(await iut.gradients(small.network, small.batch)).toBe(5);
  });
});

describe('loadModule: load errors name the path and the cause (E_IUT_LOAD)', () => {
  it('a file that does not exist', async () => {
    const err = await rejection(loadModule('fixtures/implementations/no-such-file.mjs'));
    expect(err.code).toBe('E_IUT_LOAD');
    expect(err.request).toBeUndefined();
    expect(normalise(err.message, process.cwd())).toMatchInlineSnapshot(
      `"cannot load implementation "fixtures/implementations/no-such-file.mjs": no such file (<dir>/fixtures/implementations/no-such-file.mjs)"`,
    );
  });

  it('a JavaScript syntax error', async () => {
    const path = tmp.write('syntax.mjs', 'export default { gradients( { return 1 } };\n');
    const err = await rejection(loadModule(path));
    expect(err.code).toBe('E_IUT_LOAD');
    expect(err.cause).toBeInstanceOf(Error);
    expect(normalise(err.message, tmp.dir)).toMatchInlineSnapshot(
      `"cannot load implementation "<dir>/syntax.mjs": it has a syntax error (<dir>/syntax.mjs): Unexpected number"`,
    );
  });

  it('a TypeScript syntax error (reported by esbuild through tsx)', async () => {
    const path = tmp.write('syntax.ts', 'export const implementation: number = {;\n');
    const err = await rejection(loadModule(path));
    expect(err.code).toBe('E_IUT_LOAD');
    expect(normalise(err.message, tmp.dir)).toMatch(
      /^cannot load implementation "<dir>\/syntax.ts": it has a syntax error \(<dir>\/syntax.ts\): Transform failed with 1 error/,
    );
  });

  it('a module that throws while loading', async () => {
    const path = tmp.write('throws.mjs', 'throw new Error("no GPU found");\n');
    const err = await rejection(loadModule(path));
    expect(err.code).toBe('E_IUT_LOAD');
    expect(normalise(err.message, tmp.dir)).toMatchInlineSnapshot(
      `"cannot load implementation "<dir>/throws.mjs": it threw while loading (<dir>/throws.mjs): no GPU found"`,
    );
  });

  it('a module without a gradients function lists what it does export', async () => {
    const path = tmp.write('nogradients.mjs', 'export default { describe() { return {}; } }; export const gradient = () => 1;\n');
    const err = await rejection(loadModule(path));
    expect(err.code).toBe('E_IUT_LOAD');
    expect(normalise(err.message, tmp.dir)).toMatchInlineSnapshot(
      `"cannot load implementation "<dir>/nogradients.mjs": no default export or named export "implementation" with a gradients function (<dir>/nogradients.mjs; its exports: default, gradient)"`,
    );
  });

  it('a module that exports nothing', async () => {
    const path = tmp.write('empty.mjs', '// nothing here\n');
    const err = await rejection(loadModule(path));
    expect(normalise(err.message, tmp.dir)).toMatch(/\(<dir>\/empty.mjs; it exports nothing\)$/);
  });
});

describe('loadModule: gradients', () => {
  it('calls a sync gradients and resolves with its raw result', async () => {
    const iut = await loadText('sync.mjs', 'export default { gradients: (n, b) => ({ loss: n.layers.length, raw: b.targets }) };');
    await expect(iut.gradients(small.network, small.batch)).resolves.toEqual({ loss: 2, raw: small.batch.targets });
  });

  it('awaits an async gradients', async () => {
    const iut = await loadText(
      'async.mjs',
      'export default { async gradients(n) { await new Promise((r) => setTimeout(r, 20)); return { loss: n.layers.length * 10 }; } };',
    );
    await expect(iut.gradients(small.network, small.batch)).resolves.toEqual({ loss: 20 });
  });

  it('gives every call a deep copy: an implementation that mutates its arguments cannot touch the caller’s data', async () => {
    const iut = await loadText(
      'mutates.mjs',
      `export default { async gradients(n, b) {
         const before = n.layers[0].weights[0][0];
         n.layers[0].weights[0][0] = 999; n.layers.pop(); b.inputs[0][0] = -999; b.targets.length = 0;
         await new Promise((r) => setTimeout(r, 10));
         return { before };
       } };`,
    );
    const network = structuredClone(small.network);
    const batch = structuredClone(small.batch);
    const first = iut.gradients(network, batch);
    // The caller changes its own data while the call is running: the implementation must not see it.
    network.layers[0]!.weights[0]![0] = 12345;
    await expect(first).resolves.toEqual({ before: 0.5 });
    network.layers[0]!.weights[0]![0] = 0.5;
    expect(network).toEqual(small.network);
    expect(batch).toEqual(small.batch);
    await expect(iut.gradients(network, batch)).resolves.toEqual({ before: 0.5 });
  });

  it('a thrown Error becomes E_IUT_ERROR with its message and the request', async () => {
    const iut = await loadText('throwing.mjs', 'export default { gradients() { throw new RangeError("layer 2 is too wide"); } };');
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_ERROR');
    expect(err.request).toEqual({ id: 0, method: 'gradients' });
    expect(err.cause).toBeInstanceOf(RangeError);
    expect(normalise(err.message, tmp.dir)).toMatchInlineSnapshot(
      `"implementation "<dir>/throwing.mjs" failed on gradients request 0: layer 2 is too wide"`,
    );
    const again = await rejection(iut.gradients(small.network, small.batch));
    expect(again.request).toEqual({ id: 1, method: 'gradients' });
  });

  it('a thrown non-Error and a rejected promise become E_IUT_ERROR too', async () => {
    const thrower = await loadText('string.mjs', 'export default { gradients() { throw "out of memory"; } };');
    const err = await rejection(thrower.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_ERROR');
    expect(err.message).toMatch(/failed on gradients request 0: out of memory$/);
    const rejecter = await loadText('rejects.mjs', 'export default { async gradients() { throw { message: "plain object" }; } };');
    const err2 = await rejection(rejecter.gradients(small.network, small.batch));
    expect(err2.code).toBe('E_IUT_ERROR');
    expect(err2.message).toMatch(/failed on gradients request 0: plain object$/);
  });

  it('an async gradients that never settles times out (E_IUT_TIMEOUT naming method, id and limit)', async () => {
    const iut = await loadText('hangs.mjs', 'export default { gradients() { return new Promise(() => {}); } };', { timeoutMs: 50 });
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_TIMEOUT');
    expect(err.request).toEqual({ id: 0, method: 'gradients' });
    expect(normalise(err.message, tmp.dir)).toMatchInlineSnapshot(
      `"implementation "<dir>/hangs.mjs" did not answer gradients request 0 within 51 ms"`,
    );
  });

  it('an async rejection within the timeout is E_IUT_ERROR, not a timeout', async () => {
    const iut = await loadText('slowfail.mjs', 'export default { async gradients() { await new Promise((r) => setTimeout(r, 5)); throw new Error("late failure"); } };', {
      timeoutMs: 1000,
    });
    const err = await rejection(iut.gradients(small.network, small.batch));
    expect(err.code).toBe('E_IUT_ERROR');
    expect(err.message).toMatch(/late failure$/);
  });

  it('timeoutMs 0 means no limit', async () => {
    const iut = await loadText(
      'slow.mjs',
      'export default { gradients() { return new Promise((r) => setTimeout(() => r("done"), 60)); } };',
      { timeoutMs: 0 },
    );
    await expect(iut.gradients(small.network, small.batch)).resolves.toBe('done');
  });
});

describe('loadModule: describe', () => {
  it('is {} without a describe method', async () => {
    const iut = await loadText('nodescribe.mjs', 'export default { gradients() { return 1; } };');
    await expect(iut.describe()).resolves.toEqual({});
  });

  it('keeps the known fields, drops unknown ones, and asks only once', async () => {
    const iut = await loadText(
      'describes.mjs',
      `let calls = 0;
       export default {
         async describe() { calls++; return { name: "x", precision: "float32", bias: false, reductions: ["mean"], maxLayers: 3, vendor: "acme", calls }; },
         gradients() { return calls; },
       };`,
    );
    const expected = { name: 'x', precision: 'float32', bias: false, reductions: ['mean'], maxLayers: 3 };
    expect(await iut.describe()).toEqual(expected);
    expect(await iut.describe()).toEqual(expected);
    expect(await iut.gradients(small.network, small.batch)).toBe(1);
  });

  it('is {} when describe throws, and the log says why', async () => {
    const log = vi.fn();
    const iut = await loadText('describethrows.mjs', 'export default { describe() { throw new Error("not today"); }, gradients() { return 1; } };', { log });
    await expect(iut.describe()).resolves.toEqual({});
    expect(log).toHaveBeenCalledTimes(1);
    expect(normalise(String(log.mock.calls[0]?.[0]), tmp.dir)).toBe('<dir>/describethrows.mjs: describe failed, taking the defaults: not today');
  });

  it('a description with a bad type is E_IUT_PROTOCOL naming the field', async () => {
    const iut = await loadText('baddescribe.mjs', 'export default { describe: () => ({ precision: "float16" }), gradients() { return 1; } };');
    const err = await rejection(iut.describe());
    expect(err.code).toBe('E_IUT_PROTOCOL');
    expect(err.request).toEqual({ id: 0, method: 'describe' });
    expect(normalise(err.message, tmp.dir)).toMatchInlineSnapshot(
      `"implementation "<dir>/baddescribe.mjs" broke the protocol: its description's field "precision" is "float16", expected "float64" or "float32""`,
    );
  });

  it('a describe that never settles times out', async () => {
    const iut = await loadText('describehangs.mjs', 'export default { describe: () => new Promise(() => {}), gradients() { return 1; } };', {
      timeoutMs: 30,
    });
    const err = await rejection(iut.describe());
    expect(err.code).toBe('E_IUT_TIMEOUT');
    expect(err.message).toMatch(/did not answer describe request 0 within 30 ms$/);
  });

  it('close() resolves (nothing to release in process)', async () => {
    const iut = await loadText('closes.mjs', 'export default { gradients() { return 1; } };');
    await expect(iut.close()).resolves.toBeUndefined();
  });
});

describe('inProcess', () => {
  it('wraps an implementation object in hand, with copies of the arguments and errors as IutErrors', async () => {
    let seen: unknown = null;
    const implementation: Implementation = {
      gradients(network) {
        seen = network;
        if (network.layers.length > 5) throw new Error('too deep');
        return { loss: network.layers.length, gradients: [] };
      },
    };
    const iut = track(inProcess(implementation, 'in hand'));
    expect(iut.label).toBe('in hand');
    expect(await iut.describe()).toEqual({});
    expect(await iut.gradients(small.network, small.batch)).toEqual({ loss: 2, gradients: [] });
    expect(seen).toEqual(small.network);
    expect(seen).not.toBe(small.network);
    const deepNet = { layers: Array.from({ length: 6 }, () => small.network.layers[0]!) };
    const err = await rejection(iut.gradients(deepNet, small.batch));
    expect(err.code).toBe('E_IUT_ERROR');
    expect(err.message).toBe('implementation "in hand" failed on gradients request 1: too deep');
  });

  it('rejects an object without a gradients function', () => {
    expect(() => inProcess({} as Implementation, 'nothing')).toThrowError(
      expect.objectContaining({ code: 'E_IUT_LOAD', message: 'implementation "nothing" has no gradients function' }),
    );
  });
});
