import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError, parseBatch, parseCase, parseGradients, parseNetwork, readJsonText } from '../../src/network/index.js';

/**
 * The JSON readers on arbitrary and mutated input: they accept valid input or reject it with an
 * InputError that has a message, never throw anything else, never hang.
 */

const valid = {
  network: { layers: [{ weights: [[0.5, -1], [2, 0.25]], bias: [0, 1] }, { weights: [[1], [-1]], bias: null }], reduction: 'mean' },
  batch: { inputs: [[1, 2], [0, -1]], targets: [[1], [0.5]] },
};
const text = JSON.stringify(valid);

/** Runs a reader: 'ok', or the InputError's message; anything else thrown fails the property. */
function outcome(read: () => unknown): string {
  try {
    read();
    return 'ok';
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
    expect(error.code).toMatch(/^E_[A-Z]+$/);
    return error.message;
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 6 });

describe('the JSON readers under fuzzing', () => {
  it('accept the valid case', () => {
    expect(outcome(() => parseCase(readJsonText(text, 'case.json')))).toBe('ok');
  });

  it('never throw anything but InputError on arbitrary JSON values in any position', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        outcome(() => parseCase(a));
        outcome(() => parseCase({ network: a, batch: b }));
        outcome(() => parseNetwork({ layers: [a] }));
        outcome(() => parseNetwork({ layers: [{ weights: a, bias: b }] }));
        const net = parseNetwork(valid.network);
        outcome(() => parseBatch({ inputs: a, targets: b }, net));
        outcome(() => parseGradients(a, net, 'result', 2));
        outcome(() => parseGradients({ loss: 1, gradients: [a, b] }, net, 'result', 2));
        return true;
      }),
      { seed: 41, numRuns: 1000 },
    );
  });

  it('never throw anything but InputError on arbitrary protocol version-2 fields (activation, alpha, loss)', () => {
    const name = fc.oneof(fc.constantFrom('sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'softmax', 'bce', 'cce', 'mse', 'swish'), jsonValue);
    let refused = 0;
    fc.assert(
      fc.property(name, name, fc.oneof(fc.double(), jsonValue), name, (first, second, alpha, loss) => {
        const message = outcome(() =>
          parseNetwork({ layers: [{ weights: [[0.5]], activation: first, alpha }, { weights: [[1]], activation: second }], loss }),
        );
        // this version verifies sigmoid layers with bce only: anything else is refused, never judged as sigmoid / bce
        const defaults = (first === 'sigmoid' || first === undefined) && (second === 'sigmoid' || second === undefined) && (loss === 'bce' || loss === undefined) && alpha === undefined;
        if (!defaults) expect(message).not.toBe('ok');
        if (message !== 'ok') refused += 1;
        return true;
      }),
      { seed: 43, numRuns: 1000 },
    );
    expect(refused).toBeGreaterThan(900);
  });

  it('reject mutated and truncated JSON text with a message, or accept it when it is still valid', () => {
    const mutation = fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 20 }), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
        let t = text;
        for (const [at, remove, insert] of edits) t = t.slice(0, at) + insert + t.slice(at + remove);
        outcome(() => parseCase(readJsonText(t, 'mutated.json')));
        outcome(() => parseCase(readJsonText(t.slice(0, edits[0]![0]), 'truncated.json')));
        return true;
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('handle deeply nested and enormous input without hanging or overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const started = performance.now();
    expect(outcome(() => parseCase(readJsonText(deep, 'deep.json'), 'deep.json'))).toMatch(/^deep\.json is not an object/);
    const wide = { network: { layers: [{ weights: Array.from({ length: 2000 }, () => Array.from({ length: 500 }, (_, k) => k / 7)) }] }, batch: { inputs: [Array.from({ length: 2000 }, () => 1)], targets: [Array.from({ length: 500 }, () => 0)] } };
    expect(outcome(() => parseCase(readJsonText(JSON.stringify(wide), 'wide.json')))).toBe('ok');
    expect(outcome(() => parseCase(readJsonText(JSON.stringify(wide).slice(0, 5_000_000), 'cut.json')))).toMatch(/cut\.json is not valid JSON/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
