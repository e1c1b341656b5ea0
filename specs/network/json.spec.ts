import { isDeepStrictEqual } from 'node:util';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  batchToJson,
  caseToJson,
  gradientsToJson,
  InputError,
  jsonErrorOffset,
  networkToJson,
  packBatch,
  packCase,
  packNetwork,
  parseBatch,
  parseCase,
  parseGradients,
  parseNetwork,
  readJsonText,
  writeJsonText,
  type Network,
} from '../../src/network/index.js';

/** The exact bits of every double, so that -0, NaN and the last ulp all count. */
function bits(values: Float64Array | null | undefined): string | null {
  return values ? Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex') : null;
}

/** The bits of every array of a network. */
function networkBits(network: Network): (string | null)[] {
  return network.layers.flatMap((layer) => [bits(layer.W), bits(layer.b)]);
}

/** Doubles that are hard to carry through text. */
const HARD = [0.1, 5e-324, -1.7976931348623157e308, 1.7976931348623157e308, 1 / 3, -0, 2.2250738585072014e-308, 9007199254740993];

/** The InputError `fn` throws. */
function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

const network = parseNetwork({
  layers: [
    { weights: [HARD.slice(0, 4), HARD.slice(4, 8)], bias: [0.1, -0, 5e-324, 0.3] },
    { weights: [[1e-300], [-2.5], [0.2], [7]] },
  ],
  reduction: 'mean',
});

describe('networkToJson', () => {
  it('unpacks W[j * nOut + i] into weights[j][i] and writes a missing bias as null', () => {
    expect(networkToJson(parseNetwork({ layers: [{ weights: [[1, 2], [3, 4], [5, 6]] }] }))).toEqual({
      layers: [{ weights: [[1, 2], [3, 4], [5, 6]], bias: null }],
      reduction: 'sum',
    });
  });

  it('survives the trip through JSON text exactly', () => {
    const text = writeJsonText(networkToJson(network));
    const back = parseNetwork(readJsonText(text, 'network.json'));
    expect(networkBits(back)).toEqual(networkBits(network));
    expect(back.reduction).toBe('mean');
  });

  it('survives the trip for any finite doubles', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 8 }), (row) => {
        const packed = parseNetwork({ layers: [{ weights: [row], bias: row }] });
        const back = parseNetwork(readJsonText(writeJsonText(networkToJson(packed)), 'network'));
        expect(networkBits(back)).toEqual(networkBits(packed));
      }),
    );
  });

  it('needs writeJsonText only for -0: JSON.stringify carries every other double', () => {
    const json = networkToJson(network);
    const back = parseNetwork(JSON.parse(JSON.stringify(json)) as unknown);
    const unsigned = (values: Float64Array): Float64Array => values.map((x) => (x === 0 ? 0 : x));
    expect(Object.is(back.layers[0]!.b![1], 0)).toBe(true);
    expect(bits(back.layers[0]!.W)).toBe(bits(unsigned(network.layers[0]!.W)));
    expect(bits(back.layers[0]!.b)).toBe(bits(unsigned(network.layers[0]!.b!)));
    expect(bits(back.layers[1]!.W)).toBe(bits(network.layers[1]!.W));
  });
});

describe('batchToJson and caseToJson', () => {
  const batch = parseBatch({ inputs: [HARD.slice(0, 2), HARD.slice(2, 4)], targets: [[5e-324], [1]] }, {
    layers: [{ nIn: 2, nOut: 1, W: new Float64Array(2), b: null }],
    reduction: 'sum',
  });

  it('unpacks a batch row by row', () => {
    expect(batchToJson(batch)).toEqual({ inputs: [HARD.slice(0, 2), HARD.slice(2, 4)], targets: [[5e-324], [1]] });
  });

  it('carries a case through JSON text exactly', () => {
    const item = parseCase({
      network: networkToJson(network),
      batch: { inputs: [[-0, 5e-324], [1e308, 0.1]], targets: [[0.1], [-0]] },
    });
    const back = parseCase(readJsonText(writeJsonText(caseToJson(item)), 'case.json'));
    expect(networkBits(back.network)).toEqual(networkBits(item.network));
    expect(bits(back.batch.X)).toBe(bits(item.batch.X));
    expect(bits(back.batch.T)).toBe(bits(item.batch.T));
  });

  it('packs JSON with the pack* helpers as parse* does', () => {
    const json = caseToJson(parseCase({ network: networkToJson(network), batch: { inputs: [[1, 2]], targets: [[0]] } }));
    expect(packNetwork(json.network)).toEqual(parseNetwork(json.network));
    expect(packBatch(json.batch, network)).toEqual(parseBatch(json.batch, network));
    expect(packCase(json)).toEqual(parseCase(json));
    expect(() => packNetwork({ layers: [] }, 'n.json')).toThrowErrorMatchingInlineSnapshot(`[InputError: n.json.layers is empty, a network needs at least one layer]`);
  });
});

