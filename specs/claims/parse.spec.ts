import { describe, expect, it } from 'vitest';
import { ClaimError, pointAt } from '../../src/claims/errors.js';
import { claimMath } from '../../src/claims/math.js';
import { parseFormula, positionOf, suggestions } from '../../src/claims/parse.js';
import { resolveClaim } from '../../src/claims/resolve.js';
import { formatSymbols, symbolSet } from '../../src/claims/symbols.js';

const output = symbolSet('output', 'W');
const hidden = symbolSet('hidden', 'W');
const cm = claimMath('decimal', 50);

function error(text: string, set = output): ClaimError {
  try {
    parseFormula(text, set, cm);
  } catch (thrown) {
    if (thrown instanceof ClaimError) return thrown;
    throw thrown;
  }
  throw new Error(`accepted: ${text}`);
}

/** The first two lines of the message under the headline: the formula and the caret. */
const pointer = (e: ClaimError): string => e.message.split('\n').slice(0, 3).join('\n');

describe('parsing a claim', () => {
  it('parses the seed forms and reads Z(1 - Z) as a product', () => {
    expect(parseFormula('(Z - t) * Z * (1 - Z) * Y', output, cm).node.toString()).toBe('(Z - t) * Z * (1 - Z) * Y');
    expect(parseFormula('Z(1 - Z) Y', output, cm).node.toString()).toBe('Z (1 - Z) Y');
    expect(parseFormula('sum_i((Z_i - t_i) * W_ji) * Y_j * (1 - Y_j) * X_k', hidden, cm).text).toContain('sum_i');
    expect(parseFormula('s == B - 1 ? sigma(S) : max(abs(W), 2) ^ 2', output, cm).node.type).toBe('ConditionalNode');
  });

  it('points at a syntax error with a caret and lists the symbols', () => {
    const e = error('(Z - t * Y');
    expect(e.code).toBe('E_CLAIM_SYNTAX');
    expect(pointer(e)).toMatchInlineSnapshot(`
      "claim: syntax error: Parenthesis ) expected (char 11)
        (Z - t * Y
                  ^"
    `);
    expect(e.message).toContain('symbols:');
    expect(e.message).toContain('Zc, Zc_i');
    expect(pointer(error('Z + * 3'))).toContain('\n      ^');
  });

  it('names an unknown symbol, points at it and suggests close ones', () => {
    const e = error('(Z - t) * Yj');
    expect(e.code).toBe('E_CLAIM_SYMBOL');
    expect(e.message.split('\n').slice(0, 4).join('\n')).toMatchInlineSnapshot(`
      "claim: unknown symbol "Yj"
        (Z - t) * Yj
                  ^
        did you mean Y or Y_j?"
    `);
    expect(error('q * Y').message).not.toContain('did you mean');
  });

  it('keeps the next layer\'s symbols inside sum_i and says how to write it', () => {
    const e = error('sum_i(Z_i - t_i) * W_ji', hidden);
    expect(pointer(e)).toMatchInlineSnapshot(`
      "claim: W_ji exists only inside sum_i(...): it belongs to unit i of the layer above
        sum_i(Z_i - t_i) * W_ji
                           ^"
    `);
    expect(e.message).toContain('sum_i((Z_i - t_i) * W_ji)');
    expect(error('sum_i(Z_i) * Y').message).toContain('unknown function "sum_i"'); // output layer: no sum_i
  });

  it('rejects every construct that is not one arithmetic formula', () => {
    const messages = [
      '',
      '   ',
      'Y = 3',
      'f(x) = x',
      '[1, 2]',
      "Z'",
      'Z!',
      '"text"',
      'sigma',
      'sigmoid(S)',
      'sigma(S, Z)',
      'max(Z)',
      'Z(1, 2)',
      'true',
    ].map((text) => {
      const e = error(text);
      return `${JSON.stringify(text)}: ${e.code} ${e.message.split('\n')[0]}`;
    });
    expect(messages).toMatchInlineSnapshot(`
      [
        """: E_CLAIM_SYNTAX claim: the formula is empty",
        ""   ": E_CLAIM_SYNTAX claim: the formula is empty",
        ""Y = 3": E_CLAIM_SYNTAX claim: a claim is one formula; assignment expressions (assignments, matrices, ...) are not supported",
        ""f(x) = x": E_CLAIM_SYNTAX claim: a claim is one formula; functionassignment expressions (assignments, matrices, ...) are not supported",
        ""[1, 2]": E_CLAIM_SYNTAX claim: a claim is one formula; array expressions (assignments, matrices, ...) are not supported",
        ""Z'": E_CLAIM_SYNTAX claim: the operator ' is not supported",
        ""Z!": E_CLAIM_SYNTAX claim: the operator ! is not supported",
        ""\\"text\\"": E_CLAIM_SYNTAX claim: "text" is not a number",
        ""sigma": E_CLAIM_SYMBOL claim: sigma is a function: write sigma(x)",
        ""sigmoid(S)": E_CLAIM_SYMBOL claim: unknown function "sigmoid"",
        ""sigma(S, Z)": E_CLAIM_SYNTAX claim: sigma takes one argument, got 2",
        ""max(Z)": E_CLAIM_SYNTAX claim: max takes two or more arguments, got 1",
        ""Z(1, 2)": E_CLAIM_SYNTAX claim: Z is a quantity, not a function: Z(...) with 2 arguments",
        ""true": E_CLAIM_SYNTAX claim: true is not a number",
      ]
    `);
    expect(error('sum_i(sum_i(W_ji))', hidden).message).toContain('cannot be nested');
    expect(error('sigmoid(S)').message).toContain('did you mean sigma');
  });

  it('has symbol sets per kind of entry', () => {
    expect(formatSymbols(symbolSet('output', 'b'))).not.toContain('W, W_ji');
    expect(formatSymbols(symbolSet('output', 'loss'))).not.toContain('b, b_i');
    expect(formatSymbols(symbolSet('hidden', 'b'))).not.toContain('X, X_k');
    expect(formatSymbols(symbolSet('hidden', 'W', false))).not.toContain('    Z_i ');
    expect(formatSymbols(symbolSet('hidden', 'W', true))).toContain('    Z_i ');
    expect(formatSymbols(hidden)).toContain('inside sum_i(...) also:');
  });

  it('finds positions and suggestions', () => {
    expect(positionOf('Zc * Z', 'Z')).toBe(5);
    expect(positionOf('Y', 'nowhere')).toBe(0);
    expect(suggestions('z', ['Z', 'Zc', 'W'])).toEqual(['Z']);
    expect(pointAt('abc', 10)).toBe('  abc\n     ^');
  });
});