describe('gradientsToJson', () => {
  const gradients = {
    loss: 0.1,
    layers: [
      { W: Float64Array.from([NaN, -0, 5e-324, 1, 2, 3, 4, -1.7976931348623157e308]), b: Float64Array.from([1, 2, NaN, 4]) },
      { W: Float64Array.from([0.1, 0.2, 0.3, 0.4]), b: null },
    ],
    outputs: Float64Array.from([0.25, NaN, 0.75]),
  };

  it('shapes gradients like the network and sends NaN as null', () => {
    const json = gradientsToJson(gradients, network);
    expect(json.gradients[1]).toEqual({ weights: [[0.1], [0.2], [0.3], [0.4]], bias: null });
    expect(json.outputs).toEqual([[0.25], [NaN], [0.75]]);
    expect(writeJsonText(json.outputs)).toBe('[[0.25],[null],[0.75]]');
  });

  it('survives the trip through JSON text, NaN included', () => {
    const text = writeJsonText(gradientsToJson(gradients, network));
    const back = parseGradients(readJsonText(text, 'result'), network, 'result', 3);
    expect(back.loss).toBe(0.1);
    expect(back.layers.map((g) => [bits(g.W), bits(g.b)])).toEqual(gradients.layers.map((g) => [bits(g.W), bits(g.b)]));
    expect(bits(back.outputs)).toBe(bits(gradients.outputs));
  });

  it('leaves outputs out when there are none', () => {
    expect(gradientsToJson({ loss: NaN, layers: gradients.layers }, network)).not.toHaveProperty('outputs');
  });
});

describe('writeJsonText', () => {
  it('writes -0 as -0 and non-finite numbers as null', () => {
    expect(writeJsonText([-0, 0, NaN, Infinity, -Infinity, 5e-324])).toBe('[-0,0,null,null,null,5e-324]');
    expect(Object.is(JSON.parse('-0'), -0)).toBe(true);
  });

  it('leaves undefined fields out and writes undefined entries as null, like JSON.stringify', () => {
    const value = { a: undefined, b: [undefined, 1, , 'x'], c: { d: null, e: true, 'q"': 'line\nbreak' } };
    expect(writeJsonText(value)).toBe(JSON.stringify(value));
  });

  it('carries any JSON value exactly, and agrees with JSON.stringify where that does too', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = writeJsonText(value);
        expect(isDeepStrictEqual(JSON.parse(text), value)).toBe(true);
        const plain = JSON.stringify(value);
        if (isDeepStrictEqual(JSON.parse(plain), value)) expect(text).toBe(plain);
      }),
      { numRuns: 500 },
    );
  });
});

describe('readJsonText', () => {
  it('parses JSON and ignores a leading byte-order mark', () => {
    expect(readJsonText('{"a": [1, 0.1]}', 'x')).toEqual({ a: [1, 0.1] });
    expect(readJsonText('\uFEFF[5e-324]', 'x')).toEqual([5e-324]);
  });

  it('names the input, the line and the column of an unexpected token', () => {
    const err = thrown(() => readJsonText('{\n  "layers": [\n    {"weights": [[1, 2],]}\n  ]\n}', 'case.json'));
    expect(err.code).toBe('E_JSON');
    expect(err.path).toBe('case.json');
    expect(err.message).toMatchInlineSnapshot(`"case.json is not valid JSON: Unexpected token ']' at line 3, column 25"`);
  });

  it('reports text that ends too soon at its end', () => {
    const err = thrown(() => readJsonText('{"loss": 0.5,\n "gradients": [', 'IUT line 3'));
    expect(err.code).toBe('E_JSON');
    expect(err.message).toMatchInlineSnapshot(`"IUT line 3 is not valid JSON: Unexpected end of JSON input at line 2, column 16"`);
    expect(thrown(() => readJsonText('', 'empty.json')).message).toMatchInlineSnapshot(`"empty.json is not valid JSON: Unexpected end of JSON input at line 1, column 1"`);
  });

  it('reports where V8 says and keeps its reason', () => {
    expect(thrown(() => readJsonText('[1] x', 'a')).message).toMatchInlineSnapshot(`"a is not valid JSON: Unexpected non-whitespace character after JSON at line 1, column 5"`);
    expect(thrown(() => readJsonText('{"a":1,}', 'b')).message).toMatchInlineSnapshot(`"b is not valid JSON: Expected double-quoted property name at line 1, column 8"`);
    expect(thrown(() => readJsonText('[NaN]', 'c')).message).toMatchInlineSnapshot(`"c is not valid JSON: Unexpected token 'N' at line 1, column 2"`);
    expect(thrown(() => readJsonText("['a', 'b']", 'd')).message).toMatchInlineSnapshot(`"d is not valid JSON: Unexpected token ''' at line 1, column 2"`);
    expect(thrown(() => readJsonText('{"a": 1}\n\u{1F600}', 'e')).message).toMatchInlineSnapshot(`"e is not valid JSON: Unexpected non-whitespace character after JSON at line 2, column 1"`);
  });
});

describe('jsonErrorOffset', () => {
  const cases: [string, number][] = [
    ['', 0],
    ['  \n', 3],
    ['{"a":}', 5],
    ['{', 1],
    ['{,}', 1],
    ['{"a"', 4],
    ['{"a" 1}', 5],
    ['{"a":1,}', 7],
    ['{"a":1 "b":2}', 7],
    ['{"a":1]', 6],
    ['{"a":', 5],
    ['[1,2,,]', 5],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['[1}', 2],
    ['[1,2', 4],
    ['[1] x', 4],
    ['[01]', 2],
    ['[1.]', 3],
    ['[1.5e3x]', 6],
    ['[1e]', 3],
    ['[1e+]', 4],
    ['[1E-7', 5],
    ['-', 1],
    ['[-a]', 2],
    ['tru', 3],
    ['[trux]', 4],
    ['[nul]', 4],
    ['[falsy]', 5],
    ['[NaN]', 1],
    ['["a\nb"]', 3],
    ['["\\x"]', 3],
    ['"\\uZZZZ"', 3],
    ['["\\u12"]', 6],
    ['["abc', 5],
    ['["\\', 3],
    ['{"a":[{"b":[]},{}],"c":"\\"\\u00e9\\/"} ]', 37],
  ];

  it.each(cases)('finds the fault in %j at %i', (text, offset) => {
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it('returns the length of valid text', () => {
    const text = '{"a":[{"b":[]},{}],"c":"\\"\\u00e9\\/", "d": [true, false, null, -0.5e+3]}';
    expect(jsonErrorOffset(text)).toBe(text.length);
  });

  it('agrees with V8 wherever V8 says where the fault is', () => {
    const pieces = ['{', '}', '[', ']', ',', ':', '"', '\\', '-', '0', '1', '.', 'e', '+', 't', 'n', 'u', ' ', '\n', 'x', '\u0001'];
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom(...pieces), fc.constantFrom('insert', 'delete', 'replace'), (json, at, piece, how) => {
        const k = at % (json.length + 1);
        const text =
          how === 'insert'
            ? json.slice(0, k) + piece + json.slice(k)
            : json.slice(0, k) + (how === 'replace' ? piece : '') + json.slice(k + 1);
        const offset = jsonErrorOffset(text);
        let message: string | undefined;
        try {
          JSON.parse(text);
        } catch (err) {
          message = (err as SyntaxError).message;
        }
        if (message === undefined) {
          expect(offset).toBe(text.length);
          return;
        }
        const position = /at position (\d+)/.exec(message)?.[1];
        const token = /^Unexpected token '(.)'/su.exec(message)?.[1];
        if (position !== undefined) expect(offset).toBe(Number(position));
        else if (token !== undefined) expect(text.charAt(offset)).toBe(token);
        else expect({ message, offset }).toEqual({ message: 'Unexpected end of JSON input', offset: text.length });
      }),
      { numRuns: 3000 },
    );
  });
});