describe('resolving a claim', () => {
  const option = (claim: Parameters<typeof resolveClaim>[0]): string => {
    try {
      resolveClaim(claim);
    } catch (e) {
      return `${(e as ClaimError).code}: ${(e as Error).message}`;
    }
    return 'accepted';
  };

  it('fills in the defaults: output layer of 1 or 2 layers, weights, sum, decimal, 20 digits', () => {
    const r = resolveClaim({ formula: 'Y' });
    expect(r.description).toEqual({ text: 'Y', layer: 'output', target: 'W', reduction: 'sum', arithmetic: 'decimal', depths: [1, 2], kind: 'output', entryName: 'dE/dW_ji' });
    expect(r.minDigits).toBe(20);
    expect(resolveClaim({ formula: 'Z', arithmetic: 'float64', target: 'loss' }).minDigits).toBe(12);
    expect(resolveClaim({ formula: 'X', layer: 'hidden' }).description).toMatchObject({ depths: [2], kind: 'hidden', entryName: 'dE/dV_kj' });
    expect(resolveClaim({ formula: 'Y_j', layer: 'hidden', target: 'b', layers: 3 }).description).toMatchObject({ depths: [3], entryName: 'dE/db_j' });
    expect(resolveClaim({ formula: 't', layer: 3 }).description).toMatchObject({ depths: [3], kind: 'output', entryName: 'dE/dW_ji' });
    expect(resolveClaim({ formula: 'b', target: 'b', layers: 2 }).description).toMatchObject({ depths: [2], entryName: 'dE/db_i' });
    expect(resolveClaim({ formula: 'X', layer: 1 }).layerIndex(2)).toBe(0);
    expect(resolveClaim({ formula: 'X', layer: 1, layers: 3 }).nextIsOutput).toBe(false);
  });

  it('rejects impossible options with a message naming them', () => {
    expect([
      option({ formula: 'Y', layers: 0 }),
      option({ formula: 'Y', layer: 'hidden', layers: 1 }),
      option({ formula: 'Y', layer: 0 }),
      option({ formula: 'Y', layer: 2.5 }),
      option({ formula: 'Y', layer: 3, layers: 2 }),
      option({ formula: 'Y', target: 'Q' as never }),
      option({ formula: 'Y', reduction: 'max' as never }),
      option({ formula: 'Y', arithmetic: 'float32' as never }),
      option({ formula: 'Y', target: 'loss', layer: 'hidden' }),
      option({ formula: () => 1, arithmetic: 'float64' }),
    ]).toMatchInlineSnapshot(`
      [
        "E_CLAIM_OPTION: claim: layers must be an integer from 1 to 6, got 0",
        "E_CLAIM_OPTION: claim: a hidden layer needs networks of at least 2 layers, got layers 1",
        "E_CLAIM_OPTION: claim: layer must be "output", "hidden" or a layer number from 1 to 6, got 0",
        "E_CLAIM_OPTION: claim: layer must be "output", "hidden" or a layer number from 1 to 6, got 2.5",
        "E_CLAIM_OPTION: claim: layer 3 does not exist in networks of 2 layers",
        "E_CLAIM_OPTION: claim: target must be one of W, b, loss, dE/dZ, dZ/dS, dS/dW, dE/dS, dE/dY, dY/dS, dS/dV, got Q",
        "E_CLAIM_OPTION: claim: reduction must be sum or mean, got max",
        "E_CLAIM_OPTION: claim: arithmetic must be decimal or float64, got float32",
        "E_CLAIM_OPTION: claim: a claim about the loss E belongs to the output layer (layer "output")",
        "E_CLAIM_OPTION: claim: a function claim is evaluated in decimal; write the formula as an expression for float64 arithmetic",
      ]
    `);
  });
});
